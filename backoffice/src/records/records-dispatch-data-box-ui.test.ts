import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsdsClient, readWorkersConfig, registerRecord, seedRecordsDemo, sendPendingDataBoxMessages, type RegisterRecordResult } from '@openspis/workers';
import { startIsdsTestPeer, type IsdsTestPeer } from '../../../workers/src/clients/isds/testing/isds-test-peer';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
const login = { username: 'mmkv01', password: 'Heslo-123' };
const PDF = Buffer.from('%PDF-1.7\n% odpověď\n%%EOF\n');
let t: Awaited<ReturnType<typeof createTestServer>>;
let peer: IsdsTestPeer;
const cookies: Record<string, string> = {};
let answer: RegisterRecordResult;
let refused: RegisterRecordResult;
let byPost: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const sendNow = () => sendPendingDataBoxMessages({ db: t.db, clock: () => new Date(), isds: createIsdsClient({ url: peer.url, ...login }) }, pino({ level: 'silent' }));

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  peer = await startIsdsTestPeer(login);
  const workers = readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-dispatch-data-box-ui', ISDS_URL: peer.url, ISDS_USERNAME: login.username, ISDS_PASSWORD: login.password });
  t = await createTestServer({}, { workers });
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: workers };
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  const silnicar = { username: 'silnicar', roles: ['referent'], orgUnit: 'ODP' };
  await seedRecordsDemo(ports, { files: 1 });
  const request_ = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'data-box', classCode: '7.4', orgUnit: 'ODP' });
  const outgoing = (subject: string, dataBoxId: string, channel: 'data-box' | 'post' = 'data-box') => registerRecord(ports, silnicar, {
    direction: 'outgoing', subject, channel, form: 'electronic', fileId: request_.fileId,
    addressee: { kind: 'organisation', organisationName: 'Správa silnic s.r.o.', dataBoxId },
    components: [{ fileName: 'odpoved.pdf', mediaType: 'application/pdf', content: PDF }],
  });
  answer = await outgoing('Oprava výtluku', 'abc2def');
  refused = await outgoing('Uzavírka', 'zzz9999');
  byPost = await outgoing('Kopie', 'abc2def', 'post');
  peer.refusedBoxes.set('zzz9999', { code: '1214', message: 'Datová schránka adresáta není aktivní.' });
}, 180_000);
afterAll(async () => {
  await t.close();
  await peer.close();
});

describe('sending by data box from the dispatch list (výpravna)', () => {
  it('offers "Send by data box" for a data-box dispatch to an addressee with a box, only to the registry office and the administrator, only from our own site', async () => {
    const page = await get('podatelna', '/records/dispatch').expect(200);
    expect(page.text).toContain(`action="/records/dispatch/${answer.documentId}/send-data-box"`);
    expect(page.text).toContain('Odeslat datovou schránkou');
    expect(page.text).not.toContain(`action="/records/dispatch/${byPost.documentId}/send-data-box"`);
    expect((await get('podatelna', '/records/dispatch?lang=uk').expect(200)).text).toContain('Надіслати датовою скринькою');

    await post('referent', `/records/dispatch/${answer.documentId}/send-data-box`).expect(403);
    await request(t.callback).post(`/records/dispatch/${answer.documentId}/send-data-box`).set('Cookie', cookies.podatelna).set('Origin', 'https://evil.example').type('form').expect(403);
    const wrongWay = await post('podatelna', `/records/dispatch/${byPost.documentId}/send-data-box`).expect(409);
    expect(wrongWay.text).toContain('Datovou schránkou lze odeslat jen dokument, který se vypravuje datovou schránkou.');
    expect(await t.db('data_box_sends')).toEqual([]);
  });

  it('sends once however often it is clicked, then shows the document dispatched with its data message', async () => {
    // when: clicked twice
    const first = await post('podatelna', `/records/dispatch/${answer.documentId}/send-data-box`).expect(303);
    await post('podatelna', `/records/dispatch/${answer.documentId}/send-data-box`).expect(303);

    // then: waiting, with no second button and no hand-made dispatch form
    expect(first.headers.location).toBe('/records/dispatch?done=send-requested');
    const waiting = await get('podatelna', first.headers.location).expect(200);
    expect(waiting.text).toContain('Odeslání datovou schránkou je zadáno');
    expect(waiting.text).toContain('Čeká na odeslání datovou schránkou.');
    expect(waiting.text).not.toContain(`action="/records/dispatch/${answer.documentId}/send-data-box"`);
    expect(waiting.text).not.toContain(`action="/records/dispatch/${answer.documentId}/dispatch"`);
    const manual = await post('podatelna', `/records/dispatch/${answer.documentId}/dispatch`).send({ channel: 'data-box' }).expect(409);
    expect(manual.text).toContain('Dokument se právě odesílá datovou schránkou');

    // when: the sender runs
    const run = await sendNow();

    // then
    expect(run.sent).toEqual([answer.documentId]);
    expect(peer.sent.size).toBe(1);
    const dmId = [...peer.sent.keys()][0];
    const dispatched = await get('podatelna', '/records/dispatch?stage=to-deliver').expect(200);
    expect(dispatched.text).toContain(answer.referenceNumber);
    expect(dispatched.text).toContain(`Datová zpráva ${dmId}`);
    await post('podatelna', `/records/dispatch/${answer.documentId}/send-data-box`).expect(409);
    expect((await sendNow()).sent).toEqual([]);
    expect(peer.sent.size).toBe(1);
  });

  it('shows what ISDS said when it refused the message, and sends again when asked', async () => {
    await post('admin', `/records/dispatch/${refused.documentId}/send-data-box`).expect(303);
    expect((await sendNow()).failed).toEqual([refused.documentId]);
    const cs = await get('podatelna', '/records/dispatch').expect(200);
    expect(cs.text).toContain('Odeslání datovou schránkou se nezdařilo: ISDS zprávu odmítl (1214: Datová schránka adresáta není aktivní.)');
    expect(cs.text).toContain('Odeslat datovou schránkou znovu');
    expect((await get('podatelna', '/records/dispatch?lang=en').expect(200)).text).toContain('Sending by data box failed: ISDS refused the message (1214');

    // the form's message details: a bad legal title is refused with its message, nothing asked for
    expect(cs.text).toContain('<label for="send-hands-' + refused.documentId + '">K rukám</label>');
    const badTitle = await post('podatelna', `/records/dispatch/${refused.documentId}/send-data-box`).send({ legalTitleSect: '19' }).expect(400);
    expect(badTitle.text).toContain('Zmocnění musí mít číslo zákona a čtyřmístný rok jeho vydání');
    expect(await t.db('data_box_sends').where({ document_id: refused.documentId }).first()).toMatchObject({ state: 'failed', legal_title_sect: null });

    peer.refusedBoxes.clear();
    await post('podatelna', `/records/dispatch/${refused.documentId}/send-data-box`)
      .send({ toHands: 'Ing. Jana Nováková', personalDelivery: '1', legalTitleLaw: '500', legalTitleYear: '2004', legalTitleSect: '19', legalTitlePar: '1' }).expect(303);
    expect((await sendNow()).sent).toEqual([refused.documentId]);
    expect([...peer.sent.values()].at(-1)).toMatchObject({ toHands: 'Ing. Jana Nováková', personalDelivery: true, legalTitle: ['500', '2004', '19', '1', null] });
    expect(await t.db('documents').where({ id: refused.documentId }).first()).toMatchObject({ state: 'dispatched', channel: 'data-box' });
  });
});
