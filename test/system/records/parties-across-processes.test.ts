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

  /**
   * Runs `race` for a new sender in each of ROUNDS rounds; it answers how many parties the
   * processes ended up with for that sender. Then: one in every round, one live party per sender in
   * the register, and an unbroken transaction log.
   */
  async function everyRound(race: (sender: PartyInput, round: number) => Promise<number>): Promise<void> {
    const tag = randomBytes(4).toString('hex');
    const split: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sender = newSender(round, tag);
      const parties = await race(sender, round);
      if (parties !== 1) split.push(`round ${round}: ${parties} parties for ${partyDisplayName(sender)}`);
    }
    expect(split).toEqual([]);
    const live = await one('parties').whereNull('merged_into').andWhere('display_name', 'like', `%${tag}%`).pluck('id');
    expect(live).toHaveLength(ROUNDS);
    expect(await verifyAuditLog(one)).toMatchObject({ ok: true });
  }
  const register = (db: Knex, sender: PartyInput, subject: string) =>
    registerRecord({ db, clock: () => now, config }, podatelna, { direction: 'incoming', subject, channel: 'email', sender });
  const senderOf = async (documentIds: string[]) => one('documents').whereIn('id', documentIds).pluck('sender_party_id');

  it('registering documents: the sender is recorded once and every document points at it', async () => {
    await everyRound(async (sender, round) => {
      // two processes, each registering several documents of the same new sender at once
      const results = await Promise.all([one, two].flatMap((db) => Array.from({ length: PER_HANDLE }, (_, k) => register(db, sender, `Podání ${round}/${k}`))));
      return new Set(await senderOf(results.map((r) => r.documentId))).size;
    });
  });

  it('recording a party by hand (findOrCreateParty): one party, and the second caller gets it', async () => {
    await everyRound(async (sender) => {
      const found = await Promise.all([one, two].map((db) => db.transaction((trx) => findOrCreateParty(trx, podatelna, sender, now))));
      expect(found.filter((f) => f.created)).toHaveLength(1);
      return new Set(found.map((f) => f.party.id)).size;
    });
  });

  it('a party recorded by hand in one process while another registers a document of it: one party, both succeed', async () => {
    await everyRound(async (sender, round) => {
      const [byHand, registered] = await Promise.all([
        one.transaction((trx) => findOrCreateParty(trx, podatelna, sender, now)),
        register(two, sender, `Podání ${round}`),
      ]);
      return new Set([byHand.party.id, ...(await senderOf([registered.documentId]))]).size;
    });
  });
});
