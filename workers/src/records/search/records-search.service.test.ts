import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import { registerRecord } from '../files/register-record.service';
import type { Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { indexedPart, searchJournal, type JournalSearch } from './records-search.service';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referentOsu: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };

describe('indexedPart', () => {
  it('gives the index the word most likely to be rare: one with a digit, else the longest (of a long one its middle)', () => {
    expect(indexedPart('odesilatel 10329')).toBe('10329');
    expect(indexedPart('zadost o povoleni')).toBe('vole');
    expect(indexedPart('c. 123')).toBe('123');
    expect(indexedPart('novakova')).toBe('vako');
    expect(indexedPart('hluk')).toBe('hluk');
    expect(indexedPart('cislo 2026001234')).toBe('2026001234');
    expect(indexedPart('ab')).toBeNull();
  });
});

describe('journal search on a real database', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  const subjects = ['Žádost o kácení dřevin', 'Stížnost na hluk', 'Žádost o rybářský lístek'];
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const now = new Date('2026-11-30T09:00:00Z');
    ports = { db, clock: () => now, config: testConfig() };
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2026), { at: now }));
    // 30 documents, one a day in November, alternately for OSU and ODP, three subjects, ten senders
    for (let i = 0; i < 30; i++) {
      await registerRecord(ports, podatelna, {
        direction: 'incoming', subject: `${subjects[i % 3]} č. ${100 + i}`, channel: 'post', classCode: i % 2 ? '6.3' : '1.5',
        orgUnit: i % 2 ? 'OSU' : 'ODP', receivedAt: new Date(Date.UTC(2026, 10, 1 + i, 8)),
        sender: { kind: 'person', givenName: 'Jana', familyName: `Nováková ${i % 10}` },
      });
    }
    // 15 July in Prague (summer time, UTC+2): just after midnight and just before the next one
    for (const receivedAt of [new Date('2026-07-14T22:30:00Z'), new Date('2026-07-15T21:30:00Z')]) {
      await registerRecord(ports, podatelna, {
        direction: 'incoming', subject: 'Letní podání', channel: 'post', classCode: '1.5', orgUnit: 'ODP', receivedAt,
        sender: { kind: 'person', givenName: 'Petr', familyName: 'Letní' },
      });
    }
  }, 180_000); // a file plan and 30 registrations: slow on a busy machine
  afterAll(() => close());

  const all = async (actor: Actor, s: JournalSearch, recentWindow?: number) => {
    const rows = [];
    for (let page = 1; ; page++) {
      const result = await searchJournal(db, actor, s, { page, pageSize: 4, recentWindow });
      rows.push(...result.rows);
      if (!result.hasNext) return rows.map((r) => r.subject);
    }
  };

  it('finds a phrase without accents anywhere in the subject or sender, newest first', async () => {
    const rows = await all(admin, { subject: 'o KACENI', sender: 'novakova 3' });
    // subjects 0, 3, 6 … carry "kácení"; senders 3 and 13 and 23 end with "Nováková 3"
    expect(rows).toEqual(['Žádost o kácení dřevin č. 103']);
    expect(await all(admin, { subject: 'č. 12' })).toEqual(Array.from({ length: 10 }, (_, k) => `${subjects[(29 - k) % 3]} č. ${129 - k}`));
  });

  it('gives the same pages whether the newest rows suffice or every match comes through the indexes', async () => {
    const searches: JournalSearch[] = [
      { subject: 'zadost' },
      { classCode: '6.3', state: 'registered' },
      { sender: 'jana novakova 1', from: '2026-11-05', to: '2026-11-25' },
      { subject: 'hluk', classCode: '1.5' },
      {},
    ];
    for (const s of searches) {
      const viaWindow = await all(admin, s);
      expect(await all(admin, s, 1)).toEqual(viaWindow);
      expect(viaWindow.length).toBeGreaterThan(0);
    }
    // the dates are inclusive days in Prague time
    expect(await all(admin, { from: '2026-11-05', to: '2026-11-06' })).toHaveLength(2);
  });

  it('shows a referent only the rows of their unit and of files shared with it', async () => {
    const own = await all(referentOsu, { subject: 'stiznost' }, 1);
    // complaints are documents 1, 4, 7 …; the odd ones belong to OSU
    expect(own).toEqual([125, 119, 113, 107, 101].map((n) => `Stížnost na hluk č. ${n}`));
    const other = await db('journal').where({ org_unit: 'ODP', subject: 'Stížnost na hluk č. 122' }).first();
    await db('file_shares').insert({ file_id: other.file_id, org_unit: 'OSU', shared_by: 'user:doprava' });
    const withShared = [125, 122, 119, 113, 107, 101].map((n) => `Stížnost na hluk č. ${n}`);
    expect(await all(referentOsu, { subject: 'stiznost' })).toEqual(withShared);
    expect(await all(referentOsu, { subject: 'stiznost' }, 1)).toEqual(withShared);
    // a row no unit handles (e.g. registered before units were assigned) is the registry office's, not a referent's
    const unassigned = await db('journal').where({ org_unit: 'ODP', subject: 'Stížnost na hluk č. 116' }).first();
    await db('journal').where({ document_id: unassigned.document_id }).update({ org_unit: null });
    expect(await all(referentOsu, { subject: 'stiznost' })).toEqual(withShared);
    expect(await all({ ...referentOsu, orgUnit: null }, { subject: 'stiznost' })).toEqual([]);
    expect(await all(podatelna, { subject: 'hluk č. 116' })).toEqual(['Stížnost na hluk č. 116']);
  });

  it('takes the days in Prague time in summer too', async () => {
    expect(await all(admin, { subject: 'letni podani', from: '2026-07-15', to: '2026-07-15' })).toHaveLength(2);
    expect(await all(admin, { subject: 'letni podani', to: '2026-07-14' })).toHaveLength(0);
    expect(await all(admin, { subject: 'letni podani', from: '2026-07-16' })).toHaveLength(0);
  });

  it('refuses a date that is not YYYY-MM-DD', async () => {
    await expect(searchJournal(db, admin, { from: '1.11.2026' })).rejects.toMatchObject({ code: 'SEARCH_INVALID' });
    await expect(searchJournal(db, admin, { to: '2026-02-30' })).rejects.toMatchObject({ code: 'SEARCH_INVALID' });
  });
});
