import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pragueDay, readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

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
    cookies[username] = await signIn(t.callback, username);
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
  });

  it('the registry office corrects the parties of an unsettled document it registered for another unit: logged with its ground', async () => {
    // the journal offers the correction on the registry office's incoming, unsettled documents
    const journal = await get('podatelna', `/records/journal?jid=${odp.jid}`).expect(200);
    expect(journal.text).toContain(`href="/records/documents/${odp.documentId}/parties"`);
    expect(journal.text).toContain('Opravit odesílatele a adresáta');
    expect((await get('referent', `/records/journal?jid=${a.jid}`).expect(200)).text).not.toContain('Opravit odesílatele a adresáta');
    // the file of another unit stays closed to it; the document's parties do not
    await get('podatelna', `/records/files/${odp.fileId}`).expect(403);
    const form = await get('podatelna', `/records/documents/${odp.documentId}/parties`).expect(200);
    expect(await t.db('audit_log').where({ object_id: odp.documentId, event_type: 'Zobrazeni', object_type: 'Dokument' }).pluck('actor')).toEqual(['user:podatelna']);
    expect(form.text).toContain('Podatelna opravuje odesílatele a adresáta dokumentů, které zaevidovala');
    expect(form.text).not.toContain(`href="/records/files/${odp.fileId}"`);

    const res = await post('podatelna', `/records/documents/${odp.documentId}/parties`).send({ role: 'sender', kind: 'person', givenName: 'Karel', familyName: 'Opravený' }).expect(303);
    expect(res.headers.location).toBe(`/records/documents/${odp.documentId}/parties?saved=1`);
    expect((await get('podatelna', res.headers.location).expect(200)).text).toContain('Uloženo.');
    const karel = await t.db('parties').where({ family_name: 'Opravený' }).first();
    expect(await t.db('journal').where({ document_id: odp.documentId }).first()).toMatchObject({ sender: 'Karel Opravený', sender_party_id: karel.id });
    const log = await t.db('audit_log').where({ object_id: odp.documentId, event_type: 'Uprava' }).orderBy('id', 'desc').first();
    expect(log.actor).toBe('user:podatelna');
    expect(details(log)).toEqual({ field: 'sender', fromParty: null, toParty: karel.id, access: 'registry-office', fileUnit: 'ODP' });

    // so are documents of the electronic intake (portal, e-mail, data box), registered in the registry office's name
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-docs-ui' }) };
    const intake = await registerRecord(ports, { username: 'system:workers', roles: ['admin'], orgUnit: null }, { direction: 'incoming', subject: 'Podání z portálu', channel: 'portal', classCode: '7.4', orgUnit: 'ODP' });
    await post('podatelna', `/records/documents/${intake.documentId}/parties`).send({ role: 'sender', partyId: karel.id }).expect(303);
    expect(await t.db('documents').where({ id: intake.documentId }).first()).toMatchObject({ sender_party_id: karel.id });
  });

  it('refuses the registry office a document it did not register, a settled one and another role\'s document outside its unit', async () => {
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-docs-ui' }) };
    const byReferent = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'ODP' }, { direction: 'incoming', subject: 'Podání přímo na odboru', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
    const notMine = await post('podatelna', `/records/documents/${byReferent.documentId}/parties`).send({ role: 'sender', kind: 'person', familyName: 'Cizí' }).expect(403);
    expect(notMine.text).toContain('K tomuto spisu nemáte přístup.');
    await get('podatelna', `/records/documents/${byReferent.documentId}/parties`).expect(403);

    await t.db('documents').where({ id: odp.documentId }).update({ state: 'settled' });
    try {
      const settled = await post('podatelna', `/records/documents/${odp.documentId}/parties`).send({ role: 'sender', kind: 'person', familyName: 'Pozdní' }).expect(409);
      expect(settled.text).toContain('podatelna jej opravit nemůže');
      const en = await post('podatelna', `/records/documents/${odp.documentId}/parties?lang=en`).send({ role: 'sender', kind: 'person', familyName: 'Pozdní' }).expect(409);
      expect(en.text).toContain('the registry office cannot correct it');
    } finally {
      await t.db('documents').where({ id: odp.documentId }).update({ state: 'registered' });
    }
    expect(await t.db('parties').whereIn('family_name', ['Cizí', 'Pozdní'])).toHaveLength(0);
    // a referent of another unit gets nothing from the registry office's ground
    await post('referent', `/records/documents/${odp.documentId}/parties`).send({ role: 'sender', kind: 'person', familyName: 'Novák' }).expect(403);
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

describe('dispatch and delivery of an outgoing document', () => {
  it('records both from the file\'s page: journal dates, Vypraveno and Doruceno in the log; a bad day is refused', async () => {
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-docs-ui' }) };
    const answer = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, {
      direction: 'outgoing', subject: 'Odpověď na žádost', channel: 'data-box', form: 'analog', fileId: b.fileId,
    });
    const page = await get('referent', `/records/files/${b.fileId}`).expect(200);
    expect(page.text).toContain(`action="/records/documents/${answer.documentId}/dispatch"`);
    expect(page.text).toContain('Způsob vypravení');

    const future = await post('referent', `/records/documents/${answer.documentId}/dispatch`).send({ day: '2999-01-01', channel: 'post' }).expect(400);
    expect(future.text).toContain('Zadejte platný den vypravení');
    // the office's calendar day (the UTC date is yesterday's there from 23:00 UTC, 22:00 in summer)
    const today = pragueDay(new Date());
    await post('referent', `/records/documents/${answer.documentId}/dispatch`).send({ day: today, channel: 'post' }).expect(303);
    const after = await get('referent', `/records/files/${b.fileId}`).expect(200);
    expect(after.text).toContain(`action="/records/documents/${answer.documentId}/delivery"`);
    await post('referent', `/records/documents/${answer.documentId}/delivery`).send({ day: today, deemed: '1' }).expect(303);
    await post('referent', `/records/documents/${answer.documentId}/delivery`).send({ day: today }).expect(409);
    await post('referent', `/records/documents/${odp.documentId}/dispatch`).send({ day: today }).expect(403);

    const journal = await t.db('journal').where({ document_id: answer.documentId }).first();
    expect(journal).toMatchObject({ channel: 'post' });
    expect(journal.dispatched_at).not.toBeNull();
    expect(journal.delivered_at).not.toBeNull();
    const log = await t.db('audit_log').where({ object_id: answer.documentId }).whereIn('event_type', ['Vypraveno', 'Doruceno']).orderBy('id');
    expect(log.map((r) => [r.event_type, r.actor, details(r).deemed])).toEqual([['Vypraveno', 'user:referent', undefined], ['Doruceno', 'user:referent', true]]);
    expect((await get('referent', `/records/files/${b.fileId}?lang=en`).expect(200)).text).toContain('Dispatched');
  });
});
