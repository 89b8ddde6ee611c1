import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, verifyAuditLog } from '@openspis/db';
import { findOrCreateParty, partyDisplayName, readWorkersConfig, registerRecord, type PartyInput } from '@openspis/workers';

/**
 * Two app processes share one PostgreSQL database; each has its own pool and batches its own
 * registrations. A new sender brought by both at the same moment must still be recorded once.
 * Two database handles on one database need a server: PGlite is one in-process database that a
 * second handle cannot open, so this file runs with the PostgreSQL tests of `npm run test:system`
 * (which `.ci/run` runs with DATABASE_URL) and refuses to run without one.
 */
const DATABASE_URL = process.env.DATABASE_URL ?? '';
const ROUNDS = 30;
const PER_HANDLE = 3;

const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const config = readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-workers-test' });
const now = new Date('2026-11-30T09:00:00Z');

/** A sender no one has recorded yet, identified in turn by IČO, data box and e-mail + name. */
function newSender(round: number, tag: string): PartyInput {
  const n = String(round).padStart(3, '0');
  if (round % 3 === 0) return { kind: 'organisation', organisationName: `Stavby ${tag} ${n} s.r.o.`, companyId: `${tag.slice(0, 5)}${n}` };
  if (round % 3 === 1) return { kind: 'organisation', organisationName: `Spolek ${tag} ${n}`, dataBoxId: `d${tag.slice(0, 3)}${n}` };
  return { kind: 'person', givenName: 'Jana', familyName: `Nová ${tag} ${n}`, email: `Jana.${tag}.${n}@example.cz` };
}

describe('a new sender registered by two processes at the same moment', () => {
  let schema: string;
  let admin: Knex;
  let one: Knex;
  let two: Knex;

  beforeAll(async () => {
    if (!DATABASE_URL) throw new Error('this test needs PostgreSQL: set DATABASE_URL (two database handles cannot share one PGlite)');
    schema = `sys_${randomBytes(5).toString('hex')}`;
    admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`create schema ${schema}`);
    // two pools, as two app processes have
    one = knexFactory({ client: 'pg', connection: DATABASE_URL, searchPath: [schema], pool: { min: 0, max: 4 } });
    two = knexFactory({ client: 'pg', connection: DATABASE_URL, searchPath: [schema], pool: { min: 0, max: 4 } });
    await migrate(one);
  });
  afterAll(async () => {
    await one?.destroy();
    await two?.destroy();
    await admin?.raw(`drop schema if exists ${schema} cascade`);
    await admin?.destroy();
  });

  const livePartiesLike = async (db: Knex, tag: string) =>
    db('parties').whereNull('merged_into').andWhere((w) => w.where('display_name', 'like', `%${tag}%`)).select('id', 'display_name');

  it('registering documents: the sender is recorded once and every document points at it', async () => {
    const tag = randomBytes(4).toString('hex');
    const split: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sender = newSender(round, tag);
      // given two processes, each registering several documents of the same new sender at once
      const register = (db: Knex, k: number) => registerRecord({ db, clock: () => now, config }, podatelna, {
        direction: 'incoming', subject: `Podání ${round}/${k}`, channel: 'email', sender,
      });
      const results = await Promise.all([one, two].flatMap((db) => Array.from({ length: PER_HANDLE }, (_, k) => register(db, k))));

      // then all the documents name one party
      const senders = await one('documents').whereIn('id', results.map((r) => r.documentId)).pluck('sender_party_id');
      if (new Set(senders).size !== 1) split.push(`round ${round}: ${new Set(senders).size} parties for ${partyDisplayName(sender)}`);
    }
    expect(split).toEqual([]);
    // and the register has one party per sender
    expect(await livePartiesLike(one, tag)).toHaveLength(ROUNDS);
    expect(await one('journal').whereIn('sender_party_id', one('parties').whereNotNull('merged_into').select('id'))).toEqual([]);
    expect(await verifyAuditLog(one)).toMatchObject({ ok: true });
  });

  it('recording a party by hand (findOrCreateParty): one party, and the second caller gets it', async () => {
    const tag = randomBytes(4).toString('hex');
    const split: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sender = newSender(round, tag);
      const found = await Promise.all([one, two].map((db) => db.transaction((trx) => findOrCreateParty(trx, podatelna, sender, now))));
      if (found[0].party.id !== found[1].party.id || found.filter((f) => f.created).length !== 1) split.push(`round ${round}: ${partyDisplayName(sender)}`);
    }
    expect(split).toEqual([]);
    expect(await livePartiesLike(one, tag)).toHaveLength(ROUNDS);
    expect(await verifyAuditLog(one)).toMatchObject({ ok: true });
  });

  it('a party recorded by hand in one process while another registers a document of it: one party, both succeed', async () => {
    const tag = randomBytes(4).toString('hex');
    const split: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sender = newSender(round, tag);
      const [byHand, registered] = await Promise.all([
        one.transaction((trx) => findOrCreateParty(trx, podatelna, sender, now)),
        registerRecord({ db: two, clock: () => now, config }, podatelna, { direction: 'incoming', subject: `Podání ${round}`, channel: 'email', sender }),
      ]);
      const [senderId] = await one('documents').where({ id: registered.documentId }).pluck('sender_party_id');
      if (senderId !== byHand.party.id) split.push(`round ${round}: ${partyDisplayName(sender)}`);
    }
    expect(split).toEqual([]);
    expect(await livePartiesLike(one, tag)).toHaveLength(ROUNDS);
    expect(await verifyAuditLog(one)).toMatchObject({ ok: true });
  });
});
