import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import type { Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { registerRecord, type RegisterRecordInput } from './register-record.service';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };

// registrations arriving together are numbered and logged together (group commit)
describe('registering many documents at once', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  const now = new Date('2026-11-30T09:00:00Z');
  const lastSeq = async () => Number((await db('journal_counters').where({ office: 'MMKV', year: 2026 }).first())?.last_seq ?? 0);
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    ports = { db, clock: () => now, config: testConfig() };
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2026), { at: now }));
  });
  afterAll(() => close());

  it('a registration the database or a check refuses fails alone: the others get gap-free numbers on one unbroken log', async () => {
    const before = await lastSeq();
    const inputs: RegisterRecordInput[] = Array.from({ length: 14 }, (_, i) => ({
      direction: 'incoming', subject: `Podání ${i}`, channel: 'email', classCode: i % 2 ? '6.3' : '1.5', orgUnit: 'OSU',
      sender: { kind: 'person', givenName: 'Eva', familyName: `Malá ${i % 3}`, email: `eva${i % 3}@example.cz` },
      components: [{ fileName: 'podani.txt', mediaType: 'text/plain', content: Buffer.from(`podání ${i % 2}`) }],
    }));
    // a party kind the database's check constraint refuses, and a class that only groups others
    inputs[6] = { ...inputs[6], sender: { kind: 'robot' as 'person', givenName: 'R2', familyName: 'D2', email: 'r2@example.cz' } };
    inputs[9] = { ...inputs[9], classCode: '5' };

    const results = await Promise.allSettled(inputs.map((input) => registerRecord(ports, podatelna, input)));

    expect(results[6]).toMatchObject({ status: 'rejected', reason: { code: '23514' } });
    expect(results[9]).toMatchObject({ status: 'rejected', reason: { code: 'FILE_CLASS_NOT_LEAF' } });
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(done).toHaveLength(12);
    expect(done.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => before + 1 + i));
    expect(await lastSeq()).toBe(before + 12);
    for (const r of done) {
      const journal = await db('journal').where({ document_id: r.documentId }).first();
      expect([journal.reference_number, journal.jid, journal.seq]).toEqual([r.referenceNumber, r.jid, r.seq]);
      expect((await db('receipt_confirmations').where({ document_id: r.documentId }).first()).text).toContain(r.referenceNumber);
    }
    // three senders, each recorded once though several registrations brought them at the same time
    expect(Number((await db('parties').where('email', 'like', 'eva%').count({ n: '*' }).first())?.n)).toBe(3);
    expect(await db('parties').where({ email: 'r2@example.cz' })).toEqual([]);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('a new sender brought by registrations of consecutive batches is recorded once', async () => {
    // the first registration's batch starts at the end of this turn of the event loop; the second,
    // submitted in the next turn, waits for it and goes in the next batch
    const sender = { kind: 'person' as const, givenName: 'Petr', familyName: 'Nový', email: 'petr.novy@example.cz' };
    const register = (i: number) => registerRecord(ports, podatelna, { direction: 'incoming', subject: `Žádost ${i}`, channel: 'email', classCode: '1.5', orgUnit: 'OSU', sender });
    const firstDone = register(1);
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second] = await Promise.all([firstDone, register(2)]);
    const parties = await db('parties').where({ email: 'petr.novy@example.cz' });
    expect(parties).toHaveLength(1);
    const senders = await db('documents').whereIn('id', [first.documentId, second.documentId]).pluck('sender_party_id');
    expect(senders).toEqual([parties[0].id, parties[0].id]);
  });

  it('documents filed into one file together take consecutive orders', async () => {
    const file = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Spis', channel: 'post', classCode: '1.5', orgUnit: 'OSU' });
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      registerRecord(ports, podatelna, { direction: 'incoming', subject: `Doplnění ${i}`, channel: 'post', fileId: file.fileId })));
    expect(more.map((r) => r.orderInFile).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(new Set(more.map((r) => r.referenceNumber)).size).toBe(6);
    expect((await db('files').where({ id: file.fileId }).first()).last_order).toBe(7);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('a sender chosen from the register by its id is that party, even one without a strong identifier; an id the register lacks is refused alone', async () => {
    // given: a sender known only by name and address (nothing a new registration could match it by)
    const known = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Dopis', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'person', givenName: 'Alena', familyName: 'Bez Emailu', city: 'Cheb' } });
    const partyId = (await db('documents').where({ id: known.documentId }).first()).sender_party_id as string;
    const parties = async () => Number((await db('parties').count({ n: '*' }).first())?.n);
    const before = await parties();
    const seq = await lastSeq();

    // when: the same party by its id, an unknown id and a malformed one in the same batch
    const results = await Promise.allSettled([
      registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Druhý dopis', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'person', id: partyId } }),
      registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Neznámý', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'person', id: '00000000-0000-4000-8000-000000000000' } }),
      registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Pokažený', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'person', id: 'not-a-uuid' } }),
    ]);

    // then
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(results.slice(1).map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['PARTY_NOT_FOUND', 'PARTY_NOT_FOUND']);
    const second = (results[0] as PromiseFulfilledResult<{ documentId: string; seq: number }>).value;
    expect((await db('documents').where({ id: second.documentId }).first()).sender_party_id).toBe(partyId);
    expect((await db('journal').where({ document_id: second.documentId }).first()).sender).toBe('Alena Bez Emailu');
    expect(await parties()).toBe(before);
    expect(second.seq).toBe(seq + 1);
    expect(await lastSeq()).toBe(seq + 1);
  });
});
