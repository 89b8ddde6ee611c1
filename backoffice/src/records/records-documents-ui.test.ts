import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
let a: RegisterRecordResult;
let b: RegisterRecordResult;
let odp: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'spisovna']) {
    const res = await request(t.callback).post('/login').set('Origin', ORIGIN).type('form').send({ username, password: 'demo' }).expect(302);
    cookies[username] = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('openspis_session='))!.split(';')[0];
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-docs-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  a = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o kopii', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'person', givenName: 'Ölga', familyName: 'Šťastná' } });
  b = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o územní rozhodnutí', channel: 'post', classCode: '5.2', orgUnit: 'OSU' });
  odp = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
}, 180_000);
afterAll(() => t.close());

describe('moving a document between files', () => {
  it('refuses bad input and another unit\'s file with translated messages and changes nothing', async () => {
    const noReason = await post('referent', `/records/documents/${a.documentId}/move`).send({ toFileReference: b.fileReference, reason: ' ' }).expect(400);
    expect(noReason.text).toContain('Uveďte důvod přesunu.');
    const unknown = await post('referent', `/records/documents/${a.documentId}/move`).send({ toFileReference: 'MMKV/0/1999', reason: 'omyl' }).expect(404);
    expect(unknown.text).toContain('Spis neexistuje.');
    const foreign = await post('referent', `/records/documents/${a.documentId}/move`).send({ toFileReference: odp.fileReference, reason: 'omyl' }).expect(403);
    expect(foreign.text).toContain('K tomuto spisu nemáte přístup.');
    await post('referent', `/records/documents/${odp.documentId}/move`).send({ toFileReference: a.fileReference, reason: 'omyl' }).expect(403);
    await post('spisovna', `/records/documents/${a.documentId}/move`).send({ toFileReference: b.fileReference, reason: 'omyl' }).expect(403);
    expect(await t.db('documents').where({ id: a.documentId }).first()).toMatchObject({ file_id: a.fileId });
    expect(await t.db('document_file_moves').where({ document_id: a.documentId })).toEqual([]);
  });

  it('moves it with a reason: the target file shows the history, the log has VyjmutiZeSpisu and VlozeniDoSpisu', async () => {
    const res = await post('referent', `/records/documents/${a.documentId}/move`).send({ toFileReference: b.fileReference, reason: 'Patří k územnímu řízení' }).expect(303);
    expect(res.headers.location).toBe(`/records/files/${b.fileId}`);
    expect(await t.db('documents').where({ id: a.documentId }).first()).toMatchObject({ file_id: b.fileId, order_in_file: 2 });
    expect(await t.db('journal').where({ document_id: a.documentId }).first()).toMatchObject({ file_id: b.fileId, file_reference: b.fileReference, reference_number: a.referenceNumber });
    const log = await t.db('audit_log').where({ object_id: a.documentId }).whereIn('event_type', ['VyjmutiZeSpisu', 'VlozeniDoSpisu']).orderBy('id');
    expect(log.map((r) => [r.event_type, r.actor, details(r).fileReference])).toEqual([
      ['VlozeniDoSpisu', 'user:podatelna', a.fileReference],
      ['VyjmutiZeSpisu', 'user:referent', a.fileReference],
      ['VlozeniDoSpisu', 'user:referent', b.fileReference],
    ]);
    const page = await get('referent', `/records/files/${b.fileId}`).expect(200);
    expect(page.text).toContain('Přesuny dokumentů');
    expect(page.text).toContain('Patří k územnímu řízení');
    expect(page.text).toContain(a.referenceNumber);
  });
});

describe('the parties of a document', () => {
  it('sets the sender from a new party and the addressee from the register; logs only ids', async () => {
    const form = await get('referent', `/records/documents/${b.documentId}/parties?q=stastna`).expect(200);
    expect(form.text).toContain('Ölga Šťastná');
    const olga = await t.db('parties').where({ family_name: 'Šťastná' }).first();

    await post('referent', `/records/documents/${b.documentId}/parties`).send({ role: 'sender', kind: 'organisation', organisationName: 'Stavby Vary s.r.o.', companyId: '12345678', city: 'Karlovy Vary' }).expect(303);
    await post('referent', `/records/documents/${b.documentId}/parties`).send({ role: 'addressee', partyId: olga.id }).expect(303);

    const journal = await t.db('journal').where({ document_id: b.documentId }).first();
    expect(journal).toMatchObject({ sender: 'Stavby Vary s.r.o.', addressee: 'Ölga Šťastná', addressee_party_id: olga.id });
    const company = await t.db('parties').where({ company_id: '12345678' }).first();
    expect(await t.db('documents').where({ id: b.documentId }).first()).toMatchObject({ sender_party_id: company.id, addressee_party_id: olga.id });
    const log = await t.db('audit_log').where({ object_id: b.documentId, event_type: 'Uprava' }).orderBy('id');
    expect(log.map((r) => details(r))).toEqual([{ field: 'sender', fromParty: null, toParty: company.id }, { field: 'addressee', fromParty: null, toParty: olga.id }]);
    expect(JSON.stringify(log.map((r) => r.details))).not.toContain('Šťastná');
    // the same company again is reused from the register, not duplicated
    await post('referent', `/records/documents/${b.documentId}/parties`).send({ role: 'sender', kind: 'organisation', organisationName: 'Stavby Vary', companyId: '12345678' }).expect(303);
    expect(await t.db('parties').where({ company_id: '12345678' })).toHaveLength(1);
    // the registry office sees only its own unit's files here
    await post('podatelna', `/records/documents/${b.documentId}/parties`).send({ role: 'sender', partyId: olga.id }).expect(403);
  });

  it('refuses bad party data, another unit and a closed file with translated messages', async () => {
    const badId = await post('referent', `/records/documents/${b.documentId}/parties`).send({ role: 'sender', kind: 'organisation', organisationName: 'X', companyId: '123' }).expect(400);
    expect(badId.text).toContain('IČO má 8 číslic');
    const noName = await post('referent', `/records/documents/${b.documentId}/parties?lang=en`).send({ role: 'sender', kind: 'person', givenName: 'Jan' }).expect(400);
    expect(noName.text).toContain('Fill in the family name');
    await get('referent', `/records/documents/${odp.documentId}/parties`).expect(403);
    await post('referent', `/records/documents/${odp.documentId}/parties`).send({ role: 'sender', kind: 'person', familyName: 'Novák' }).expect(403);
    await get('spisovna', `/records/documents/${b.documentId}/parties`).expect(403);
    await t.db('files').where({ id: b.fileId }).update({ state: 'closed' });
    try {
      const closed = await post('referent', `/records/documents/${b.documentId}/parties?lang=cs`).send({ role: 'sender', kind: 'person', familyName: 'Novák' }).expect(409);
      expect(closed.text).toContain('Spis není otevřený');
    } finally {
      await t.db('files').where({ id: b.fileId }).update({ state: 'open' });
    }
    expect(await t.db('parties').where({ family_name: 'Novák' })).toHaveLength(0);
  });
});
