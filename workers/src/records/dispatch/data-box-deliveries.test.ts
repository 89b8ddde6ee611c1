import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createIsdsClient, type IsdsClient } from '../../clients/isds/isds-client';
import { startIsdsTestPeer, type IsdsTestPeer } from '../../clients/isds/testing/isds-test-peer';
import { insertOpenFile, seedRecordsBasics } from '../disposal/disposal.fixture';
import type { Actor } from '../records.model';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { testConfig } from '../../testing/fixtures';
import type { MailTransport, OutgoingMail } from '../../notify/mail-transport';
import { ISDS_ACTOR, scheduleDataBoxDeliveries, takeOverDataBoxDeliveries } from './data-box-deliveries';
import { recordDelivery } from './record-delivery';
import { recordDispatch } from './record-dispatch';

const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const login = { username: 'mmkv01', password: 'Heslo-123' };
const log = pino({ level: 'silent' });
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

describe('delivery of documents sent through the data box, taken over from ISDS (against a schema-checking SOAP peer)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let peer: IsdsTestPeer;
  let isds: IsdsClient;
  const now = new Date('2026-11-20T08:00:00Z');
  const ports = () => ({ db, clock: () => now, isds });
  let classId = '';
  let seq = 0;

  /** An outgoing answer made on 1 November 2026 in a new open file, dispatched on 2 November by `channel`, with the message's ID. */
  async function dispatched(channel: 'data-box' | 'post', dmId: string | null): Promise<string> {
    const f = await insertOpenFile(db, { classId, components: [] });
    const id = randomUUID();
    const jid = `MMKV${7000000 + (seq += 1)}`;
    const at = new Date('2026-11-01T09:00:00Z');
    await db('documents').insert({ id, jid, file_id: f.fileId, direction: 'outgoing', subject: 'Odpověď', reference_number: `${f.fileReference}-2`, state: 'created', form: 'electronic', channel, created_by: 'user:referent', created_at: at, order_in_file: 2, org_unit: 'OD' });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: 7000 + seq, reference_number: `${f.fileReference}-2`, jid, document_id: id, file_id: f.fileId, direction: 'outgoing', received_at: at, subject: 'Odpověď', sender: 'Magistrát města Karlovy Vary', channel });
    await recordDispatch(ports(), podatelna, { documentId: id, day: '2026-11-02', channel, dataBoxMessageId: dmId });
    return id;
  }
  const doc = (id: string) => db('documents').where({ id }).first();
  /** the GetDeliveryInfo requests the peer received (GetSignedDeliveryInfo follows each delivery) */
  const asked = () => peer.requests.filter((r) => r.startsWith('<GetDeliveryInfo'));
  const deliveries = (id: string) => db('audit_log').where({ object_id: id, event_type: 'Doruceno' }).orderBy('id');

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    classId = (await seedRecordsBasics(db)).classIds['3.3'];
    peer = await startIsdsTestPeer(login);
    isds = createIsdsClient({ url: peer.url, ...login });
  }, 180_000);
  afterAll(async () => {
    await peer.close();
    await close();
  });

  it('records delivery by login and by fiction once, keeps waiting for a message only delivered to the box, never asks about other ways', async () => {
    // given
    const login6 = await dispatched('data-box', '81000001');
    const fiction5 = await dispatched('data-box', '81000002');
    const inBox4 = await dispatched('data-box', '81000003');
    const noId = await dispatched('data-box', null);
    const byPost = await dispatched('post', null);
    peer.messages.set('81000001', { status: 6, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-03T08:30:00+01:00' });
    peer.messages.set('81000002', { status: 5, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-12T00:00:00+01:00' });
    peer.messages.set('81000003', { status: 4, deliveryTime: '2026-11-02T10:00:00+01:00' });

    // when
    const first = await takeOverDataBoxDeliveries(ports(), log);

    // then
    expect(first).toEqual({ asked: 3, delivered: [login6, fiction5], failed: 0, receipts: [login6, fiction5] });
    expect(asked().map((r) => /<dmID>(\d+)</.exec(r)?.[1])).toEqual(['81000001', '81000002', '81000003']);
    expect(await doc(login6)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-03T07:30:00Z'), data_box_status: 6 });
    expect(await doc(fiction5)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-11T23:00:00Z'), data_box_status: 5 });
    expect(await doc(inBox4)).toMatchObject({ state: 'dispatched', delivered_at: null, data_box_status: 4 });
    expect(new Date((await db('journal').where({ document_id: fiction5 }).first()).delivered_at)).toEqual(new Date('2026-11-11T23:00:00Z'));
    const logged = [...(await deliveries(login6)), ...(await deliveries(fiction5))];
    expect(logged.map((e) => [e.actor, details(e).deemed, details(e).messageStatus, details(e).dataBoxMessageId, details(e).deliveredAt])).toEqual([
      [ISDS_ACTOR, false, 6, '81000001', '2026-11-03T07:30:00.000Z'],
      [ISDS_ACTOR, true, 5, '81000002', '2026-11-11T23:00:00.000Z'],
    ]);
    expect(await doc(noId)).toMatchObject({ state: 'dispatched' });
    expect(await doc(byPost)).toMatchObject({ state: 'dispatched' });

    // when: the next run, after the message in the box was read
    peer.requests.length = 0;
    peer.messages.set('81000003', { status: 7, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-19T14:00:00+01:00' });
    const second = await takeOverDataBoxDeliveries(ports(), log);

    // then: only the undelivered one was asked about; nothing is recorded twice
    expect(second).toEqual({ asked: 1, delivered: [inBox4], failed: 0, receipts: [inBox4] });
    expect(asked()).toHaveLength(1);
    expect(await doc(inBox4)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-19T13:00:00Z'), data_box_status: 7 });
    for (const id of [login6, fiction5, inBox4]) expect(await deliveries(id)).toHaveLength(1);
    expect(await takeOverDataBoxDeliveries(ports(), log)).toEqual({ asked: 0, delivered: [], failed: 0, receipts: [] });
  });

  it('records nothing twice when two runs overlap or a person records the delivery meanwhile', async () => {
    // given
    const both = await dispatched('data-box', '82000001');
    const manual = await dispatched('data-box', '82000002');
    peer.messages.set('82000001', { status: 6, deliveryTime: '2026-11-05T10:00:00+01:00', acceptanceTime: '2026-11-05T11:00:00+01:00' });
    peer.messages.set('82000002', { status: 6, deliveryTime: '2026-11-05T10:00:00+01:00', acceptanceTime: '2026-11-05T11:00:00+01:00' });
    // the registry office records the second delivery by hand while ISDS is being asked about it
    const slowIsds: IsdsClient = {
      ...isds,
      async getDeliveryInfo(dmId) {
        const info = await isds.getDeliveryInfo(dmId);
        if (dmId === '82000002' && (await doc(manual)).state === 'dispatched') await recordDelivery({ db, clock: () => now }, podatelna, { documentId: manual, day: '2026-11-06' });
        return info;
      },
    };

    // when
    const [a, b] = await Promise.all([takeOverDataBoxDeliveries({ ...ports(), isds: slowIsds }, log), takeOverDataBoxDeliveries({ ...ports(), isds: slowIsds }, log)]);

    // then
    expect([...a.delivered, ...b.delivered]).toEqual([both]);
    expect((await deliveries(both)).map((e) => e.actor)).toEqual([ISDS_ACTOR]);
    expect((await deliveries(manual)).map((e) => e.actor)).toEqual(['user:podatelna']);
    expect(await doc(manual)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-06T12:00:00Z') });
  });

  it('leaves a message ISDS does not know for the next run, goes on with the others, and stops at a refused login', async () => {
    // given
    const unknown = await dispatched('data-box', '83000001');
    const known = await dispatched('data-box', '83000002');
    peer.messages.set('83000002', { status: 6, deliveryTime: '2026-11-07T10:00:00+01:00', acceptanceTime: '2026-11-07T12:00:00+01:00' });
    const locked = createIsdsClient({ url: peer.url, username: login.username, password: 'expired' });

    // when / then
    expect(await takeOverDataBoxDeliveries({ ...ports(), isds: locked }, log)).toEqual({ asked: 0, delivered: [], failed: 1, receipts: [] });
    expect(await doc(known)).toMatchObject({ state: 'dispatched' });
    expect(await takeOverDataBoxDeliveries(ports(), log)).toEqual({ asked: 1, delivered: [known], failed: 1, receipts: [known] });
    expect(await doc(unknown)).toMatchObject({ state: 'dispatched', data_box_status: null, data_box_checked_at: now });
    expect(await deliveries(unknown)).toEqual([]);
  });

  it('tells the handling clerk once, by e-mail through the outbox in their language, when a message turns undeliverable (state 8)', async () => {
    // given: the handlers have addresses, one never chose a language, the other uses the back-office in Ukrainian;
    // the transport takes the first message only at the second try
    await db('users').where({ username: 'referent' }).update({ email: 'petra.referentova@mmkv.example' });
    await db('users').where({ username: 'referent2' }).update({ email: 'jan.druhy@mmkv.example', locale: 'uk' });
    const undeliverable = await dispatched('data-box', '87000001');
    const inUkrainian = await dispatched('data-box', '87000002');
    await db('documents').where({ id: undeliverable }).update({ handler: 'referent' });
    await db('documents').where({ id: inUkrainian }).update({ handler: 'referent2' });
    peer.messages.set('87000001', { status: 8, deliveryTime: null });
    peer.messages.set('87000002', { status: 8, deliveryTime: null });
    const mails: OutgoingMail[] = [];
    let down = true;
    const transport: MailTransport = {
      async send(mail) {
        if (down) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        mails.push(mail);
        return { via: 'file', location: mail.fileStem };
      },
    };
    const notify = { config: testConfig(), transport };
    const outbox = () => db('outbox_emails').where('idempotency_key', 'like', `data-box-undeliverable:${undeliverable}:%`);

    // when: the run finds state 8 while the mail server is down, then two more runs
    await takeOverDataBoxDeliveries({ ...ports(), notify }, log);
    expect(await outbox()).toMatchObject([{ status: 'failed', to_address: 'petra.referentova@mmkv.example' }]);
    down = false;
    await takeOverDataBoxDeliveries({ ...ports(), notify }, log);
    await takeOverDataBoxDeliveries({ ...ports(), notify }, log);

    // then: one notice each, with the reference number and the message's ID, in Czech (the default) and in Ukrainian; the documents wait
    expect(mails).toHaveLength(2);
    const [cs, uk] = ['petra.referentova@mmkv.example', 'jan.druhy@mmkv.example'].map((to) => mails.find((m) => m.to === to)!);
    expect(cs.subject).toBe(`Datovou zprávu k ${(await doc(undeliverable)).reference_number} nelze doručit`);
    expect(cs.text).toContain('ID datové zprávy: 87000001');
    expect(uk.subject).toBe(`Датове повідомлення до ${(await doc(inUkrainian)).reference_number} неможливо доставити`);
    expect(uk.text).toContain('ID датового повідомлення: 87000002');
    expect(uk.text).not.toMatch(/zprávy|doručení/);
    expect(await outbox()).toMatchObject([{ status: 'sent' }]);
    for (const id of [undeliverable, inUkrainian]) expect(await doc(id)).toMatchObject({ state: 'dispatched', data_box_status: 8 });
  });

  it('keeps the message ID only for a data-box dispatch of digits', async () => {
    const f = await insertOpenFile(db, { classId, components: [] });
    const id = randomUUID();
    await db('documents').insert({ id, jid: 'MMKV7999999', file_id: f.fileId, direction: 'outgoing', subject: 'Odpověď', state: 'created', form: 'electronic', channel: 'post', created_by: 'user:referent', created_at: new Date('2026-11-01T09:00:00Z'), order_in_file: 2, org_unit: 'OD' });
    await expect(recordDispatch(ports(), podatelna, { documentId: id, channel: 'post', dataBoxMessageId: '123' })).rejects.toMatchObject({ code: 'DISPATCH_DM_ID_INVALID' });
    await expect(recordDispatch(ports(), podatelna, { documentId: id, channel: 'data-box', dataBoxMessageId: '12a' })).rejects.toMatchObject({ code: 'DISPATCH_DM_ID_INVALID' });
    await recordDispatch(ports(), podatelna, { documentId: id, channel: 'data-box', dataBoxMessageId: ' 84000001 ' });
    expect(await doc(id)).toMatchObject({ state: 'dispatched', data_box_message_id: '84000001' });
    expect(details((await db('audit_log').where({ object_id: id, event_type: 'Vypraveno' }).first())!)).toMatchObject({ channel: 'data-box', dataBoxMessageId: '84000001' });
  });

  it('runs at the start of the schedule and from `npm run cli -- dispatch data-box`, which needs ISDS_URL', async () => {
    // given: the messages of the tests before are known to ISDS now, not yet delivered (two undeliverable)
    for (const id of ['83000001', '84000001']) peer.messages.set(id, { status: 4, deliveryTime: '2026-11-08T10:00:00+01:00' });
    const scheduled = await dispatched('data-box', '85000001');
    const fromCli = await dispatched('data-box', '85000002');
    peer.messages.set('85000001', { status: 6, deliveryTime: '2026-11-08T10:00:00+01:00', acceptanceTime: '2026-11-08T10:05:00+01:00' });

    // when: the schedule starts (its first run at once) and is stopped, which waits for that run
    await scheduleDataBoxDeliveries(ports(), log, 3_600_000)();

    // then
    expect(await doc(scheduled)).toMatchObject({ state: 'delivered' });
    expect(await doc(fromCli)).toMatchObject({ state: 'dispatched', data_box_status: null });

    // when: the operator runs it by hand once the second message is read
    peer.messages.set('85000002', { status: 7, deliveryTime: '2026-11-08T10:00:00+01:00', acceptanceTime: '2026-11-09T09:00:00+01:00' });
    const out: string[] = [];
    const err: string[] = [];
    const ctx = (isdsConfig: boolean) => ({
      db, clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l: string) => out.push(l), err: (l: string) => err.push(l),
      config: { ...testConfig(), isds: isdsConfig ? { url: peer.url, ...login, pollIntervalMs: 900_000, sendIntervalMs: 30_000 } : null },
    });
    expect(await runCli(COMMANDS, ['dispatch', 'data-box'], ctx(false))).toBe(1);
    expect(err).toEqual([expect.stringContaining('ISDS_NOT_CONFIGURED')]);
    expect(await runCli(COMMANDS, ['dispatch', 'data-box'], ctx(true))).toBe(0);

    // then
    // asked: the two in the box, this one, and the two undeliverable ones (they stay dispatched for a person to act on)
    expect(out).toEqual(['asked 5\tdelivered 1\treceipts 1\tfailed 0']);
    expect(await doc(fromCli)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-09T08:00:00Z'), data_box_status: 7 });
    expect(await deliveries(fromCli)).toHaveLength(1);
  });
});
