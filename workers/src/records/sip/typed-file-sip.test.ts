import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { silentLog, testConfig } from '../../testing/fixtures';
import { archiveDecisionXml } from '../disposal/archive-decision.fixture';
import { closeVolume } from '../disposal/close-volume';
import { createDisposalProposal, exportDisposalProposal } from '../disposal/disposal-proposal';
import { PDFA, seedRecordsBasics } from '../disposal/disposal.fixture';
import { handOverFiles } from '../disposal/hand-over-files';
import { importArchiveDecision } from '../disposal/import-archive-decision';
import { settleRecordDocument } from '../disposal/settle-record-document';
import { registerRecord } from '../files/register-record.service';
import { createTypedFile, openVolume } from '../files/typed-file.service';
import type { Actor } from '../records.model';
import { exportFileSips } from './export-file-sips';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };
const METS = 'http://www.loc.gov/METS/';
const NSESSS = 'http://www.mvcr.cz/nsesss/v4';

let db: Db;
let close: () => Promise<void>;
let outDir: string;
let now = new Date('2015-03-02T08:00:00Z');
const ports = () => ({ db, clock: () => now, log: silentLog, config: testConfig() });
let typed: { fileId: string; partIds: Record<string, string> };
const volumes: { fileId: string; fileReference: string }[] = [];

async function metsOf(folder: string): Promise<Document> {
  const xml = await readFile(path.join(folder, 'mets.xml'), 'utf8');
  const result = await validateAgainstNsesss(xml);
  expect(result.errors).toEqual([]);
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}
const divTypes = (doc: Document) => Array.from(doc.getElementsByTagNameNS(METS, 'div')).map((d) => d.getAttribute('TYPE'));
const text = (doc: Document | Element, name: string, i = 0) => doc.getElementsByTagNameNS(NSESSS, name)[i]?.textContent;
/** The element at a path of direct NSESSS children (the nesting of parents makes a deep search ambiguous). */
const at = (e: Element, ...names: string[]) => names.reduce((x, name) => Array.from(x.childNodes).find((n): n is Element => n.nodeType === 1 && (n as Element).localName === name)!, e);
const dil = (doc: Document) => doc.getElementsByTagNameNS(NSESSS, 'Dil')[0];
const soucast = (doc: Document) => at(dil(doc), 'EvidencniUdaje', 'Trideni', 'MaterskaEntita', 'Soucast');

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  const { planId, classIds } = await seedRecordsBasics(db);
  await db('file_classes').insert({
    id: randomUUID(), plan_id: planId, parent_id: classIds['3'], simple_code: '4', class_code: '3.4', title: 'Stavby komunikací (typové spisy)', valid_from: '2015-01-01',
    retention_id: 'A/10', disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu', retention_reason: 'spisový plán', for_typed_files: true,
  });
  outDir = await mkdtemp(path.join(os.tmpdir(), 'typed-sip-'));
  // a typed file with two parts, one with its own retention, and one volume in each, closed and handed over
  typed = await createTypedFile(ports(), referent, {
    classCode: '3.4', subject: 'Most přes Ohři – Chebský most', reference: 'MOST-2015-1',
    parts: [{ code: 'SP', title: 'Stavební povolení' }, { code: 'UD', title: 'Údržba', disposalCode: 'S', retentionYears: 5 }],
  });
  for (const [code, subject] of [['SP', 'Povolení stavby mostu'], ['UD', 'Údržba mostu 2015']]) {
    const volume = await openVolume(ports(), referent, { partId: typed.partIds[code], subject });
    volumes.push(volume);
    const doc = await registerRecord(ports(), referent, {
      direction: 'internal', subject: `${subject}: záznam`, channel: 'internal', form: 'electronic', fileId: volume.fileId,
      components: [{ fileName: 'zaznam.pdf', mediaType: 'application/pdf', content: PDFA }],
    });
    await settleRecordDocument(ports(), referent, { documentId: doc.documentId, method: 'other' });
  }
  now = new Date('2015-04-01T08:00:00Z');
  for (const v of volumes) await closeVolume(ports(), referent, { volumeId: v.fileId });
  await handOverFiles(ports(), spisovna, { fileIds: volumes.map((v) => v.fileId) });
});
afterAll(async () => {
  await close();
  await rm(outDir, { recursive: true, force: true });
});

describe('SIP of a typed file with two parts and two volumes', () => {
  it('exports one package per volume as nsesss:Dil in its part and typed file, valid against the schemas, and logs each export', async () => {
    now = new Date('2021-02-01T08:00:00Z');
    const dir = path.join(outDir, 'export');

    const { packages } = await exportFileSips(ports(), spisovna, { fileReference: 'MOST-2015-1', outDir: dir, format: 'folder' });

    expect(packages.map((p) => [p.fileReference, p.kind])).toEqual([['MOST-2015-1/SP/1', 'disposal'], ['MOST-2015-1/UD/1', 'disposal']]);
    expect((await readdir(dir)).sort()).toEqual(packages.map((p) => p.packageName).sort());
    const [sp, ud] = await Promise.all(packages.map((p) => metsOf(p.path)));
    for (const doc of [sp, ud]) {
      expect(divTypes(doc)).toEqual(['spisový plán', 'věcná skupina', 'věcná skupina', 'typový spis', 'součást', 'díl', 'dokument', 'komponenta']);
      expect(doc.getElementsByTagNameNS(NSESSS, 'Spis').length).toBe(0);
      expect(text(doc, 'UrcenoProTypoveSpisy')).toBe('ano');
    }
    // each volume in its own part
    expect([sp, ud].map((doc) => at(soucast(doc), 'EvidencniUdaje', 'Popis', 'Nazev').textContent)).toEqual(['Stavební povolení', 'Údržba']);
    expect(at(soucast(sp), 'EvidencniUdaje', 'Trideni', 'MaterskaEntita', 'TypovySpis', 'EvidencniUdaje', 'Popis', 'Nazev').textContent).toBe('Most přes Ohři – Chebský most');
    const retention = (e: Element) => at(e, 'EvidencniUdaje', 'Vyrazovani', 'SkartacniRezim', 'SkartacniZnak').textContent;
    // the class's A/10 for the permit part; the maintenance part's own S/5, and its volume the most severe of both
    expect([retention(soucast(sp)), retention(dil(sp))]).toEqual(['A', 'A']);
    expect([retention(soucast(ud)), retention(dil(ud))]).toEqual(['S', 'A']);
    // the logs of the typed file, part and volume travel with them
    const objectTypes = (doc: Document) => Array.from(doc.getElementsByTagNameNS('http://www.mvcr.cz/nsesss/2023/log', 'TypObjektuId')).map((e) => e.textContent);
    expect(objectTypes(sp).slice(3, 6)).toEqual(['TypovySpis', 'Soucast', 'Dil']);
    for (const v of volumes) expect(await db('audit_log').where({ object_id: v.fileId, event_type: 'Export' })).toHaveLength(1);
  });

  it('npm run cli -- sip export <typed file reference> writes the zip of each closed volume', async () => {
    const out: string[] = [];
    const dir = path.join(outDir, 'cli');
    const code = await runCli(COMMANDS, ['sip', 'export', 'MOST-2015-1', dir], {
      db, config: testConfig(), clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l) => out.push(l), err: () => undefined,
    });
    expect(code).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^disposal package written: .*SP_1-SR-\d{8}T\d{6}\.zip \(MOST-2015-1\/SP\/1\)$/);
    expect((await readdir(dir)).filter((n) => n.endsWith('.zip'))).toHaveLength(2);
  });

  it('refuses a typed file with no closed volume and changes nothing', async () => {
    const other = await createTypedFile(ports(), referent, { classCode: '3.4', subject: 'Lávka', reference: 'LAVKA-2021-1', parts: [{ code: 'SP', title: 'Povolení' }] });
    await openVolume(ports(), referent, { partId: other.partIds.SP, subject: 'Povolení lávky' });
    const before = await db('audit_log').count<{ n: string }[]>({ n: '*' });
    await expect(exportFileSips(ports(), spisovna, { fileReference: 'LAVKA-2021-1', outDir })).rejects.toMatchObject({ code: 'TYPED_FILE_NO_CLOSED_VOLUME' });
    await expect(exportFileSips(ports(), referent, { fileReference: 'MOST-2015-1', outDir })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await db('audit_log').count<{ n: string }[]>({ n: '*' })).toEqual(before);
  });

  it('writes valid disposal-proposal packages and, after the archive selects a volume, its valid transfer package', async () => {
    now = new Date('2026-02-01T08:00:00Z');
    const proposal = await createDisposalProposal(ports(), spisovna);
    expect(proposal.fileReferences).toEqual(volumes.map((v) => v.fileReference));
    const proposalDir = path.join(outDir, 'proposal');
    const { packages } = await exportDisposalProposal(ports(), spisovna, { proposalId: proposal.proposalId, outDir: proposalDir, format: 'folder' });
    expect(packages).toHaveLength(2);
    for (const p of packages) {
      const doc = await metsOf(p);
      expect(doc.documentElement.getAttribute('LABEL')).toBe('Datový balíček pro provedení skartačního řízení');
      expect(divTypes(doc)).toContain('díl');
    }

    const transferDir = path.join(outDir, 'transfer');
    const [sp, ud] = volumes;
    await importArchiveDecision(ports(), spisovna, {
      xml: archiveDecisionXml({ entities: [{ identifier: sp.fileId, operation: 'vybrat za archiválii' }, { identifier: ud.fileId, operation: 'zničit' }] }),
      outDir: transferDir, format: 'folder',
    });

    expect(await db('files').whereIn('id', [sp.fileId, ud.fileId]).orderBy('file_reference').pluck('state')).toEqual(['transferred', 'destroyed']);
    const [folder] = await readdir(transferDir);
    const doc = await metsOf(path.join(transferDir, folder));
    expect(doc.documentElement.getAttribute('LABEL')).toBe('Datový balíček pro předávání dokumentů a jejich metadat do archivu');
    expect(at(dil(doc), 'EvidencniUdaje', 'Vyrazovani', 'SkartacniRizeni', 'SkartacniOperace').textContent).toBe('trvalé uložení');
    expect(doc.getElementsByTagNameNS(METS, 'file')).toHaveLength(1);
    expect(await readdir(path.join(transferDir, folder, 'komponenty'))).toHaveLength(1);
    // and the typed file's own export now gives the transfer package of the transferred volume only
    const again = await exportFileSips(ports(), spisovna, { fileReference: 'MOST-2015-1', outDir: path.join(outDir, 'again') });
    expect(again.packages.map((p) => [p.fileReference, p.kind])).toEqual([['MOST-2015-1/SP/1', 'transfer']]);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });
});
