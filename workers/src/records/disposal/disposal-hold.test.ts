import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { testConfig } from '../../testing/fixtures';
import type { Actor } from '../records.model';
import { archiveDecisionXml } from './archive-decision.fixture';
import { closeFile } from './close-file';
import { createDisposalProposal } from './disposal-proposal';
import { insertOpenFile, PDFA, seedRecordsBasics } from './disposal.fixture';
import { setDisposalHold } from './disposal-hold';
import { handOverFiles } from './hand-over-files';
import { importArchiveDecision } from './import-archive-decision';
import { listCentreFiles, listProposalFiles } from './records-centre.repository';
import { settleRecordDocument } from './settle-record-document';
import { downloadProposalSips } from './sip-download';

const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };

describe('disposal hold (pozastavení skartační operace)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let now = new Date('2015-04-01T08:00:00Z');
  const ports = () => ({ db, clock: () => now, config: testConfig() });
  const files: Awaited<ReturnType<typeof insertOpenFile>>[] = [];

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const { classIds } = await seedRecordsBasics(db);
    for (let i = 0; i < 2; i++) {
      const f = await insertOpenFile(db, { classId: classIds['3.3'], components: [{ name: 'podani.pdf', type: 'application/pdf', content: PDFA }] });
      await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
      await closeFile(ports(), referent, { fileId: f.fileId });
      files.push(f);
    }
    await handOverFiles(ports(), spisovna, { fileIds: files.map((f) => f.fileId), storageUnit: 'K-12' });
  }, 180_000);
  afterAll(() => close());

  it('a held file stays out of the disposal proposal; placing and lifting the hold are logged with the reason', async () => {
    // given
    now = new Date('2021-02-01T08:00:00Z');
    const [held, free] = files;
    expect(await setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: 'Soudní spor 12 C 34/2020' })).toMatchObject({ changed: true });
    expect(await setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: 'znovu' })).toMatchObject({ changed: false });

    // when
    const proposal = await createDisposalProposal(ports(), spisovna);

    // then
    expect(proposal.fileReferences).toEqual([free.fileReference]);
    expect((await listProposalFiles(db, proposal.proposalId)).map((f) => [f.file_reference, f.documents, f.disposal_code])).toEqual([[free.fileReference, 1, 'S']]);
    const row = await db('files').where({ id: held.fileId }).first();
    expect(row).toMatchObject({ state: 'in-records-centre', disposal_hold: true, disposal_hold_reason: 'Soudní spor 12 C 34/2020', disposal_hold_by: 'user:spisovna' });
    const heldList = await listCentreFiles(db, { state: 'in-records-centre', held: true, page: 1, pageSize: 10 });
    expect(heldList.rows.map((r) => r.file_reference)).toEqual([held.fileReference]);
    const log = await db('audit_log').where({ object_id: held.fileId }).whereIn('event_type', ['PozastaveniSkartacniOperace', 'ZruseniPozastaveniSkartacniOperace']).orderBy('id');
    expect(log.map((r) => [r.event_type, (typeof r.details === 'string' ? JSON.parse(r.details) : r.details).reason])).toEqual([['PozastaveniSkartacniOperace', 'Soudní spor 12 C 34/2020']]);

    // the SIP download of the proposal holds the free file's package only, and the exports are logged
    const sips = await downloadProposalSips(ports(), spisovna, { proposalId: proposal.proposalId });
    expect(sips.fileName).toBe(`${proposal.identifier}-SIP.zip`);
    const names = Object.keys(unzipSync(sips.content));
    expect(names).toHaveLength(1);
    expect(names[0]).toContain(free.fileReference.replace(/\//g, '_'));
    expect(await db('audit_log').where({ object_id: free.fileId, event_type: 'Export' }).pluck('actor')).toEqual(['user:spisovna']);
    expect(await db('disposal_proposals').where({ id: proposal.proposalId }).first()).toMatchObject({ state: 'exported' });

    // lifting the hold puts the file into the next proposal
    expect(await setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: false })).toMatchObject({ changed: true });
    expect((await createDisposalProposal(ports(), spisovna)).fileReferences).toEqual([held.fileReference]);
  });

  it('refuses without a reason, an unknown file and anybody but the records centre', async () => {
    const [held] = files; // now in the disposal procedure
    await expect(setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: '  ' })).rejects.toMatchObject({ code: 'HOLD_REASON_REQUIRED' });
    await expect(setDisposalHold(ports(), spisovna, { fileId: '00000000-0000-4000-8000-000000000000', hold: true, reason: 'spor' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(setDisposalHold(ports(), referent, { fileId: held.fileId, hold: true, reason: 'spor' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-disposal', disposal_hold: false });
  });

  it('a file in an exported proposal can still be held: it leaves the proposal (logged, with the reason) and the archive\'s decision is not carried out on it', async () => {
    // given: both files in the disposal procedure, the second proposal's package exported to the archive
    const [held, free] = files;
    const proposal = await db('disposal_proposals').join('disposal_proposal_files as pf', 'pf.proposal_id', 'disposal_proposals.id')
      .where('pf.file_id', held.fileId).first('disposal_proposals.id', 'disposal_proposals.identifier');
    await downloadProposalSips(ports(), spisovna, { proposalId: proposal.id });

    // when: a court asks to keep the file
    now = new Date('2021-03-01T08:00:00Z');
    const r = await setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: 'Žádost soudu 7 C 12/2021' });

    // then: it is back in the records centre, held, and listed on the proposal as withdrawn
    expect(r).toMatchObject({ changed: true, withdrawnFromProposal: true });
    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-records-centre', disposal_hold: true, disposal_hold_reason: 'Žádost soudu 7 C 12/2021' });
    const rows = await listProposalFiles(db, proposal.id);
    expect(rows.map((f) => [f.file_reference, f.withdrawn_by, f.withdrawn_reason])).toEqual([[held.fileReference, 'user:spisovna', 'Žádost soudu 7 C 12/2021']]);
    const log = await db('audit_log').where({ object_id: held.fileId }).andWhere('id', '>', (await db('audit_log').where({ object_id: held.fileId, event_type: 'Export' }).max({ m: 'id' }))[0].m).orderBy('id');
    expect(log.map((e) => [e.event_type, (typeof e.details === 'string' ? JSON.parse(e.details) : e.details)])).toEqual([
      ['VyjmutiZeSkartacnihoNavrhu', { fileReference: held.fileReference, proposal: proposal.identifier, reason: 'Žádost soudu 7 C 12/2021' }],
      ['PozastaveniSkartacniOperace', { fileReference: held.fileReference, reason: 'Žádost soudu 7 C 12/2021' }],
    ]);
    // the proposal is exported again without it
    const again = await downloadProposalSips(ports(), spisovna, { proposalId: proposal.id });
    expect(Object.keys(unzipSync(again.content))).toEqual([]);

    // when the archive's decision comes: destroy both
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'openspis-hold-decision-'));
    const first = archiveDecisionXml({ listId: 'SR-2021-1', entities: [{ identifier: held.fileId, operation: 'zničit' }] });
    const result = await importArchiveDecision(ports(), spisovna, { xml: first, outDir });

    // then: the held file is not destroyed; its components keep their content; the decision is logged on it
    expect(result.outcomes).toEqual([{ fileReference: held.fileReference, action: 'held' }]);
    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-records-centre', disposed_at: null });
    const components = await db('components').join('documents', 'documents.id', 'components.document_id').where('documents.file_id', held.fileId).select('components.*');
    expect(components.length).toBeGreaterThan(0);
    expect(components.every((c) => c.blob_sha256 && !c.destroyed_at)).toBe(true);
    const notCarriedOut = await db('audit_log').where({ object_id: held.fileId, event_type: 'Uprava' }).orderBy('id', 'desc').first();
    expect(typeof notCarriedOut.details === 'string' ? JSON.parse(notCarriedOut.details) : notCarriedOut.details).toMatchObject({ operation: 'zničit', notCarriedOut: 'disposal-hold' });
    expect(await db('audit_log').where({ object_id: held.fileId, event_type: 'Zniceni' })).toEqual([]);

    // lifting the hold does not revive the old proposal: the archive's old list leaves the file alone
    await setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: false, reason: 'Spor skončil' });
    const late = archiveDecisionXml({ listId: 'SR-2021-2', entities: [{ identifier: held.fileId, operation: 'zničit' }, { identifier: free.fileId, operation: 'zničit' }] });
    const lateResult = await importArchiveDecision(ports(), spisovna, { xml: late, outDir });
    expect(lateResult.outcomes).toEqual([{ fileReference: held.fileReference, action: 'withdrawn' }, { fileReference: free.fileReference, action: 'destroyed' }]);
    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-records-centre' });
    expect(await db('files').where({ id: free.fileId }).first()).toMatchObject({ state: 'destroyed' });
    await fs.rm(outDir, { recursive: true, force: true });
  });

  it('refuses a hold on a file already destroyed', async () => {
    const [, destroyed] = files;
    await expect(setDisposalHold(ports(), spisovna, { fileId: destroyed.fileId, hold: true, reason: 'pozdě' })).rejects.toMatchObject({ code: 'HOLD_STATE' });
  });

  it('npm run cli -- files hold / files release', async () => {
    const f = await insertOpenFile(db, { classId: (await db('file_classes').where({ class_code: '3.3' }).first()).id, components: [] });
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config: testConfig(), clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runCli(COMMANDS, ['files', 'hold', f.fileReference, 'kontrola', 'NKÚ'], ctx)).toBe(0);
    expect(out.pop()).toBe(`${f.fileReference}\theld`);
    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ disposal_hold: true, disposal_hold_reason: 'kontrola NKÚ' });
    expect(await runCli(COMMANDS, ['files', 'release', f.fileReference], ctx)).toBe(0);
    expect(out.pop()).toBe(`${f.fileReference}\treleased`);
    expect(await runCli(COMMANDS, ['files', 'hold', f.fileReference], ctx)).toBe(2);
    expect(await runCli(COMMANDS, ['files', 'hold', 'MMKV/0/1999', 'x'], ctx)).toBe(1);
    expect(err.pop()).toMatch(/^FILE_NOT_FOUND/);
  });
});
