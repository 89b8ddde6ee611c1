import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSearchText, readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** two records of one person (no e-mail, IČO or data box, so the register could not tell): one in OSU, one in ODP */
let osu: RegisterRecordResult;
let odp: RegisterRecordResult;
let keepId = '';
let duplicateId = '';

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const senderOf = async (documentId: string) => ({
  document: (await t.db('documents').where({ id: documentId }).first('sender_party_id')).sender_party_id,
  journal: (await t.db('journal').where({ document_id: documentId }).first('sender_party_id')).sender_party_id,
});

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-parties-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  osu = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Stížnost na hluk', channel: 'post', form: 'analog', classCode: '1.3', orgUnit: 'OSU', sender: { kind: 'person', givenName: 'Věra', familyName: 'Šťastná', city: 'Karlovy Vary' } });
  odp = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk v ulici', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP', sender: { kind: 'person', givenName: 'Věra', familyName: 'Šťastná', street: 'Moskevská 1' } });
  keepId = (await senderOf(osu.documentId)).document;
  duplicateId = (await senderOf(odp.documentId)).document;
  // enough parties for a second page
  const now = new Date();
  await t.db('parties').insert(Array.from({ length: 30 }, (_, i) => {
    const name = `Zahradnictví Zelený ${String(i).padStart(2, '0')} s.r.o.`;
    return { id: randomUUID(), kind: 'organisation', display_name: name, organisation_name: name, country: 'CZ', search_text: normalizeSearchText(name), created_by: 'user:podatelna', created_at: now, updated_at: now };
  }));
}, 180_000);
afterAll(() => t.close());

describe('the parties register (jmenný rejstřík)', () => {
  it('lists and searches parties without regard to accents, a page at a time; every records role reads it', async () => {
    expect(keepId).not.toBe(duplicateId);
    const found = await get('referent', '/records/parties?q=stastna').expect(200);
    expect(found.text).toContain('<h1>Jmenný rejstřík</h1>');
    expect(found.text.match(/Věra Šťastná/g)?.length).toBe(2);
    expect(found.text).toContain(`href="/records/parties/${keepId}"`);
    expect((await get('referent', '/records/parties?q=ŠŤASTNÁ').expect(200)).text).toContain(`href="/records/parties/${duplicateId}"`);
    expect((await get('referent', '/records/parties?q=nikdo-takovy').expect(200)).text).toContain('Nic nenalezeno');

    const first = await get('podatelna', '/records/parties?q=zahradnictvi').expect(200);
    expect(first.text).toContain('Zahradnictví Zelený 00 s.r.o.');
    expect(first.text).not.toContain('Zahradnictví Zelený 25 s.r.o.');
    expect(first.text).toContain('href="/records/parties?q&#x3D;zahradnictvi&amp;page&#x3D;2" rel="next"');
    const second = await get('podatelna', '/records/parties?q=zahradnictvi&page=2').expect(200);
    expect(second.text).toContain('Zahradnictví Zelený 25 s.r.o.');
    expect(second.text).not.toContain('Zahradnictví Zelený 00 s.r.o.');
    expect((await get('spisovna', '/records/parties').expect(200)).text).toContain('Zahradnictví Zelený 00 s.r.o.');
    expect((await get('podatelna', '/records/parties?lang=en').expect(200)).text).toContain('<h1>Parties register</h1>');
    // the main navigation leads there
    expect(found.text).toContain('<a href="/records/parties">Jmenný rejstřík</a>');
    await get('podatelna', '/records/parties?page=0').expect(400);
  });

  it('shows a party with the documents the user may see, and logs the display', async () => {
    const referent = await get('referent', `/records/parties/${duplicateId}`).expect(200);
    expect(referent.text).toContain('Moskevská 1');
    expect(referent.text).not.toContain(odp.referenceNumber); // another unit's document
    const podatelna = await get('podatelna', `/records/parties/${duplicateId}`).expect(200);
    expect(podatelna.text).toContain(odp.referenceNumber); // the registry office sees the whole journal
    expect(podatelna.text).toContain('Odesílatel');
    const views = await t.db('audit_log').where({ event_type: 'Zobrazeni', object_type: 'Subjekt', object_id: duplicateId });
    expect(views.map((r) => r.actor).sort()).toEqual(['user:podatelna', 'user:referent']);
    await get('referent', `/records/parties/${randomUUID()}`).expect(404);
    // the merge form is the registry office's and the administrator's
    expect(referent.text).not.toContain('id="merge-heading"');
    expect(podatelna.text).toContain('id="merge-heading"');
  });

  it('finds a party\'s documents as addressee by an index, not by reading every document', async () => {
    const plan = await t.db.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      return JSON.stringify((await trx.raw('explain select id from documents where addressee_party_id = ?', [keepId])).rows);
    });
    expect(plan).toContain('documents_addressee_party_id_index');
  });

  it('refuses a merge to other roles and from another site, and changes nothing', async () => {
    await get('referent', `/records/parties/${keepId}/merge?duplicate=${duplicateId}`).expect(403);
    await post('referent', `/records/parties/${keepId}/merge`).send({ duplicateId, confirm: 'yes' }).expect(403);
    await post('spisovna', `/records/parties/${keepId}/merge`).send({ duplicateId, confirm: 'yes' }).expect(403);
    await request(t.callback).post(`/records/parties/${keepId}/merge`).set('Cookie', cookies.podatelna).set('Origin', 'https://evil.example').type('form').send({ duplicateId, confirm: 'yes' }).expect(403);
    expect(await t.db('parties').where({ id: duplicateId }).first()).toMatchObject({ merged_into: null });
    expect(await senderOf(odp.documentId)).toEqual({ document: duplicateId, journal: duplicateId });
  });

  it('shows bad input again with an error summary and changes nothing', async () => {
    const unconfirmed = await post('podatelna', `/records/parties/${keepId}/merge`).send({ duplicateId }).expect(400);
    expect(unconfirmed.text).toContain('<h2 id="error-summary-title">Subjekty nelze sloučit</h2>');
    expect(unconfirmed.text).toContain('<a href="#merge-confirm">Potvrďte, že jde o tentýž subjekt.</a>');
    expect(unconfirmed.text).toContain('aria-describedby="merge-confirm-error"');
    const self = await post('podatelna', `/records/parties/${keepId}/merge`).send({ duplicateId: keepId, confirm: 'yes' }).expect(400);
    expect(self.text).toContain('<a href="#mq">Subjekt nelze sloučit sám se sebou.</a>');
    const nonsense = await post('podatelna', `/records/parties/${keepId}/merge`).send({ duplicateId: 'x', confirm: 'yes' }).expect(400);
    expect(nonsense.text).toContain('Vyberte duplicitní subjekt z výsledků hledání.');
    expect(nonsense.text).toContain('aria-describedby="mq-hint mq-error"');
    expect(await t.db('parties').whereIn('id', [keepId, duplicateId]).whereNotNull('merged_into')).toEqual([]);
    expect(await senderOf(odp.documentId)).toEqual({ document: duplicateId, journal: duplicateId });
    expect(await t.db('audit_log').where({ object_type: 'Subjekt' }).whereIn('event_type', ['Uprava', 'Zruseni'])).toEqual([]);
  });

  it('finds the duplicate, asks for confirmation, then moves its documents to the party kept', async () => {
    // given: the registry office looks for the duplicate from the party kept
    const search = await get('podatelna', `/records/parties/${keepId}?mq=stastna`).expect(200);
    expect(search.text).toContain(`href="/records/parties/${keepId}/merge?duplicate=${duplicateId}"`);
    expect(search.text).not.toContain(`merge?duplicate=${keepId}"`);
    const confirm = await get('podatelna', `/records/parties/${keepId}/merge?duplicate=${duplicateId}`).expect(200);
    expect(confirm.text).toContain('<h1>Potvrzení sloučení subjektů</h1>');
    expect(confirm.text).toContain(`name="duplicateId" value="${duplicateId}"`);
    expect(confirm.text).toContain('Moskevská 1');
    expect(await t.db('parties').where({ id: duplicateId }).first()).toMatchObject({ merged_into: null }); // asking changes nothing

    // when
    const merged = await post('podatelna', `/records/parties/${keepId}/merge`).send({ duplicateId, confirm: 'yes' }).expect(303);

    // then
    expect(merged.headers.location).toBe(`/records/parties/${keepId}?merged=1`);
    expect((await get('podatelna', merged.headers.location).expect(200)).text).toContain('Subjekty jsou sloučeny. Převedené odkazy na dokumenty: 1.');
    expect(await senderOf(odp.documentId)).toEqual({ document: keepId, journal: keepId });
    expect(await senderOf(osu.documentId)).toEqual({ document: keepId, journal: keepId });
    expect(await t.db('parties').where({ id: duplicateId }).first()).toMatchObject({ merged_into: keepId });
    const log = await t.db('audit_log').where({ object_type: 'Subjekt' }).whereIn('event_type', ['Uprava', 'Zruseni']).orderBy('id');
    expect(log.map((r) => [r.event_type, r.object_id, r.actor])).toEqual([['Uprava', keepId, 'user:podatelna'], ['Zruseni', duplicateId, 'user:podatelna']]);
    // the party kept shows both documents to the registry office; the duplicate points to it and leaves the search
    const kept = await get('podatelna', `/records/parties/${keepId}`).expect(200);
    expect(kept.text).toContain(osu.referenceNumber);
    expect(kept.text).toContain(odp.referenceNumber);
    expect((await get('referent', `/records/parties/${duplicateId}`).expect(200)).text).toContain(`href="/records/parties/${keepId}"`);
    expect((await get('referent', '/records/parties?q=stastna').expect(200)).text.match(/Věra Šťastná/g)?.length).toBe(1);
    // merging it again is refused with a message
    const again = await post('admin', `/records/parties/${keepId}/merge`).send({ duplicateId, confirm: 'yes' }).expect(400);
    expect(again.text).toContain('Jeden ze subjektů už byl sloučen do jiného.');
  });
});
