import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, migrate, verifyAuditLog, type Db } from '@openspis/db';
import { testConfig } from '../../testing/fixtures';
import { registerRecord } from '../files/register-record.service';
import type { Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { findOrCreateParty, isPartyIdentityConflict, mergeParties, newParty, type PartyInput } from './parties.service';

const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const MIGRATION = '20261204000000_add_unique_live_party_identifiers';

// one live party per strong identifier, kept by the database (migration 20261204000000)
describe('one live party per identifier', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  const now = new Date('2026-11-30T09:00:00Z');
  const earlier = new Date('2026-11-01T09:00:00Z');
  const insertParty = (p: PartyInput, at: Date, extra: Record<string, unknown> = {}) => {
    const { row } = newParty(podatelna, p, at);
    return db('parties').insert({ ...row, ...extra }).returning('id').then(([r]) => String(r.id));
  };
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    ports = { db, clock: () => now, config: testConfig() };
  });
  afterAll(() => close());

  it('the migration merges live duplicates left behind into the earliest, logged, and then the database refuses new ones', async () => {
    // given a register from before the migration, with duplicates a race between processes left behind
    await db.raw('drop index parties_live_company_id, parties_live_data_box_id, parties_live_email_name');
    await db('knex_migrations').where({ name: MIGRATION }).delete();
    const company: PartyInput = { kind: 'organisation', organisationName: 'Lázně a.s.', companyId: '45678901' };
    const box: PartyInput = { kind: 'authority', organisationName: 'Krajský úřad', dataBoxId: 'kvk4abc' };
    const person: PartyInput = { kind: 'person', givenName: 'Olga', familyName: 'Veselá', email: 'olga@example.cz' };
    const registered = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost', channel: 'email', sender: company, addressee: person });
    const [later] = await db('documents').where({ id: registered.documentId }).pluck('sender_party_id');
    const [laterPerson] = await db('documents').where({ id: registered.documentId }).pluck('addressee_party_id');
    const first = await insertParty(company, earlier);
    const alreadyMerged = await insertParty(company, earlier, { merged_into: first });
    const boxes = [await insertParty(box, earlier), await insertParty(box, now, { phone: '+420 353 111 111' })];
    const firstPerson = await insertParty(person, earlier);
    // the same e-mail under another name, and no identifier at all: other parties, left alone
    const namesake = await insertParty({ ...person, familyName: 'Veselá-Nová' }, earlier);
    const anonymous = [await insertParty({ kind: 'person', familyName: 'Bez' }, now), await insertParty({ kind: 'person', familyName: 'Bez' }, now)];

    // when the migration runs
    await migrate(db);

    // then each duplicate is merged into the earliest party with its identifier, documents and journal follow
    const merged = Object.fromEntries((await db('parties').whereIn('id', [later, laterPerson, alreadyMerged, boxes[1], namesake, ...anonymous]).select('id', 'merged_into')).map((r) => [r.id, r.merged_into]));
    expect(merged).toEqual({ [later]: first, [laterPerson]: firstPerson, [alreadyMerged]: first, [boxes[1]]: boxes[0], [namesake]: null, [anonymous[0]]: null, [anonymous[1]]: null });
    expect(await db('documents').where({ id: registered.documentId }).first()).toMatchObject({ sender_party_id: first, addressee_party_id: firstPerson });
    expect(await db('journal').where({ document_id: registered.documentId }).first()).toMatchObject({ sender_party_id: first, addressee_party_id: firstPerson });
    expect(await db('parties').where({ id: boxes[0] }).first()).toMatchObject({ phone: '+420 353 111 111' });
    const log = await db('audit_log').where({ actor: 'system:migration', object_type: 'Subjekt' }).orderBy('id').select('event_type', 'object_id');
    expect(log).toEqual(expect.arrayContaining([{ event_type: 'Zruseni', object_id: later }, { event_type: 'Uprava', object_id: first }, { event_type: 'Zruseni', object_id: boxes[1] }]));
    expect(log).toHaveLength(6);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });

    // and a second live party with an identifier in use is refused, with an error the registration recognises
    const refused = await insertParty(company, now).then(() => null, (err: unknown) => err);
    expect(isPartyIdentityConflict(refused)).toBe(true);
    expect(isPartyIdentityConflict(await insertParty({ ...box, organisationName: 'Jiný název' }, now).catch((err: unknown) => err))).toBe(true);
    expect(isPartyIdentityConflict(await insertParty({ ...person, email: 'olga@example.cz' }, now).catch((err: unknown) => err))).toBe(true);
    // a merged party may share its identifier with the one it was merged into
    expect(await insertParty(company, now, { merged_into: first })).toBeTruthy();
  });

  it('findOrCreateParty finds a party recorded under its identifier, and records a new one once', async () => {
    const sender: PartyInput = { kind: 'person', givenName: 'Karel', familyName: 'Dvořák', email: 'Karel.Dvorak@example.cz' };
    const created = await db.transaction((trx) => findOrCreateParty(trx, podatelna, sender, now));
    const again = await db.transaction((trx) => findOrCreateParty(trx, podatelna, { ...sender, email: 'karel.dvorak@example.cz', phone: randomUUID() }, now));
    expect([created.created, again.created, again.party.id]).toEqual([true, false, created.party.id]);
  });
  it('refuses, with its own code and nothing changed, a merge that would give the kept party a third live party\'s identifier', async () => {
    const kept = await insertParty({ kind: 'person', givenName: 'Marie', familyName: 'Dvořáková' }, earlier);
    const duplicate = await insertParty({ kind: 'person', givenName: 'M.', familyName: 'Dvořáková', email: 'marie@example.cz' }, earlier);
    const third = await insertParty({ kind: 'person', givenName: 'Marie', familyName: 'Dvořáková', email: 'marie@example.cz' }, earlier);
    const logBefore = await db('audit_log').count<{ n: string }[]>({ n: '*' });

    await expect(mergeParties(db, podatelna, { keepId: kept, duplicateId: duplicate }, now)).rejects.toMatchObject({ code: 'PARTY_MERGE_CONFLICT' });

    expect(await db('parties').whereIn('id', [kept, duplicate, third]).orderBy('created_at').select('email', 'merged_into'))
      .toEqual(expect.arrayContaining([{ email: null, merged_into: null }, { email: 'marie@example.cz', merged_into: null }]));
    expect((await db('parties').where({ id: duplicate }).first()).merged_into).toBeNull();
    expect(await db('audit_log').count<{ n: string }[]>({ n: '*' })).toEqual(logBefore);
  });
});
