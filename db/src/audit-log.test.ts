import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from './testing';
import { appendAuditLog, auditHash } from './audit-log';
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
});
