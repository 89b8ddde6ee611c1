import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { testConfig } from '../../testing/fixtures';
import { closeFile } from '../disposal/close-file';
import { insertOpenFile, PDFA, seedRecordsBasics } from '../disposal/disposal.fixture';
import { settleRecordDocument } from '../disposal/settle-record-document';
import type { Actor } from '../records.model';
import { listDispatchQueue } from './dispatch-queue.repository';
import { recordDelivery } from './record-delivery';
import { recordDispatch } from './record-dispatch';

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

describe('dispatch and delivery of outgoing documents (vypravení, doručení)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let now = new Date('2015-04-10T08:00:00Z');
  const ports = () => ({ db, clock: () => now, config: testConfig() });
  let file: Awaited<ReturnType<typeof insertOpenFile>>;
  let answerId = '';
  let answers = 0;

  /** An outgoing answer in the file, made on 1 April 2015, with its journal row. */
  async function addAnswer(f: Awaited<ReturnType<typeof insertOpenFile>>): Promise<string> {
    const id = randomUUID();
    const at = new Date('2015-04-01T09:00:00Z');
    const jid = `MMKV${Math.floor(Math.random() * 1e8)}`;
    const n = (answers += 1);
    await db('documents').insert({ id, jid, file_id: f.fileId, direction: 'outgoing', subject: 'Odpověď', reference_number: `${f.fileReference}-${n + 1}`, state: 'created', form: 'analog', channel: 'post', created_by: 'user:referent', created_at: at, order_in_file: 2, org_unit: 'OD' });
    await db('journal').insert({ office: 'MMKV', year: 2015, seq: 5000 + n, reference_number: `${f.fileReference}-${n + 1}`, jid, document_id: id, file_id: f.fileId, direction: 'outgoing', received_at: at, subject: 'Odpověď', sender: 'Magistrát města Karlovy Vary', channel: 'post' });
    return id;
  }

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const { classIds } = await seedRecordsBasics(db);
    file = await insertOpenFile(db, { classId: classIds['3.3'], components: [{ name: 'podani.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: file.documentId, method: 'by-document' });
    answerId = await addAnswer(file);
  }, 180_000);
  afterAll(() => close());

  it('a file with an answer not yet dispatched cannot be closed; dispatch and delivery fill the journal and the log, then it can', async () => {
    await expect(closeFile(ports(), referent, { fileId: file.fileId })).rejects.toMatchObject({ code: 'FILE_INCOMPLETE' });

    // when: the registry office sends it by post on 2 April; it is delivered (deemed) on 14 April
    const sent = await recordDispatch(ports(), podatelna, { documentId: answerId, day: '2015-04-02', channel: 'post' });
    now = new Date('2015-04-20T08:00:00Z');
    const delivered = await recordDelivery(ports(), referent, { documentId: answerId, day: '2015-04-14', deemed: true });

    // then
    expect(sent.dispatchedAt.toISOString()).toBe('2015-04-02T12:00:00.000Z');
    expect(delivered.deliveredAt.toISOString()).toBe('2015-04-14T12:00:00.000Z');
    expect(await db('documents').where({ id: answerId }).first()).toMatchObject({ state: 'delivered', channel: 'post' });
    const journal = await db('journal').where({ document_id: answerId }).first();
    expect(new Date(journal.dispatched_at).toISOString()).toBe('2015-04-02T12:00:00.000Z');
    expect(new Date(journal.delivered_at).toISOString()).toBe('2015-04-14T12:00:00.000Z');
    const log = await db('audit_log').where({ object_id: answerId }).orderBy('id');
    expect(log.map((e) => [e.event_type, e.actor, details(e)])).toEqual([
      ['Vypraveno', 'user:podatelna', { jid: journal.jid, dispatchId: expect.any(String), addresseeParty: null, dispatchedAt: '2015-04-02T12:00:00.000Z', channel: 'post' }],
      ['Doruceno', 'user:referent', { jid: journal.jid, dispatchId: expect.any(String), addresseeParty: null, deliveredAt: '2015-04-14T12:00:00.000Z', deemed: true }],
    ]);
    expect(await closeFile(ports(), referent, { fileId: file.fileId })).toMatchObject({ disposalYear: 2021 });
  });

  it('refuses a second dispatch, delivery before dispatch or before the dispatch day, a day to come, an incoming document and a handler of another unit', async () => {
    const { classIds } = { classIds: { '3.3': (await db('file_classes').where({ class_code: '3.3' }).first()).id } };
    const other = await insertOpenFile(db, { classId: classIds['3.3'], components: [] });
    const answer = await addAnswer(other);
    await expect(recordDelivery(ports(), referent, { documentId: answer, day: '2015-04-14' })).rejects.toMatchObject({ code: 'DELIVERY_STATE' });
    await expect(recordDispatch(ports(), referent, { documentId: answer, day: '2015-04-21' })).rejects.toMatchObject({ code: 'DISPATCH_DATE_INVALID' });
    await expect(recordDispatch(ports(), referent, { documentId: answer, day: '2015-03-31' })).rejects.toMatchObject({ code: 'DISPATCH_DATE_INVALID' });
    await expect(recordDispatch(ports(), referent, { documentId: answer, day: '2015-02-30' })).rejects.toMatchObject({ code: 'DISPATCH_DATE_INVALID' });
    await expect(recordDispatch(ports(), referent, { documentId: other.documentId })).rejects.toMatchObject({ code: 'DISPATCH_NOT_OUTGOING' });
    await expect(recordDispatch(ports(), { username: 'cizi', roles: ['referent'], orgUnit: 'XX' }, { documentId: answer })).rejects.toMatchObject({ code: 'FILE_ACCESS_DENIED' });
    await expect(recordDispatch(ports(), { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' }, { documentId: answer })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await recordDispatch(ports(), referent, { documentId: answer, day: '2015-04-10', channel: 'data-box' });
    await expect(recordDispatch(ports(), referent, { documentId: answer })).rejects.toMatchObject({ code: 'DISPATCH_STATE' });
    await expect(recordDelivery(ports(), referent, { documentId: answer, day: '2015-04-09' })).rejects.toMatchObject({ code: 'DELIVERY_DATE_INVALID' });
    expect(await db('documents').where({ id: answer }).first()).toMatchObject({ state: 'dispatched', channel: 'data-box' });
    expect(await db('audit_log').where({ object_id: answer }).pluck('event_type')).toEqual(['Vypraveno']);
  });

  it('lists what waits for dispatch in every unit, the oldest first, page by page; then what waits for delivery; a closed file\'s answer is not offered', async () => {
    // given: three answers in a file of unit PG made on 1, 2 and 3 April, one answer in a closed file of PG
    const classId = (await db('file_classes').where({ class_code: '3.3' }).first()).id;
    const pg = await insertOpenFile(db, { classId, components: [] });
    const closed = await insertOpenFile(db, { classId, components: [] });
    await db('files').whereIn('id', [pg.fileId, closed.fileId]).update({ org_unit: 'PG' });
    const ids: string[] = [];
    for (const day of ['01', '02', '03']) {
      const id = await addAnswer(pg);
      await db('documents').where({ id }).update({ created_at: new Date(`2015-04-${day}T09:00:00Z`), channel: day === '02' ? 'email' : 'post' });
      ids.push(id);
    }
    await addAnswer(closed);
    await db('files').where({ id: closed.fileId }).update({ state: 'closed' });

    // when / then
    const first = await listDispatchQueue(db, { stage: 'to-dispatch', orgUnit: 'PG', page: 1, pageSize: 2 });
    const second = await listDispatchQueue(db, { stage: 'to-dispatch', orgUnit: 'PG', page: 2, pageSize: 2 });
    expect([first.rows.map((r) => r.document_id), first.hasNext]).toEqual([ids.slice(0, 2), true]);
    expect([second.rows.map((r) => r.document_id), second.hasNext]).toEqual([[ids[2]], false]);
    expect(first.rows[0]).toMatchObject({ org_unit: 'PG', file_reference: pg.fileReference, state: 'created', addressee: null });
    expect((await listDispatchQueue(db, { stage: 'to-dispatch', orgUnit: 'PG', channel: 'email', page: 1, pageSize: 10 })).rows.map((r) => r.document_id)).toEqual([ids[1]]);

    await recordDispatch(ports(), podatelna, { documentId: ids[1], day: '2015-04-10', channel: 'email' });
    expect((await listDispatchQueue(db, { stage: 'to-dispatch', orgUnit: 'PG', page: 1, pageSize: 10 })).rows.map((r) => r.document_id)).toEqual([ids[0], ids[2]]);
    expect((await listDispatchQueue(db, { stage: 'to-deliver', orgUnit: 'PG', page: 1, pageSize: 10 })).rows.map((r) => [r.document_id, r.channel])).toEqual([[ids[1], 'email']]);
    await recordDelivery(ports(), podatelna, { documentId: ids[1], day: '2015-04-10' });
    expect((await listDispatchQueue(db, { stage: 'to-deliver', orgUnit: 'PG', page: 1, pageSize: 10 })).rows).toEqual([]);
  });
});
