import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { testConfig } from '../../testing/fixtures';
import type { Actor } from '../records.model';
import { closeFile } from './close-file';
import { createDisposalProposal } from './disposal-proposal';
import { insertOpenFile, PDFA, seedRecordsBasics } from './disposal.fixture';
import { setDisposalHold } from './disposal-hold';
import { handOverFiles } from './hand-over-files';
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

  it('refuses without a reason, for a file already in the procedure, an unknown file and anybody but the records centre', async () => {
    const [held] = files; // now in the disposal procedure
    await expect(setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: '  ' })).rejects.toMatchObject({ code: 'HOLD_REASON_REQUIRED' });
    await expect(setDisposalHold(ports(), spisovna, { fileId: held.fileId, hold: true, reason: 'spor' })).rejects.toMatchObject({ code: 'HOLD_STATE' });
    await expect(setDisposalHold(ports(), spisovna, { fileId: '00000000-0000-4000-8000-000000000000', hold: true, reason: 'spor' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(setDisposalHold(ports(), referent, { fileId: held.fileId, hold: true, reason: 'spor' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
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
