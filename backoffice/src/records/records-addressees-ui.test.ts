import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pragueDay, readWorkersConfig, registerRecord, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
let decision: RegisterRecordResult;
let foreign: RegisterRecordResult;
let lone: RegisterRecordResult;
let company = '';
let neighbour = '';

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const dispatches = () => t.db('document_dispatches').where({ document_id: decision.documentId }).orderBy('position');
// the office's calendar day: from 23:00 UTC (22:00 in summer) the UTC date is still yesterday there
const today = () => pragueDay(new Date());

// a database, its migrations, argon2 sign-ins: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'spisovna']) cookies[username] = await signIn(t.callback, username);
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-addressees-ui' }) };
  const { seedRecordsDemo } = await import('@openspis/workers');
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  const request_ = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o zvláštní užívání', channel: 'post', classCode: '1.5', orgUnit: 'OSU' });
  decision = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, {
    direction: 'outgoing', subject: 'Rozhodnutí o zvláštním užívání', channel: 'post', form: 'analog', fileId: request_.fileId,
    addressee: { kind: 'person', givenName: 'Jana', familyName: 'Nováková', city: 'Karlovy Vary' },
  });
  lone = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { direction: 'outgoing', subject: 'Sdělení', channel: 'post', form: 'analog', fileId: request_.fileId });
  const odp = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
  foreign = await registerRecord(ports, { username: 'silnicar', roles: ['referent'], orgUnit: 'ODP' }, { direction: 'outgoing', subject: 'Oprava', channel: 'post', form: 'analog', fileId: odp.fileId });
  company = (await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Vyjádření', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'organisation', organisationName: 'Vodárny Vary a.s.', dataBoxId: 'vod4var' } }))
    && (await t.db('parties').where({ data_box_id: 'vod4var' }).first()).id;
  neighbour = (await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Námitka', channel: 'post', classCode: '1.5', orgUnit: 'OSU', sender: { kind: 'organisation', organisationName: 'Spolek Drahovice' } }))
    && (await t.db('parties').where({ display_name: 'Spolek Drahovice' }).first()).id;
}, 180_000);
afterAll(() => t.close());

describe('the addressees of a decision, each with its own dispatch', () => {
  it('adds two addressees from the register, lists them on the file page and in the dispatch list, removes one', async () => {
    // given: the parties page of the unsent decision offers "add as a further addressee"
    const page = await get('referent', `/records/documents/${decision.documentId}/parties?q=vodarny`).expect(200);
    expect(page.text).toContain(`action="/records/documents/${decision.documentId}/addressees"`);
    expect(page.text).toContain('Přidat jako dalšího adresáta');

    // when
    await post('referent', `/records/documents/${decision.documentId}/addressees`).send({ partyId: company, channel: '' }).expect(303);
    await post('referent', `/records/documents/${decision.documentId}/addressees`).send({ partyId: neighbour, channel: 'email' }).expect(303);

    // then
    expect((await dispatches()).map((d) => [d.addressee, d.channel])).toEqual([['Jana Nováková', 'post'], ['Vodárny Vary a.s.', 'data-box'], ['Spolek Drahovice', 'email']]);
    const file = await get('referent', `/records/files/${decision.fileId}`).expect(200);
    for (const d of await dispatches()) expect(file.text).toContain(`<input type="hidden" name="dispatchId" value="${d.id}">`);
    expect(file.text).toContain('Spolek Drahovice – E-mail: čeká na vypravení');
    const list = await get('podatelna', '/records/dispatch').expect(200);
    expect(list.text.match(/Rozhodnutí o zvláštním užívání/g)).toHaveLength(3);
    expect(list.text).toContain('jeden z 3 adresátů');

    // when: the neighbour is removed again
    const [, , third] = await dispatches();
    await post('referent', `/records/documents/${decision.documentId}/addressees/remove`).send({ dispatchId: third.id }).expect(303);
    expect((await dispatches()).map((d) => d.addressee)).toEqual(['Jana Nováková', 'Vodárny Vary a.s.']);
    expect((await t.db('journal').where({ document_id: decision.documentId }).first()).addressee).toBe('Jana Nováková; Vodárny Vary a.s.');
    // the journal names the first addressee and how many more
    const journal = await get('referent', `/records/journal?jid=${decision.jid}`).expect(200);
    expect(journal.text).toContain('Jana Nováková + 1 další');
    // the company's page in the parties register lists the decision it is a further addressee of
    expect((await get('podatelna', `/records/parties/${company}`).expect(200)).text).toContain(decision.referenceNumber);
  });

  it('records dispatch and delivery per addressee from the file page; the document shows the last delivery', async () => {
    const [first, second] = await dispatches();
    await post('referent', `/records/documents/${decision.documentId}/dispatch`).send({ dispatchId: first.id, day: today(), channel: 'post' }).expect(303);
    expect(await t.db('documents').where({ id: decision.documentId }).first()).toMatchObject({ state: 'created' });
    await post('podatelna', `/records/dispatch/${decision.documentId}/dispatch`).send({ dispatchId: second.id, day: today(), channel: 'data-box', dataBoxMessageId: '' }).expect(303);
    expect(await t.db('documents').where({ id: decision.documentId }).first()).toMatchObject({ state: 'dispatched' });
    await post('referent', `/records/documents/${decision.documentId}/delivery`).send({ dispatchId: first.id, day: today() }).expect(303);
    await post('referent', `/records/documents/${decision.documentId}/delivery`).send({ dispatchId: second.id, day: today(), deemed: '1' }).expect(303);
    const doc = await t.db('documents').where({ id: decision.documentId }).first();
    expect(doc.state).toBe('delivered');
    const file = await get('referent', `/records/files/${decision.fileId}?lang=en`).expect(200);
    expect(file.text).toContain('Delivered to every addressee; last delivery');
    expect(file.text).toContain('(deemed delivery)');
  });

  it('refuses bad input with translated messages and changes nothing', async () => {
    // a document with no addressee gets its first one; that one cannot be removed, only changed
    await post('referent', `/records/documents/${lone.documentId}/addressees`).send({ partyId: neighbour }).expect(303);
    const [only] = await t.db('document_dispatches').where({ document_id: lone.documentId });
    expect(only).toMatchObject({ position: 1, party_id: neighbour, channel: 'post' });
    const before = { dispatches: await t.db('document_dispatches').orderBy('id'), log: (await t.db('audit_log').count({ n: '*' }))[0].n };

    const last = await post('referent', `/records/documents/${lone.documentId}/addressees/remove?lang=uk`).send({ dispatchId: only.id }).expect(409);
    expect(last.text).toContain('Документ має мати принаймні одного адресата');
    const twice = await post('referent', `/records/documents/${lone.documentId}/addressees?lang=en`).send({ partyId: neighbour }).expect(409);
    expect(twice.text).toContain('This addressee is already on the document.');
    // the decision is dispatched: nobody is added
    const late = await post('referent', `/records/documents/${decision.documentId}/addressees`).send({ partyId: company }).expect(409);
    expect(late.text).toContain('Dokument už byl vypraven nebo je stornován.');
    const bad = await post('referent', `/records/documents/${lone.documentId}/addressees`).send({ partyId: 'x' }).expect(404);
    expect(bad.text).toContain('Subjekt v rejstříku neexistuje.');
    // another unit's document, a role that does not dispatch, a post from another site
    await post('referent', `/records/documents/${foreign.documentId}/addressees`).send({ partyId: neighbour }).expect(403);
    await post('spisovna', `/records/documents/${lone.documentId}/addressees`).send({ partyId: company }).expect(403);
    await request(t.callback).post(`/records/documents/${lone.documentId}/addressees`).set('Cookie', cookies.referent).set('Origin', 'https://evil.example').type('form').send({ partyId: company }).expect(403);
    expect(await t.db('document_dispatches').orderBy('id')).toEqual(before.dispatches);
    expect((await t.db('audit_log').count({ n: '*' }))[0].n).toEqual(before.log);
  });
});
