import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type Db } from '@openspis/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLog, testConfig } from '../../testing/fixtures';
import type { Actor } from '../records.model';
import { archiveDecisionXml } from './archive-decision.fixture';
import { cancelDocument } from './cancel-document';
import { closeFile } from './close-file';
import { createDisposalProposal } from './disposal-proposal';
import { DOCX, insertOpenFile, PDFA, seedRecordsBasics } from './disposal.fixture';
import { handOverFiles } from './hand-over-files';
import { importArchiveDecision } from './import-archive-decision';
import { reopenFile } from './reopen-file';
import { settleRecordDocument } from './settle-record-document';

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const colleague: Actor = { username: 'referent2', roles: ['referent'], orgUnit: 'OD' };
const outsider: Actor = { username: 'cizi', roles: ['referent'], orgUnit: 'OSV' };
const vedouci: Actor = { username: 'vedouci', roles: ['vedouci'], orgUnit: 'OD' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };

let db: Db;
let close: () => Promise<void>;
let classes: Record<string, string>;
let outDir: string;
let now = new Date('2015-04-01T08:00:00Z');
const ports = () => ({ db, clock: () => now, log: silentLog, config: testConfig() });

async function events(objectType: string, id: string) {
  return (await db('audit_log').where({ object_type: objectType, object_id: id }).orderBy('id')).map((r) => r.event_type);
}
async function logCount() {
  return Number((await db('audit_log').count<{ n: string }[]>({ n: '*' }))[0].n);
}

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  ({ classIds: classes } = await seedRecordsBasics(db));
  outDir = await mkdtemp(path.join(os.tmpdir(), 'lifecycle-'));
});
afterAll(async () => {
  await close();
  await rm(outDir, { recursive: true, force: true });
});
beforeEach(() => {
  now = new Date('2015-04-01T08:00:00Z');
});

describe('settlement and closure', () => {
  it('refuses to close a file with an unsettled document or a component outside the output formats, changing nothing', async () => {
    const f = await insertOpenFile(db, { classId: classes['3.2'], components: [{ name: 'návrh.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: DOCX }] });
    const before = await logCount();

    await expect(closeFile(ports(), referent, { fileId: f.fileId })).rejects.toMatchObject({ code: 'FILE_INCOMPLETE', problems: { unsettled: [f.fileReference], notOutputFormat: [{ component: 'návrh.docx' }] } });

    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'by-document' });
    await expect(closeFile(ports(), referent, { fileId: f.fileId })).rejects.toMatchObject({ code: 'FILE_INCOMPLETE', problems: { unsettled: [], notOutputFormat: [{ component: 'návrh.docx' }] } });
    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ state: 'open', closed_at: null });
    expect(await logCount()).toBe(before + 1); // only the settlement
  });

  it('settles once, and only within the handler’s unit', async () => {
    const f = await insertOpenFile(db, { classId: classes['3.2'], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await expect(settleRecordDocument(ports(), outsider, { documentId: f.documentId, method: 'noted' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' })).toEqual({ settled: true });
    expect(await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' })).toEqual({ settled: false });
    expect(await events('Dokument', f.documentId)).toEqual(['Vyrizeni']);
  });

  it('closes a complete file with the class retention and records a reopening with its reason', async () => {
    const f = await insertOpenFile(db, { classId: classes['3.3'], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });

    expect(await closeFile(ports(), referent, { fileId: f.fileId })).toMatchObject({ disposalYear: 2021 });
    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ state: 'closed', disposal_code: 'S', retention_years: 5, closed_by: 'user:referent' });

    await expect(reopenFile(ports(), vedouci, { fileId: f.fileId, reason: ' ' })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    now = new Date('2015-04-02T08:00:00Z');
    await reopenFile(ports(), vedouci, { fileId: f.fileId, reason: 'doplnění odvolání' });
    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ state: 'open', disposal_year: null });
    const reopen = await db('audit_log').where({ object_id: f.fileId, event_type: 'Otevreni' }).first();
    expect(reopen.details).toMatchObject({ reason: 'doplnění odvolání', closedBy: 'user:referent' });
    now = new Date('2016-02-01T08:00:00Z');
    expect(await closeFile(ports(), referent, { fileId: f.fileId })).toMatchObject({ disposalYear: 2022 });
    expect(await events('Spis', f.fileId)).toEqual(['Uzavreni', 'Otevreni', 'Uzavreni']);
  });
});

describe('cancellation (storno)', () => {
  it('lets only the creator cancel, and only before settlement', async () => {
    const f = await insertOpenFile(db, { classId: classes['3.2'], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await expect(cancelDocument(ports(), colleague, { documentId: f.documentId, reason: 'omyl' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await cancelDocument(ports(), referent, { documentId: f.documentId, reason: 'zaevidováno dvakrát' });
    expect(await db('documents').where({ id: f.documentId }).first()).toMatchObject({ state: 'cancelled', cancelled_by: 'user:referent' });
    expect(await db('journal').where({ document_id: f.documentId }).first()).toMatchObject({ state: 'cancelled' });
    expect(await events('Dokument', f.documentId)).toEqual(['Storno']);

    const g = await insertOpenFile(db, { classId: classes['3.2'], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: g.documentId, method: 'noted' });
    await expect(cancelDocument(ports(), referent, { documentId: g.documentId, reason: 'omyl' })).rejects.toMatchObject({ code: 'DOCUMENT_NOT_CANCELLABLE' });
  });

  it('lets the registry office cancel what the system registered by itself, and nobody else', async () => {
    const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
    const bySystem = await insertOpenFile(db, { classId: classes['3.2'], createdBy: 'system:portal', components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await expect(cancelDocument(ports(), referent, { documentId: bySystem.documentId, reason: 'podáno dvakrát' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await cancelDocument(ports(), podatelna, { documentId: bySystem.documentId, reason: 'podáno dvakrát' });
    expect(await db('documents').where({ id: bySystem.documentId }).first()).toMatchObject({ state: 'cancelled', cancelled_by: 'user:podatelna' });
    // a clerk's own document stays the clerk's to cancel
    const byClerk = await insertOpenFile(db, { classId: classes['3.2'], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await expect(cancelDocument(ports(), podatelna, { documentId: byClerk.documentId, reason: 'omyl' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('records centre and disposal', () => {
  async function closedFile(classCode: string) {
    const f = await insertOpenFile(db, { classId: classes[classCode], components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
    await closeFile(ports(), referent, { fileId: f.fileId });
    return f;
  }

  it('hands over all files or none, and only the records centre may take them', async () => {
    const closed = await closedFile('3.3');
    const open = await insertOpenFile(db, { classId: classes['3.3'], components: [] });
    await expect(handOverFiles(ports(), referent, { fileIds: [closed.fileId] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(handOverFiles(ports(), spisovna, { fileIds: [closed.fileId, open.fileId] })).rejects.toMatchObject({ code: 'FILE_NOT_CLOSED' });
    expect(await db('files').where({ id: closed.fileId }).first()).toMatchObject({ state: 'closed' });
    await handOverFiles(ports(), spisovna, { fileIds: [closed.fileId] });
    expect(await db('files').where({ id: closed.fileId }).first()).toMatchObject({ state: 'in-records-centre' });
  });

  it('carries out none of a decision that names an unknown file or one outside the procedure', async () => {
    const f = await closedFile('3.3');
    await handOverFiles(ports(), spisovna, { fileIds: [f.fileId] });
    now = new Date('2021-01-04T08:00:00Z');
    await createDisposalProposal(ports(), spisovna);
    const before = await logCount();

    const unknown = archiveDecisionXml({ entities: [{ identifier: f.fileId, operation: 'zničit' }, { identifier: 'MMKV/404/2015', operation: 'zničit' }] });
    await expect(importArchiveDecision(ports(), spisovna, { xml: unknown, outDir })).rejects.toMatchObject({ code: 'DECISION_UNKNOWN_ENTITY' });
    const wrongOffice = archiveDecisionXml({ originatorId: '11111111', entities: [{ identifier: f.fileId, operation: 'zničit' }] });
    await expect(importArchiveDecision(ports(), spisovna, { xml: wrongOffice, outDir })).rejects.toMatchObject({ code: 'DECISION_WRONG_ORIGINATOR' });
    const confirmTooEarly = archiveDecisionXml({ entities: [{ identifier: f.fileId, archiveIdentifier: 'NDA-1' }] });
    await expect(importArchiveDecision(ports(), spisovna, { xml: confirmTooEarly, outDir })).rejects.toMatchObject({ code: 'DECISION_STATE' });
    // what the parser reads but the official schema refuses: an attribute nsesss-DA.xsd does not have, an ID that is not an xs:ID
    const destroy = archiveDecisionXml({ entities: [{ identifier: f.fileId, operation: 'zničit' }] });
    for (const notValid of [destroy.replace('<Seznam ', '<Seznam poznamka="x" '), destroy.replace('ID="SR-2026-17"', 'ID="SR 2026 17"')]) {
      await expect(importArchiveDecision(ports(), spisovna, { xml: notValid, outDir })).rejects.toMatchObject({ code: 'DECISION_INVALID', message: /nsesss-DA\.xsd/ });
    }
    await expect(importArchiveDecision(ports(), referent, { xml: unknown, outDir })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ state: 'in-disposal' });
    expect((await db('components').where({ id: f.componentIds[0] }).first()).blob_sha256).not.toBeNull();
    expect(await logCount()).toBe(before);
    expect(Number((await db('archive_lists').count<{ n: string }[]>({ n: '*' }))[0].n)).toBe(0);
    expect(await readdir(outDir)).toEqual([]);
  });

  it('proposes nothing when no retention has run out', async () => {
    now = new Date('2015-06-01T08:00:00Z');
    await expect(createDisposalProposal(ports(), spisovna)).rejects.toMatchObject({ code: 'PROPOSAL_EMPTY' });
  });
});
