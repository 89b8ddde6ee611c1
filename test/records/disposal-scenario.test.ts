import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDocument } from '../../workers/src/registry/register-document.service';
import { insertSubmission, silentLog, testConfig } from '../../workers/src/testing/fixtures';
import { settleRecordDocument } from '../../workers/src/records/disposal/settle-record-document';
import { closeFile } from '../../workers/src/records/disposal/close-file';
import { handOverFiles } from '../../workers/src/records/disposal/hand-over-files';
import { createDisposalProposal, exportDisposalProposal, listDueFiles } from '../../workers/src/records/disposal/disposal-proposal';
import { importArchiveDecision } from '../../workers/src/records/disposal/import-archive-decision';
import { archiveDecisionXml } from '../../workers/src/records/disposal/archive-decision.fixture';
import type { Actor } from '../../workers/src/records/records.model';
import { validateAgainstNsesss } from '../support/nsesss-schemas';
import { seedRecordsBasics } from '../../workers/src/records/disposal/disposal.fixture';

// 1×1 transparent PNG
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const PNG_SHA = createHash('sha256').update(PNG).digest('hex');

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };

let db: Db;
let close: () => Promise<void>;
let outDir: string;
let now = new Date('2015-03-02T09:00:00Z');
const clock = () => now;
// two services of the catalogue, filed by their entries in class 3.2 (A/10) and 3.3 (S/5) of unit OD
const processesDir = mkdtempSync(path.join(os.tmpdir(), 'disposal-processes-'));
for (const [code, classCode] of [['zabor', '3.2'], ['stiznost', '3.3']]) {
  mkdirSync(path.join(processesDir, code));
  writeFileSync(path.join(processesDir, code, 'catalogue.json'), JSON.stringify({ code, deadline: { days: 30 }, filing: { classCode, orgUnit: 'OD' } }));
}
const config = { ...testConfig(), processesDir };
const ports = () => ({ db, clock, log: silentLog, config });

async function eventTypes(objectType: string, objectId: string): Promise<string[]> {
  return (await db('audit_log').where({ object_type: objectType, object_id: objectId }).orderBy('id')).map((r) => r.event_type);
}

async function metsOf(zipPath: string): Promise<string> {
  const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
  const name = Object.keys(entries).find((n) => n.endsWith('/mets.xml'))!;
  return new TextDecoder().decode(entries[name]);
}

describe('a file from receipt to disposal (acceptance 3)', () => {
  const files: Record<'A' | 'S', { fileId: string; documentId: string; fileReference: string }> = {} as never;

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    outDir = await mkdtemp(path.join(os.tmpdir(), 'disposal-scenario-'));
    await seedRecordsBasics(db);
  });
  afterAll(async () => {
    await close();
    await rm(outDir, { recursive: true, force: true });
    await rm(processesDir, { recursive: true, force: true });
  });

  it('registers two submissions, each in its own file, classified A/10 and S/5 by their services', async () => {
    for (const [code, serviceCode, classCode] of [['A', 'zabor', '3.2'], ['S', 'stiznost', '3.3']] as const) {
      const submissionId = await insertSubmission(db, { serviceCode, filing: false, subject: `Žádost ${code}`, createdAt: now, attachment: { name: 'situace.png', type: 'image/png', content: PNG } });
      const r = await registerDocument(ports(), { submissionId });
      expect(await db('files').where({ id: r.fileId }).first()).toMatchObject({ class_code: classCode, disposal_code: code, org_unit: 'OD' });
      files[code] = { fileId: r.fileId, documentId: r.documentId, fileReference: r.fileReference };
    }
    expect(await eventTypes('Spis', files.A.fileId)).toEqual(['Zalozeni']);
    // the confirmation of receipt issued with the registration is logged as a change of the document (Uprava)
    expect(await eventTypes('Dokument', files.A.documentId)).toEqual(['Zalozeni', 'VlozeniDoSpisu', 'Uprava']);
  });

  it('settles the documents and closes the files (the form data gets its XML output format)', async () => {
    now = new Date('2015-03-20T10:00:00Z');
    for (const f of Object.values(files)) await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
    now = new Date('2015-04-01T08:00:00Z');
    for (const f of Object.values(files)) {
      const { disposalYear } = await closeFile(ports(), referent, { fileId: f.fileId });
      expect(disposalYear).toBe(f === files.A ? 2026 : 2021); // from 1 January 2016: 10 and 5 years
    }
    const doc = await db('documents').where({ id: files.A.documentId }).first();
    expect(doc).toMatchObject({ state: 'settled', settlement_method: 'noted', settled_by: 'user:referent' });
    expect(await db('journal').where({ document_id: files.A.documentId }).first()).toMatchObject({ state: 'settled', settled_by: 'user:referent' });
    const converted = await db('components').where({ document_id: files.A.documentId, derivation: 'converted' });
    expect(converted.map((c) => c.media_type)).toEqual(['application/xml']);
    expect(await eventTypes('Dokument', files.A.documentId)).toEqual(['Zalozeni', 'VlozeniDoSpisu', 'Uprava', 'Vyrizeni']);
    expect(await eventTypes('Spis', files.A.fileId)).toEqual(['Zalozeni', 'Uzavreni']);
  });

  it('hands the closed files over to the records centre', async () => {
    now = new Date('2015-05-04T08:00:00Z');
    await handOverFiles(ports(), spisovna, { fileIds: [files.A.fileId, files.S.fileId], storageUnit: 'krabice 2015/12' });
    expect(await db('files').where({ id: files.A.fileId }).first()).toMatchObject({ state: 'in-records-centre', storage_unit: 'krabice 2015/12' });
    expect(await eventTypes('Spis', files.A.fileId)).toEqual(['Zalozeni', 'Uzavreni', 'PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VlozeniDoUkladaciJednotky']);
  });

  it('counts retention from 1 January after the trigger year', async () => {
    expect((await listDueFiles(db, 2025)).map((f) => f.file_reference)).toEqual([files.S.fileReference]);
    expect((await listDueFiles(db, 2026)).map((f) => f.file_reference).sort()).toEqual([files.A.fileReference, files.S.fileReference].sort());
  });

  it('proposes both files for disposal in 2026 and exports valid disposal SIPs of metadata only', async () => {
    now = new Date('2026-01-05T09:00:00Z');
    const proposal = await createDisposalProposal(ports(), spisovna);
    expect(proposal.fileReferences.sort()).toEqual([files.A.fileReference, files.S.fileReference].sort());
    const { packages } = await exportDisposalProposal(ports(), spisovna, { proposalId: proposal.proposalId, outDir: path.join(outDir, 'proposal') });
    expect(packages).toHaveLength(2);
    for (const p of packages) {
      const xml = await metsOf(p);
      expect((await validateAgainstNsesss(xml)).errors).toEqual([]);
      expect(xml).toContain('LABEL="Datový balíček pro provedení skartačního řízení"');
      expect(Object.keys(unzipSync(new Uint8Array(await readFile(p)))).some((n) => n.includes('/komponenty/'))).toBe(false);
    }
    expect((await eventTypes('Spis', files.S.fileId)).slice(-2)).toEqual(['VlozeniDoSkartacnihoNavrhu', 'Export']);
  });

  it('imports the archive decision: A is transferred with its components, S is destroyed keeping its metadata', async () => {
    now = new Date('2026-03-10T09:00:00Z');
    const xml = archiveDecisionXml({ entities: [
      { identifier: files.A.fileId, operation: 'vybrat za archiválii' },
      { identifier: files.S.fileId, operation: 'zničit' },
    ] });
    const sBlobs = (await db('components').where({ document_id: files.S.documentId })).map((c) => c.blob_sha256);
    const result = await importArchiveDecision(ports(), spisovna, { xml, outDir: path.join(outDir, 'transfer') });

    expect(result.outcomes.map((o) => [o.fileReference, o.action])).toEqual([[files.A.fileReference, 'transferred'], [files.S.fileReference, 'destroyed']]);
    // A: the transfer SIP validates and carries every component with its bytes
    const transferZip = result.outcomes[0].package!;
    const xmlA = await metsOf(transferZip);
    expect((await validateAgainstNsesss(xmlA)).errors).toEqual([]);
    expect(xmlA).toContain('LABEL="Datový balíček pro předávání dokumentů a jejich metadat do archivu"');
    const entries = unzipSync(new Uint8Array(await readFile(transferZip)));
    const componentCount = await db('components').where({ document_id: files.A.documentId }).count<{ n: string }[]>({ n: '*' });
    expect(Object.keys(entries).filter((n) => n.includes('/komponenty/'))).toHaveLength(Number(componentCount[0].n));
    expect(await db('files').where({ id: files.A.fileId }).first()).toMatchObject({ state: 'transferred' });
    // S: no bytes left, the metadata stays
    const sComponents = await db('components').where({ document_id: files.S.documentId });
    expect(sComponents.every((c) => c.blob_sha256 === null && c.destroyed_at !== null)).toBe(true);
    // the blobs only S used are gone; the picture A shares stays for A
    for (const sha of sBlobs.filter((x) => x !== PNG_SHA)) expect(await db('blobs').where({ sha256: sha }).first()).toBeUndefined();
    expect(await db('blobs').where({ sha256: PNG_SHA }).first()).toBeDefined();
    expect(await db('documents').where({ id: files.S.documentId }).first()).toMatchObject({ subject: 'Žádost S' });
    expect(await db('journal').where({ document_id: files.S.documentId }).first()).toBeDefined();
    expect(await db('files').where({ id: files.S.fileId }).first()).toMatchObject({ state: 'destroyed' });
    for (const c of sComponents) expect((await eventTypes('Komponenta', c.id)).at(-1)).toBe('Zniceni');
    expect(await eventTypes('Dokument', files.S.documentId)).toEqual(['Zalozeni', 'VlozeniDoSpisu', 'Uprava', 'Vyrizeni', 'Zniceni']);
  });

  it('keeps the archive identifier from the confirmation of the transfer and ignores a repeated list', async () => {
    now = new Date('2026-04-01T09:00:00Z');
    const confirmation = archiveDecisionXml({ listId: 'PR-2026-3', entities: [{ identifier: files.A.fileId, archiveIdentifier: 'NDA-2026-000123' }] });
    await importArchiveDecision(ports(), spisovna, { xml: confirmation, outDir });
    expect(await db('files').where({ id: files.A.fileId }).first()).toMatchObject({ archive_id: 'NDA-2026-000123' });
    const again = await importArchiveDecision(ports(), spisovna, { xml: confirmation, outDir });
    expect(again.alreadyImported).toBe(true);
  });

  it('has the whole life of both files in the transaction log, in order, an unbroken hash chain', async () => {
    expect(await eventTypes('Spis', files.A.fileId)).toEqual([
      'Zalozeni', 'Uzavreni', 'PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VlozeniDoUkladaciJednotky', 'VlozeniDoSkartacnihoNavrhu', 'Export', 'Prenos', 'Uprava',
    ]);
    expect(await eventTypes('Spis', files.S.fileId)).toEqual([
      'Zalozeni', 'Uzavreni', 'PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VlozeniDoUkladaciJednotky', 'VlozeniDoSkartacnihoNavrhu', 'Export', 'Zniceni',
    ]);
    const rows = await db('audit_log').orderBy('id');
    let prev = '0'.repeat(64);
    for (const r of rows) {
      expect(r.prev_hash).toBe(prev);
      prev = r.hash;
    }
    expect((await db('audit_log_head').first()).last_hash).toBe(prev);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
    expect(await readdir(path.join(outDir, 'transfer'))).toHaveLength(1);
  });
});

