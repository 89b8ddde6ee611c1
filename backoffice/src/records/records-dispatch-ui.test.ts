import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pragueDay, readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
let osuAnswer: RegisterRecordResult;
let odpAnswer: RegisterRecordResult;
let odpRequest: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;
// the office's calendar day: from 23:00 UTC (22:00 in summer) the UTC date is still yesterday there
const today = () => pragueDay(new Date());

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-dispatch-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  const osu = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o kopii', channel: 'post', classCode: '1.5', orgUnit: 'OSU' });
  odpRequest = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
  osuAnswer = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, {
    direction: 'outgoing', subject: 'Kopie rozhodnutí', channel: 'post', form: 'analog', fileId: osu.fileId,
    addressee: { kind: 'person', givenName: 'Jana', familyName: 'Nováková', street: 'Moskevská 12', city: 'Karlovy Vary', postcode: '36001' },
  });
  odpAnswer = await registerRecord(ports, { username: 'silnicar', roles: ['referent'], orgUnit: 'ODP' }, {
    direction: 'outgoing', subject: 'Oprava výtluku', channel: 'data-box', form: 'analog', fileId: odpRequest.fileId,
    addressee: { kind: 'organisation', organisationName: 'Správa silnic s.r.o.', dataBoxId: 'abc2def' },
  });
}, 180_000);
afterAll(() => t.close());

describe('the dispatch list of the registry office (výpravna)', () => {
  it('is the registry office\'s and the administrator\'s only: others are refused, on the list and on its forms', async () => {
    await get('referent', '/records/dispatch').expect(403);
    await get('spisovna', '/records/dispatch').expect(403);
    await post('referent', `/records/dispatch/${osuAnswer.documentId}/dispatch`).send({ day: today(), channel: 'post' }).expect(403);
    await post('spisovna', `/records/dispatch/${osuAnswer.documentId}/delivery`).send({ day: today() }).expect(403);
    // a post from another site is refused before anything else
    await request(t.callback).post(`/records/dispatch/${osuAnswer.documentId}/dispatch`).set('Cookie', cookies.podatelna).set('Origin', 'https://evil.example').type('form').send({ day: today() }).expect(403);
    expect(await t.db('documents').where({ id: osuAnswer.documentId }).first()).toMatchObject({ state: 'created', dispatched_at: null });
    expect((await get('admin', '/records/dispatch').expect(200)).text).toContain('Kopie rozhodnutí');
    // the tab is on the registry office's journal, not on a handler's
    expect((await get('podatelna', '/records/journal').expect(200)).text).toContain('href="/records/dispatch"');
    expect((await get('referent', '/records/journal').expect(200)).text).not.toContain('href="/records/dispatch"');
  });

  it('lists outgoing documents of every unit waiting for dispatch, with the addressee; filters by unit and by way of dispatch', async () => {
    const all = await get('podatelna', '/records/dispatch').expect(200);
    expect(all.text).toContain('<h1>Výpravna</h1>');
    expect(all.text).toContain(osuAnswer.referenceNumber);
    expect(all.text).toContain(odpAnswer.referenceNumber);
    expect(all.text).not.toContain(odpRequest.referenceNumber + '<'); // incoming documents are not dispatched
    expect(all.text).toContain('Moskevská 12, 36001 Karlovy Vary');
    expect(all.text).toContain('abc2def');
    expect(all.text).toContain(`action="/records/dispatch/${osuAnswer.documentId}/dispatch"`);

    const odp = await get('podatelna', '/records/dispatch?unit=ODP').expect(200);
    expect(odp.text).toContain(odpAnswer.referenceNumber);
    expect(odp.text).not.toContain(osuAnswer.referenceNumber);
    expect(odp.text).toContain(`action="/records/dispatch/${odpAnswer.documentId}/dispatch?unit=ODP"`);
    const post_ = await get('podatelna', '/records/dispatch?channel=post&unit=OSU').expect(200);
    expect(post_.text).toContain(osuAnswer.referenceNumber);
    expect(post_.text).not.toContain(odpAnswer.referenceNumber);
    await get('podatelna', '/records/dispatch?channel=pigeon').expect(400);
    expect((await get('podatelna', '/records/dispatch?lang=en').expect(200)).text).toContain('Waiting for dispatch');
  });

  it('records the dispatch of another unit\'s document, then its delivery; the journal and the log have both, a second delivery is refused', async () => {
    // given: a day still to come is refused with a translated message, and nothing changes
    const future = await post('podatelna', `/records/dispatch/${odpAnswer.documentId}/dispatch`).send({ day: '2999-01-01', channel: 'data-box' }).expect(400);
    expect(future.text).toContain('Zadejte platný den vypravení');
    expect(await t.db('audit_log').where({ object_id: odpAnswer.documentId, event_type: 'Vypraveno' })).toEqual([]);
    const postWithId = await post('podatelna', `/records/dispatch/${osuAnswer.documentId}/dispatch`).send({ day: today(), channel: 'post', dataBoxMessageId: '81000001' }).expect(400);
    expect(postWithId.text).toContain('ID datové zprávy má nejvýše 20 číslic');

    // when
    const sent = await post('podatelna', `/records/dispatch/${odpAnswer.documentId}/dispatch?unit=ODP`).send({ day: today(), channel: 'data-box', dataBoxMessageId: '81000001' }).expect(303);

    // then: back on the filtered list with a message; the document waits for its delivery
    expect(sent.headers.location).toBe('/records/dispatch?unit=ODP&done=dispatched');
    expect((await get('podatelna', sent.headers.location).expect(200)).text).toContain('Vypravení je zapsáno.');
    expect((await get('podatelna', '/records/dispatch?unit=ODP').expect(200)).text).not.toContain(odpAnswer.referenceNumber);
    const waiting = await get('podatelna', '/records/dispatch?stage=to-deliver&unit=ODP').expect(200);
    expect(waiting.text).toContain(odpAnswer.referenceNumber);
    expect(waiting.text).toContain('Datová zpráva 81000001');
    // the state ISDS last reported is shown with it
    await t.db('document_dispatches').where({ document_id: odpAnswer.documentId }).update({ data_box_status: 8 });
    const undeliverable = (await get('podatelna', '/records/dispatch?stage=to-deliver&unit=ODP&lang=en').expect(200)).text;
    expect(undeliverable).toContain('Undeliverable (box made inaccessible)');
    expect(undeliverable).toContain('The data message cannot be delivered: the addressee&#x27;s box was made inaccessible.');
    expect(await t.db('documents').where({ id: odpAnswer.documentId }).first()).toMatchObject({ data_box_message_id: '81000001' });
    expect(waiting.text).toContain(`action="/records/dispatch/${odpAnswer.documentId}/delivery?stage=to-deliver&amp;unit=ODP"`);

    const delivered = await post('podatelna', `/records/dispatch/${odpAnswer.documentId}/delivery?stage=to-deliver&unit=ODP`).send({ day: today(), deemed: '1' }).expect(303);
    expect(delivered.headers.location).toBe('/records/dispatch?stage=to-deliver&unit=ODP&done=delivered');
    expect((await get('podatelna', '/records/dispatch?stage=to-deliver&unit=ODP').expect(200)).text).not.toContain(odpAnswer.referenceNumber);
    const again = await post('podatelna', `/records/dispatch/${odpAnswer.documentId}/delivery`).send({ day: today() }).expect(409);
    expect(again.text).toContain('Doručení lze zapsat jen u vypraveného dokumentu');

    const journal = await t.db('journal').where({ document_id: odpAnswer.documentId }).first();
    expect(journal).toMatchObject({ channel: 'data-box' });
    expect(journal.dispatched_at).not.toBeNull();
    expect(journal.delivered_at).not.toBeNull();
    const log = await t.db('audit_log').where({ object_id: odpAnswer.documentId }).whereIn('event_type', ['Vypraveno', 'Doruceno']).orderBy('id');
    expect(log.map((r) => [r.event_type, r.actor, details(r).channel, details(r).deemed])).toEqual([
      ['Vypraveno', 'user:podatelna', 'data-box', undefined],
      ['Doruceno', 'user:podatelna', undefined, true],
    ]);
  });
});
