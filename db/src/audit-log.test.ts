import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, tamperWithAuditLog } from './testing';
import { createHash } from 'node:crypto';
import { appendAuditLog, appendAuditLogBatch, auditHash, auditHashSuffix, deferAuditLog, takeDeferredAuditLog, verifyAuditLog } from './audit-log';
import type { Db } from './connection';

describe('transaction log', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  it('chains every entry to the one before it', async () => {
    // given two operations logged in their own transactions
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'system:test', eventType: 'Zalozeni', objectType: 'Dokument', objectId: 'A' }));
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'system:test', eventType: 'Uprava', objectType: 'Dokument', objectId: 'A' }));
    // then each row's hash covers its content and the previous hash
    const rows = await db('audit_log').orderBy('id');
    expect(rows).toHaveLength(2);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    const recomputed = auditHash(rows[1].prev_hash, {
      occurred_at: new Date(rows[1].occurred_at).toISOString(),
      actor: rows[1].actor, event_type: rows[1].event_type, object_type: rows[1].object_type,
      object_id: rows[1].object_id, details: rows[1].details,
    });
    expect(recomputed).toBe(rows[1].hash);
  });

  it('writes nothing when the surrounding transaction rolls back', async () => {
    const before = await db('audit_log').count<{ count: string }[]>('* as count');
    await expect(db.transaction(async (trx) => {
      await appendAuditLog(trx, { actor: 'system:test', eventType: 'Zalozeni', objectType: 'Spis', objectId: 'B' });
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const after = await db('audit_log').count<{ count: string }[]>('* as count');
    expect(Number(after[0].count)).toBe(Number(before[0].count));
  });
  it('is append-only in the database: UPDATE, DELETE and TRUNCATE fail and change nothing', async () => {
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'system:test', eventType: 'Zalozeni', objectType: 'Spis', objectId: 'GUARDED' }));
    const row = await db('audit_log').where({ object_id: 'GUARDED' }).first();
    await expect(db('audit_log').where({ id: row.id }).update({ actor: 'user:nobody' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db('audit_log').where({ id: row.id }).delete()).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.raw('truncate audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await db('audit_log').where({ id: row.id }).first()).toEqual(row);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('detects a deleted entry by the broken link of the next one', async () => {
    // given a third entry after the two above
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'system:test', eventType: 'Zalozeni', objectType: 'Spis', objectId: 'C' }));
    expect((await verifyAuditLog(db)).ok).toBe(true);
    const rows = await db('audit_log').orderBy('id');
    // when the middle one is deleted
    await tamperWithAuditLog(db, (trx) => trx('audit_log').where({ id: rows[1].id }).delete());
    // then
    expect((await verifyAuditLog(db)).firstBroken).toMatchObject({ id: String(rows[2].id), reason: 'chain-broken' });
  });
});

describe('verifyAuditLog', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  const log = (objectId: string) =>
    db.transaction((trx) => appendAuditLog(trx, { actor: 'user:referent', eventType: 'Uprava', objectType: 'Dokument', objectId, details: { field: 'subject' } }));

  it('accepts an untouched chain and names the first edited row', async () => {
    // given
    for (const id of ['D1', 'D2', 'D3', 'D4']) await log(id);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, checked: 4 });
    const rows = await db('audit_log').orderBy('id');

    // when someone edits the third entry's object and, to hide it, also the fourth's details
    await tamperWithAuditLog(db, async (trx) => {
      await trx('audit_log').where({ id: rows[2].id }).update({ object_id: 'FORGED' });
      await trx('audit_log').where({ id: rows[3].id }).update({ details: JSON.stringify({ field: 'x' }) });
    });

    // then
    const result = await verifyAuditLog(db, { batchSize: 2 });
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ id: String(rows[2].id), reason: 'content-altered' });
    expect(result.checked).toBe(2);
  });
});

describe('batched and deferred log entries', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  it('a batch keeps its order on the chain', async () => {
    // when three entries are appended in one batch after a single one
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'system:test', eventType: 'Zalozeni', objectType: 'Spis', objectId: 'S1' }));
    await db.transaction((trx) => appendAuditLogBatch(trx, ['D1', 'D2', 'D3'].map((objectId) => ({ actor: 'system:test', eventType: 'Zalozeni', objectType: 'Dokument', objectId, details: { list: [1, 2] } }))));
    // then they follow in order and the chain verifies
    expect(await db('audit_log').orderBy('id').pluck('object_id')).toEqual(['S1', 'D1', 'D2', 'D3']);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, checked: 4 });
  });

  it('a deferred transaction collects its entries until they are taken, and rejects an incomplete one at once', async () => {
    const written = await db.transaction(async (trx) => {
      deferAuditLog(trx);
      await appendAuditLog(trx, { actor: 'system:test', eventType: 'Uprava', objectType: 'Dokument', objectId: 'D1' });
      await expect(appendAuditLog(trx, { actor: 'system:test', eventType: '', objectType: 'Dokument', objectId: 'D1' })).rejects.toThrow(RangeError);
      const inTable = await trx('audit_log').where({ event_type: 'Uprava' }).count<{ count: string }[]>('* as count');
      const taken = takeDeferredAuditLog(trx);
      await appendAuditLogBatch(trx, taken);
      return { inTable: Number(inTable[0].count), taken };
    });
    expect(written.inTable).toBe(0);
    expect(written.taken).toMatchObject([{ eventType: 'Uprava', objectId: 'D1' }]);
    expect(await db('audit_log').where({ event_type: 'Uprava' }).pluck('object_id')).toEqual(['D1']);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });
});

describe('auditHashSuffix', () => {
  it('is the hashed text after the previous hash, so the database can link a row to the head it reads', () => {
    const row = { occurred_at: '2026-11-30T09:00:00.000Z', actor: 'user:referentka', event_type: 'Zalozeni', object_type: 'Dokument', object_id: 'D1', details: { z: 'Žádost "o" kácení\n', a: [1, { y: 2, b: null }] } };
    const prev = createHash('sha256').update('x').digest('hex');
    expect(createHash('sha256').update(`["${prev}",${auditHashSuffix(row)}`).digest('hex')).toBe(auditHash(prev, row));
  });
});
