import { createHash, randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createIsdsClient, type IsdsClient } from '../../clients/isds/isds-client';
import { startIsdsTestPeer, type IsdsTestPeer } from '../../clients/isds/testing/isds-test-peer';
import { testConfig } from '../../testing/fixtures';
import { insertOpenFile, PDFA, seedRecordsBasics } from '../disposal/disposal.fixture';
import type { Actor } from '../records.model';
import { takeOverDataBoxDeliveries } from './data-box-deliveries';
import { addDispatchAddressee, removeDispatchAddressee } from './dispatch-addressees';
import { listDispatchQueue } from './dispatch-queue.repository';
import { listDocumentDispatches } from './document-dispatches.repository';
import { recordDelivery } from './record-delivery';
import { recordDispatch } from './record-dispatch';
import { requestDataBoxSend } from './request-data-box-send';
import { sendPendingDataBoxMessages } from './send-data-box-messages';

const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const stranger: Actor = { username: 'cizi', roles: ['referent'], orgUnit: 'XX' };
const login = { username: 'mmkv01', password: 'Heslo-123' };
const log = pino({ level: 'silent' });
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

describe('a decision to several addressees, each with its own dispatch (NSESSS tVypraveni)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let peer: IsdsTestPeer;
  let isds: IsdsClient;
  let now = new Date('2026-11-10T08:00:00Z');
  const ports = () => ({ db, clock: () => now, isds, config: { ...testConfig(), isds: { url: peer.url, ...login, pollIntervalMs: 900_000, sendIntervalMs: 30_000 } } });
  let classId = '';
  let seq = 0;

  async function party(name: string, dataBoxId: string | null = null): Promise<string> {
    const id = randomUUID();
    await db('parties').insert({ id, kind: 'organisation', display_name: name, organisation_name: name, data_box_id: dataBoxId, search_text: name.toLowerCase(), created_by: 'user:referent' });
    return id;
  }

  /** A decision made on 2 November 2026 in a new open file of unit OD, to `addressee` by post, with a sealed PDF. */
  async function decision(addressee: string | null): Promise<string> {
    const f = await insertOpenFile(db, { classId, components: [] });
    const id = randomUUID();
    const jid = `MMKV${9100000 + (seq += 1)}`;
    const at = new Date('2026-11-02T09:00:00Z');
    const name = addressee ? (await db('parties').where({ id: addressee }).first()).display_name : null;
    await db('documents').insert({ id, jid, file_id: f.fileId, direction: 'outgoing', subject: 'Rozhodnutí o zvláštním užívání', reference_number: `${f.fileReference}-2`, state: 'created', form: 'electronic', channel: 'post', addressee_party_id: addressee, created_by: 'user:referent', created_at: at, order_in_file: 2, org_unit: 'OD' });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: 9100 + seq, reference_number: `${f.fileReference}-2`, jid, document_id: id, file_id: f.fileId, direction: 'outgoing', received_at: at, subject: 'Rozhodnutí', sender: 'Magistrát města Karlovy Vary', channel: 'post', addressee: name, addressee_party_id: addressee });
    const sha256 = createHash('sha256').update(PDFA).digest('hex');
    await db('blobs').insert({ sha256, size: PDFA.length, content: PDFA }).onConflict('sha256').ignore();
    await db('components').insert({ id: randomUUID(), document_id: id, blob_sha256: sha256, file_name: 'rozhodnuti.pdf', media_type: 'application/pdf', size: PDFA.length, created_at: at });
    return id;
  }
  const doc = (id: string) => db('documents').where({ id }).first();
  const journal = (id: string) => db('journal').where({ document_id: id }).first();
  const logOf = (id: string) => db('audit_log').where({ object_id: id }).orderBy('id');

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

  it('dispatches to three addressees by three ways; the document is dispatched when all are, delivered on the last delivery', async () => {
    // given: the applicant by post, then a company with a data box and a neighbour by e-mail
    const applicant = await party('Stavby Vary s.r.o.');
    const company = await party('Vodárny Vary a.s.', 'vod4var');
    const neighbour = await party('Spolek Drahovice');
    const id = await decision(applicant);
    const second = await addDispatchAddressee(ports(), referent, { documentId: id, partyId: company });
    const third = await addDispatchAddressee(ports(), referent, { documentId: id, partyId: neighbour, channel: 'email' });
    const dispatches = await listDocumentDispatches(db, id);
    expect(dispatches.map((d) => [d.position, d.party_id, d.channel, d.state])).toEqual([
      [1, applicant, 'post', 'created'], [2, company, 'data-box', 'created'], [3, neighbour, 'email', 'created'],
    ]);
    expect((await journal(id)).addressee).toBe('Stavby Vary s.r.o.; Vodárny Vary a.s.; Spolek Drahovice');

    // a dispatch with several waiting needs the addressee named
    await expect(recordDispatch(ports(), podatelna, { documentId: id, day: '2026-11-03' })).rejects.toMatchObject({ code: 'DISPATCH_ADDRESSEE_REQUIRED' });

    // when: the applicant's by post on 3 November
    await recordDispatch(ports(), podatelna, { documentId: id, dispatchId: dispatches[0].id, day: '2026-11-03' });

    // then: the document still waits for the others; the dispatch list has a row per addressee
    expect(await doc(id)).toMatchObject({ state: 'created', dispatched_at: null });
    const waiting = await listDispatchQueue(db, { stage: 'to-dispatch', page: 1, pageSize: 50 });
    expect(waiting.rows.filter((r) => r.document_id === id).map((r) => [r.dispatch_id, r.addressee, r.channel, r.addressee_count])).toEqual([
      [second.dispatchId, 'Vodárny Vary a.s.', 'data-box', 3], [third.dispatchId, 'Spolek Drahovice', 'email', 3],
    ]);
    expect((await listDispatchQueue(db, { stage: 'to-deliver', page: 1, pageSize: 50 })).rows.filter((r) => r.document_id === id).map((r) => r.dispatch_id)).toEqual([dispatches[0].id]);

    // when: the company's through the data box, the neighbour's by e-mail on 4 November
    await requestDataBoxSend(ports(), podatelna, { documentId: id, dispatchId: second.dispatchId });
    now = new Date('2026-11-04T08:00:00Z');
    expect((await sendPendingDataBoxMessages(ports(), log)).sent).toEqual([id]);
    const [dmId, message] = [...peer.sent.entries()].at(-1)!;
    expect(message.recipientBoxId).toBe('vod4var');
    await recordDispatch(ports(), podatelna, { documentId: id, dispatchId: third.dispatchId, day: '2026-11-04' });

    // then: dispatched on the last day
    expect(await doc(id)).toMatchObject({ state: 'dispatched', dispatched_at: now, channel: 'post' });
    expect(new Date((await journal(id)).dispatched_at)).toEqual(now);

    // when: the applicant signs for it on 6 November; ISDS delivers the company's by fiction on 14 November
    now = new Date('2026-11-20T08:00:00Z');
    await recordDelivery(ports(), referent, { documentId: id, dispatchId: dispatches[0].id, day: '2026-11-06' });
    expect(await doc(id)).toMatchObject({ state: 'dispatched', delivered_at: null });
    peer.messages.set(dmId, { ...peer.messages.get(dmId)!, status: 5, deliveryTime: '2026-11-04T10:00:00+01:00', acceptanceTime: '2026-11-14T00:00:00+01:00' });
    const run = await takeOverDataBoxDeliveries(ports(), log);
    expect(run.delivered).toEqual([id]);
    expect(run.receipts).toEqual([id]);
    // the same take-over again records nothing twice
    expect((await takeOverDataBoxDeliveries(ports(), log)).delivered).toEqual([]);
    expect(await doc(id)).toMatchObject({ state: 'dispatched', delivered_at: null });

    // when: the neighbour's delivery, the last, on 18 November
    await recordDelivery(ports(), podatelna, { documentId: id, dispatchId: third.dispatchId, day: '2026-11-18' });
    await expect(recordDelivery(ports(), podatelna, { documentId: id, dispatchId: third.dispatchId, day: '2026-11-18' })).rejects.toMatchObject({ code: 'DELIVERY_STATE' });

    // then: delivered on the last delivery day (legal force follows it); each dispatch keeps its own
    expect(await doc(id)).toMatchObject({ state: 'delivered', delivered_at: new Date('2026-11-18T12:00:00Z') });
    expect(new Date((await journal(id)).delivered_at)).toEqual(new Date('2026-11-18T12:00:00Z'));
    const done = await listDocumentDispatches(db, id);
    expect(done.map((d) => [d.state, d.deemed, d.delivered_at?.toISOString()])).toEqual([
      ['delivered', false, '2026-11-06T12:00:00.000Z'], ['delivered', true, '2026-11-13T23:00:00.000Z'], ['delivered', false, '2026-11-18T12:00:00.000Z'],
    ]);
    expect(done[1]).toMatchObject({ data_box_message_id: dmId, data_box_status: 5 });
    expect(done[1].delivery_receipt_component_id).not.toBeNull();
    // a Vypraveno and a Doruceno per addressee, naming the dispatch and the party's id, no names
    const entries = (await logOf(id)).filter((e) => ['Vypraveno', 'Doruceno'].includes(e.event_type));
    expect(entries.map((e) => [e.event_type, details(e).dispatchId, details(e).addresseeParty])).toEqual([
      ['Vypraveno', dispatches[0].id, applicant], ['Vypraveno', second.dispatchId, company], ['Vypraveno', third.dispatchId, neighbour],
      ['Doruceno', dispatches[0].id, applicant], ['Doruceno', second.dispatchId, company], ['Doruceno', third.dispatchId, neighbour],
    ]);
    expect(JSON.stringify(entries.map((e) => e.details))).not.toMatch(/Vodárny|Spolek|Stavby/);
  });

  it('refuses bad input with a code and changes nothing', async () => {
    const applicant = await party('Jiří Dvořák');
    const other = await party('Obec Andělská Hora');
    const id = await decision(applicant);
    await addDispatchAddressee(ports(), referent, { documentId: id, partyId: other });
    const before = { dispatches: await listDocumentDispatches(db, id), log: (await logOf(id)).length, doc: await doc(id) };

    await expect(addDispatchAddressee(ports(), referent, { documentId: id, partyId: other })).rejects.toMatchObject({ code: 'DISPATCH_ADDRESSEE_DUPLICATE' });
    await expect(addDispatchAddressee(ports(), referent, { documentId: id, partyId: randomUUID() })).rejects.toMatchObject({ code: 'PARTY_NOT_FOUND' });
    await expect(addDispatchAddressee(ports(), referent, { documentId: id, partyId: 'not-an-id' })).rejects.toMatchObject({ code: 'PARTY_NOT_FOUND' });
    await expect(addDispatchAddressee(ports(), referent, { documentId: id, partyId: other, channel: 'internal' })).rejects.toMatchObject({ code: 'DISPATCH_CHANNEL_INVALID' });
    await expect(addDispatchAddressee(ports(), stranger, { documentId: id, partyId: other })).rejects.toMatchObject({ code: 'FILE_ACCESS_DENIED' });
    await expect(addDispatchAddressee(ports(), { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' }, { documentId: id, partyId: other })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(removeDispatchAddressee(ports(), referent, { documentId: id, dispatchId: randomUUID() })).rejects.toMatchObject({ code: 'DISPATCH_NOT_FOUND' });
    await expect(recordDispatch(ports(), referent, { documentId: id, dispatchId: randomUUID(), day: '2026-11-05' })).rejects.toMatchObject({ code: 'DISPATCH_NOT_FOUND' });
    await expect(recordDelivery(ports(), referent, { documentId: id, dispatchId: before.dispatches[0].id, day: '2026-11-05' })).rejects.toMatchObject({ code: 'DELIVERY_STATE' });
    expect(await listDocumentDispatches(db, id)).toEqual(before.dispatches);
    expect((await logOf(id)).length).toBe(before.log);
    expect(await doc(id)).toEqual(before.doc);

    // a dispatched addressee stays; the last one stays; once all are dispatched nobody is added
    await recordDispatch(ports(), referent, { documentId: id, dispatchId: before.dispatches[0].id, day: '2026-11-05' });
    await expect(removeDispatchAddressee(ports(), referent, { documentId: id, dispatchId: before.dispatches[0].id })).rejects.toMatchObject({ code: 'DISPATCH_STATE' });
    await removeDispatchAddressee(ports(), referent, { documentId: id, dispatchId: before.dispatches[1].id });
    expect(await doc(id)).toMatchObject({ state: 'dispatched' });
    expect((await journal(id)).addressee).toBe('Jiří Dvořák');
    await expect(addDispatchAddressee(ports(), referent, { documentId: id, partyId: other })).rejects.toMatchObject({ code: 'DISPATCH_STATE' });
    const single = await decision(applicant);
    const [only] = await (async () => {
      await addDispatchAddressee(ports(), referent, { documentId: single, partyId: other });
      await removeDispatchAddressee(ports(), referent, { documentId: single, dispatchId: (await listDocumentDispatches(db, single))[1].id });
      return listDocumentDispatches(db, single);
    })();
    await expect(removeDispatchAddressee(ports(), referent, { documentId: single, dispatchId: only.id })).rejects.toMatchObject({ code: 'DISPATCH_LAST_ADDRESSEE' });
  });

  it('gives a document without an addressee the first one it is given, instead of a second dispatch', async () => {
    const id = await decision(null);
    const company = await party('Lázně Kyselka s.r.o.', 'laz5kys');
    await addDispatchAddressee(ports(), referent, { documentId: id, partyId: company });
    expect((await listDocumentDispatches(db, id)).map((d) => [d.position, d.party_id, d.channel])).toEqual([[1, company, 'data-box']]);
    expect(await doc(id)).toMatchObject({ addressee_party_id: company, channel: 'data-box' });
  });
});
