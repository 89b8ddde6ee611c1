import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { silentLog, testConfig } from '../../testing/fixtures';
import { moveDocument } from '../files/move-document.service';
import { registerRecord } from '../files/register-record.service';
import { createTypedFile, openVolume } from '../files/typed-file.service';
import { openVolumeFile } from '../files/volume-file.service';
import type { Actor } from '../records.model';
import { exportFileSips } from '../sip/export-file-sips';
import { archiveDecisionXml } from './archive-decision.fixture';
import { closeFile } from './close-file';
import { closePart, closeTypedFile, reopenPart, reopenTypedFile } from './close-typed-file';
import { closeVolume, reopenVolume } from './close-volume';
import { createDisposalProposal } from './disposal-proposal';
import { PDFA, seedRecordsBasics } from './disposal.fixture';
import { handOverFiles } from './hand-over-files';
import { importArchiveDecision } from './import-archive-decision';
import { listCentreFiles } from './records-centre.repository';
import { reopenFile } from './reopen-file';
import { settleRecordDocument } from './settle-record-document';

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const vedouci: Actor = { username: 'vedouci', roles: ['vedouci'], orgUnit: 'OD' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };
const stranger: Actor = { username: 'cizi', roles: ['referent'], orgUnit: 'SP' };
const NSESSS = 'http://www.mvcr.cz/nsesss/v4';
const METS = 'http://www.loc.gov/METS/';

let db: Db;
let close: () => Promise<void>;
let outDir: string;
let now = new Date('2026-03-02T08:00:00Z');
const ports = () => ({ db, clock: () => now, log: silentLog, config: testConfig() });
let typed: { fileId: string; partIds: Record<string, string> };
let volume: { fileId: string; fileReference: string };

/** Everything a refused call must leave as it was: the files, the parts and the log. */
async function snapshot() {
  return {
    files: await db('files').orderBy('id').select('id', 'state', 'closed_at', 'owner', 'disposal_year'),
    parts: await db('file_parts').orderBy('id').select('id', 'closed_at'),
    log: (await db('audit_log').count<{ n: string }[]>({ n: '*' }))[0].n,
  };
}

/** A file in the volume with one settled internal record in it. */
async function fileWithRecord(volumeId: string, subject: string) {
  const file = await openVolumeFile(ports(), referent, { volumeId, subject });
  const doc = await registerRecord(ports(), referent, {
    direction: 'internal', subject: `${subject}: záznam`, channel: 'internal', form: 'electronic', fileId: file.fileId,
    components: [{ fileName: 'zaznam.pdf', mediaType: 'application/pdf', content: PDFA }],
  });
  return { ...file, documentId: doc.documentId };
}

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  const { planId, classIds } = await seedRecordsBasics(db);
  await db('file_classes').insert({
    id: randomUUID(), plan_id: planId, parent_id: classIds['3'], simple_code: '4', class_code: '3.4', title: 'Stavby komunikací (typové spisy)', valid_from: '2015-01-01',
    retention_id: 'A/10', disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu', retention_reason: 'spisový plán', for_typed_files: true,
  });
  await db('users').insert({ username: 'cizi', display_name: 'Cizí Referent', org_unit: 'SP', password_hash: 'x' });
  outDir = await mkdtemp(path.join(os.tmpdir(), 'typed-volumes-'));
  typed = await createTypedFile(ports(), referent, {
    classCode: '3.4', subject: 'Lávka přes Teplou', reference: 'LAVKA-2026-1', orgUnit: 'OD',
    parts: [{ code: 'SP', title: 'Stavební povolení' }, { code: 'UD', title: 'Údržba', disposalCode: 'S', retentionYears: 5 }],
  });
  volume = await openVolume(ports(), referent, { partId: typed.partIds.SP, subject: 'Povolení lávky' });
});
afterAll(async () => {
  await close();
  await rm(outDir, { recursive: true, force: true });
});

describe('a volume (díl) of a typed file holds files (NSESSS 2023)', () => {
  it('refuses a document filed straight into a volume, and one moved into it, changing nothing', async () => {
    const before = await snapshot();
    await expect(registerRecord(ports(), referent, { direction: 'internal', subject: 'Výkres', channel: 'internal', fileId: volume.fileId })).rejects.toMatchObject({ code: 'VOLUME_HOLDS_FILES' });
    const loose = await registerRecord(ports(), referent, { direction: 'internal', subject: 'Výkres', channel: 'internal', classCode: '3.2', orgUnit: 'OD' });
    const mid = await snapshot();
    await expect(moveDocument(ports(), referent, { documentId: loose.documentId, toFileId: volume.fileId, reason: 'patří k lávce' })).rejects.toMatchObject({ code: 'VOLUME_HOLDS_FILES' });
    expect(await snapshot()).toEqual(mid);
    expect(before.log).not.toEqual(mid.log);
  });

  it('opens files in an open volume, numbered in it, with its unit, handler and retention; a form sent twice opens one', async () => {
    const first = await openVolumeFile(ports(), referent, { volumeId: volume.fileId, subject: 'Řízení o povolení', expectedFiles: 0 });
    const again = await openVolumeFile(ports(), referent, { volumeId: volume.fileId, subject: 'Řízení o povolení', expectedFiles: 0 });
    expect(first).toMatchObject({ fileReference: 'LAVKA-2026-1/SP/1/1', created: true });
    expect(again).toEqual({ ...first, created: false });
    expect(await db('files').where({ id: first.fileId }).first()).toMatchObject({ kind: 'file', volume_id: volume.fileId, org_unit: 'OD', class_code: '3.4', disposal_code: 'A', retention_years: 10 });
    expect(await db('audit_log').where({ object_id: first.fileId }).pluck('event_type')).toEqual(['Zalozeni']);
    // bad input: no subject, a stranger's unit, not a volume
    const before = await snapshot();
    await expect(openVolumeFile(ports(), referent, { volumeId: volume.fileId, subject: '  ' })).rejects.toMatchObject({ code: 'VOLUME_FILE_SUBJECT_REQUIRED' });
    await expect(openVolumeFile(ports(), stranger, { volumeId: volume.fileId, subject: 'Cizí' })).rejects.toMatchObject({ code: 'FILE_ACCESS_DENIED' });
    await expect(openVolumeFile(ports(), referent, { volumeId: typed.fileId, subject: 'Do typového spisu' })).rejects.toMatchObject({ code: 'VOLUME_NOT_FOUND' });
    expect(await snapshot()).toEqual(before);
  });

  it('closes a volume only when it has files and all are closed, and opens the next volume in the same transaction', async () => {
    const [inner] = await db('files').where({ volume_id: volume.fileId }).pluck('id');
    const doc = await registerRecord(ports(), referent, {
      direction: 'internal', subject: 'Záznam o povolení', channel: 'internal', form: 'electronic', fileId: inner,
      components: [{ fileName: 'zaznam.pdf', mediaType: 'application/pdf', content: PDFA }],
    });
    const before = await snapshot();
    await expect(closeVolume(ports(), referent, { volumeId: volume.fileId, nextSubject: 'Povolení lávky II' }))
      .rejects.toMatchObject({ code: 'VOLUME_INCOMPLETE', openFiles: ['LAVKA-2026-1/SP/1/1'] });
    await expect(closeVolume(ports(), spisovna, { volumeId: volume.fileId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(closeVolume(ports(), stranger, { volumeId: volume.fileId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const empty = await openVolume(ports(), referent, { partId: typed.partIds.UD, subject: 'Údržba 2026' });
    await expect(closeVolume(ports(), referent, { volumeId: empty.fileId })).rejects.toMatchObject({ code: 'VOLUME_EMPTY' });
    expect((await snapshot()).files.filter((f) => f.id !== empty.fileId)).toEqual(before.files);

    await settleRecordDocument(ports(), referent, { documentId: doc.documentId, method: 'other' });
    now = new Date('2026-04-01T08:00:00Z');
    await closeFile(ports(), referent, { fileId: inner });
    now = new Date('2026-05-04T08:00:00Z');
    const closed = await closeVolume(ports(), vedouci, { volumeId: volume.fileId, reason: 'povolení vydáno', nextSubject: 'Povolení lávky – změna' });
    expect(closed).toMatchObject({ disposalYear: 2037, next: { fileReference: 'LAVKA-2026-1/SP/2' } });
    expect(await db('files').where({ id: volume.fileId }).first()).toMatchObject({ state: 'closed', closed_by: 'user:vedouci', closure_reason: 'povolení vydáno', disposal_year: 2037 });
    const events = await db('audit_log').where('id', '>', Number(before.log)).orderBy('id').select('event_type', 'object_type', 'object_id');
    expect(events.slice(-2)).toEqual([
      { event_type: 'Uzavreni', object_type: 'Dil', object_id: volume.fileId },
      { event_type: 'Zalozeni', object_type: 'Dil', object_id: closed.next!.fileId },
    ]);
    // a closed volume keeps its files closed and takes no more
    await expect(reopenFile(ports(), referent, { fileId: inner, reason: 'doplnit' })).rejects.toMatchObject({ code: 'VOLUME_CLOSED' });
    await expect(openVolumeFile(ports(), referent, { volumeId: volume.fileId, subject: 'Další' })).rejects.toMatchObject({ code: 'FILE_NOT_OPEN' });
    // the generic file closure is not for volumes
    await expect(closeFile(ports(), referent, { fileId: closed.next!.fileId })).rejects.toMatchObject({ code: 'FILE_KIND_CLOSES_ELSEWHERE' });
  });

  it('reopens a volume with a reason (logged), and closes it again', async () => {
    await expect(reopenVolume(ports(), referent, { volumeId: volume.fileId, reason: ' ' })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    await reopenVolume(ports(), referent, { volumeId: volume.fileId, reason: 'chybí příloha' });
    const row = await db('files').where({ id: volume.fileId }).first();
    expect(row).toMatchObject({ state: 'open', closed_at: null, disposal_year: null });
    expect(await db('audit_log').where({ object_id: volume.fileId, event_type: 'Otevreni', object_type: 'Dil' }).first()).toMatchObject({ details: expect.objectContaining({ reason: 'chybí příloha' }) });
    await closeVolume(ports(), referent, { volumeId: volume.fileId });
  });

  it('closes a part when none of its volumes is open, and the typed file when all parts are closed; both reopen with a reason', async () => {
    const before = await snapshot();
    await expect(closePart(ports(), referent, { typedFileId: typed.fileId, partId: typed.partIds.SP })).rejects.toMatchObject({ code: 'PART_INCOMPLETE', openVolumes: ['LAVKA-2026-1/SP/2'] });
    await expect(closeTypedFile(ports(), referent, { typedFileId: typed.fileId })).rejects.toMatchObject({ code: 'TYPED_FILE_INCOMPLETE', openParts: ['SP', 'UD'] });
    await expect(closePart(ports(), referent, { typedFileId: typed.fileId, partId: randomUUID() })).rejects.toMatchObject({ code: 'FILE_PART_NOT_FOUND' });
    expect(await snapshot()).toEqual(before);

    const second = await db('files').where({ file_reference: 'LAVKA-2026-1/SP/2' }).first();
    await fileWithRecord(second.id, 'Změna povolení').then(async (f) => {
      await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'other' });
      await closeFile(ports(), referent, { fileId: f.fileId });
    });
    await closeVolume(ports(), referent, { volumeId: second.id });
    const maintenance = await db('files').where({ file_reference: 'LAVKA-2026-1/UD/1' }).first();
    await fileWithRecord(maintenance.id, 'Údržba 2026').then(async (f) => {
      await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'other' });
      await closeFile(ports(), referent, { fileId: f.fileId });
    });
    await closeVolume(ports(), referent, { volumeId: maintenance.id });
    await closePart(ports(), referent, { typedFileId: typed.fileId, partId: typed.partIds.SP });
    await expect(openVolume(ports(), referent, { partId: typed.partIds.SP, subject: 'Další' })).rejects.toMatchObject({ code: 'PART_CLOSED' });
    await expect(reopenVolume(ports(), referent, { volumeId: second.id, reason: 'oprava' })).rejects.toMatchObject({ code: 'PART_CLOSED' });
    await reopenPart(ports(), vedouci, { typedFileId: typed.fileId, partId: typed.partIds.SP, reason: 'omyl' });
    await closePart(ports(), referent, { typedFileId: typed.fileId, partId: typed.partIds.SP });
    await closePart(ports(), referent, { typedFileId: typed.fileId, partId: typed.partIds.UD });
    await closeTypedFile(ports(), referent, { typedFileId: typed.fileId, reason: 'lávka odstraněna' });
    await expect(reopenTypedFile(ports(), referent, { typedFileId: typed.fileId, reason: '' })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    expect(await db('files').where({ id: typed.fileId }).first()).toMatchObject({ state: 'closed', closed_by: 'user:referent' });
    const log = await db('audit_log').whereIn('object_type', ['Soucast', 'TypovySpis']).where('event_type', 'in', ['Uzavreni', 'Otevreni']).orderBy('id').select('event_type', 'object_type');
    expect(log).toEqual([
      { event_type: 'Uzavreni', object_type: 'Soucast' }, { event_type: 'Otevreni', object_type: 'Soucast' },
      { event_type: 'Uzavreni', object_type: 'Soucast' }, { event_type: 'Uzavreni', object_type: 'Soucast' }, { event_type: 'Uzavreni', object_type: 'TypovySpis' },
    ]);
  });
});

describe('the closed volume is the unit of the records centre and of the disposal', () => {
  it('hands over a volume with its files, refuses a file in a volume and a typed file, and lists only the units', async () => {
    const [inner] = await db('files').where({ volume_id: volume.fileId }).pluck('id');
    expect((await listCentreFiles(db, { state: 'closed', page: 1, pageSize: 100 })).rows.map((r) => r.file_reference)).toEqual(['LAVKA-2026-1/SP/1', 'LAVKA-2026-1/SP/2', 'LAVKA-2026-1/UD/1']);
    const before = await snapshot();
    await expect(handOverFiles(ports(), spisovna, { fileIds: [inner] })).rejects.toMatchObject({ code: 'FILE_IN_VOLUME' });
    await expect(handOverFiles(ports(), spisovna, { fileIds: [typed.fileId] })).rejects.toMatchObject({ code: 'TYPED_FILE_NOT_A_UNIT' });
    expect(await snapshot()).toEqual(before);
    const volumes = await db('files').where({ kind: 'volume' }).pluck('id');
    now = new Date('2027-02-03T08:00:00Z');
    await handOverFiles(ports(), spisovna, { fileIds: volumes, storageUnit: 'KR-2027-1' });
    expect(await db('files').whereIn('volume_id', volumes).distinct('state').pluck('state')).toEqual(['in-records-centre']);
    expect(await db('audit_log').where({ object_id: inner }).orderBy('id').pluck('event_type')).toEqual(expect.arrayContaining(['PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VlozeniDoUkladaciJednotky']));
    expect(await db('audit_log').where({ object_id: volume.fileId, event_type: 'PrevzetiNaSpisovnu' }).pluck('object_type')).toEqual(['Dil']);
  });

  it('writes the SIP of a volume of files as nsesss:Dil with nsesss:Spisy, valid against the schemas', async () => {
    const { packages } = await exportFileSips(ports(), spisovna, { fileReference: 'LAVKA-2026-1', outDir: path.join(outDir, 'sip'), format: 'folder' });
    expect(packages.map((p) => p.fileReference)).toEqual(['LAVKA-2026-1/SP/1', 'LAVKA-2026-1/SP/2', 'LAVKA-2026-1/UD/1']);
    const xml = await readFile(path.join(packages[0].path, 'mets.xml'), 'utf8');
    expect((await validateAgainstNsesss(xml)).errors).toEqual([]);
    const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
    const dil = doc.getElementsByTagNameNS(NSESSS, 'Dil')[0];
    const children = Array.from(dil.childNodes).filter((n): n is Element => n.nodeType === 1).map((e) => e.localName);
    expect(children).toEqual(['EvidencniUdaje', 'Spisy']);
    expect(doc.getElementsByTagNameNS(NSESSS, 'Spis')).toHaveLength(1);
    expect(doc.getElementsByTagNameNS(NSESSS, 'EvidencniCislo')[0].textContent).toBe('LAVKA-2026-1/SP/1/1');
    const divs = Array.from(doc.getElementsByTagNameNS(METS, 'div')).map((d) => d.getAttribute('TYPE'));
    expect(divs).toEqual(['spisový plán', 'věcná skupina', 'věcná skupina', 'typový spis', 'součást', 'díl', 'spis', 'dokument', 'komponenta']);
    // a file in a volume has no package of its own
    await expect(exportFileSips(ports(), spisovna, { fileReference: 'LAVKA-2026-1/SP/1/1', outDir })).rejects.toMatchObject({ code: 'FILE_IN_VOLUME' });
  });

  it('proposes the due volumes (not their files) and carries the archive decision to the files in them', async () => {
    now = new Date('2038-02-01T08:00:00Z');
    const proposal = await createDisposalProposal(ports(), spisovna);
    // the maintenance part's S/5 gives way to the class's A/10, so all three volumes are due in 2037
    expect(proposal.fileReferences).toEqual(['LAVKA-2026-1/SP/1', 'LAVKA-2026-1/SP/2', 'LAVKA-2026-1/UD/1']);
    const ud = await db('files').where({ file_reference: 'LAVKA-2026-1/UD/1' }).first();
    const inner = await db('files').where({ volume_id: ud.id }).first();
    expect(inner.state).toBe('in-disposal');
    await importArchiveDecision(ports(), spisovna, { xml: archiveDecisionXml({ entities: [{ identifier: ud.id, operation: 'zničit' }] }), outDir: path.join(outDir, 'decision'), format: 'folder' });
    expect(await db('files').whereIn('id', [ud.id, inner.id]).pluck('state')).toEqual(['destroyed', 'destroyed']);
    expect(await db('audit_log').where({ event_type: 'Zniceni' }).whereIn('object_id', [ud.id, inner.id]).orderBy('object_type').pluck('object_type')).toEqual(['Dil', 'Spis']);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });
});
