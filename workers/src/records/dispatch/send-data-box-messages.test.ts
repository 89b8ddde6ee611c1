import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createIsdsClient, type IsdsClient } from '../../clients/isds/isds-client';
import { startIsdsTestPeer, validateIsdsXml, type IsdsTestPeer } from '../../clients/isds/testing/isds-test-peer';
import { testConfig } from '../../testing/fixtures';
import { insertOpenFile, PDFA, seedRecordsBasics } from '../disposal/disposal.fixture';
import type { Actor } from '../records.model';
import { takeOverDataBoxDeliveries } from './data-box-deliveries';
import { recordDispatch } from './record-dispatch';
import { requestDataBoxSend } from './request-data-box-send';
import { sendPendingDataBoxMessages } from './send-data-box-messages';

const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const login = { username: 'mmkv01', password: 'Heslo-123' };
const log = pino({ level: 'silent' });
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('mapa výtluku')]);
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

describe('sending outgoing documents through the data box (CreateMessage against a schema-checking SOAP peer)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let peer: IsdsTestPeer;
  let isds: IsdsClient;
  let now = new Date('2026-11-20T08:00:00Z');
  const config = () => ({ ...testConfig(), isds: { url: peer.url, ...login, pollIntervalMs: 900_000, sendIntervalMs: 30_000 } });
  const ports = () => ({ db, clock: () => now, config: config(), isds });
  let classId = '';
  let seq = 0;

  /**
   * An answer made on 19 November 2026, dispatched by data box to a company with box `box`, replying to
   * the company's letter of reference `theirRef` in the same file; components: a PDF stored as
   * octet-stream (its type comes from its content) and a map.
   */
  async function answer(opts: { box?: string | null; theirRef?: string | null; channel?: string; components?: { name: string; type: string; content: Buffer }[] } = {}) {
    const f = await insertOpenFile(db, { classId, components: [] });
    // one party per data box (the register keeps a box once)
    const box = opts.box === undefined ? 'abc2def' : opts.box;
    const known = box ? await db('parties').where({ data_box_id: box }).whereNull('merged_into').first('id') : undefined;
    const partyId = known?.id ?? randomUUID();
    if (!known) await db('parties').insert({ id: partyId, kind: 'organisation', display_name: 'Správa silnic s.r.o.', organisation_name: 'Správa silnic s.r.o.', data_box_id: box, search_text: 'sprava silnic', created_by: 'user:podatelna' });
    await db('documents').where({ id: f.documentId }).update({ sender_party_id: partyId, sender_reference: opts.theirRef === undefined ? 'SS/123/2026' : opts.theirRef });
    const id = randomUUID();
    const jid = `MMKV${8000000 + (seq += 1)}`;
    const at = new Date('2026-11-19T09:00:00Z');
    await db('documents').insert({ id, jid, file_id: f.fileId, direction: 'outgoing', subject: 'Oprava výtluku v ulici Moskevská', reference_number: `${f.fileReference}-2`, state: 'created', form: 'electronic', channel: opts.channel ?? 'data-box', addressee_party_id: partyId, created_by: 'user:referent', created_at: at, order_in_file: 2, org_unit: 'OD', handler: 'referent' });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: 8000 + seq, reference_number: `${f.fileReference}-2`, jid, document_id: id, file_id: f.fileId, direction: 'outgoing', received_at: at, subject: 'Oprava výtluku', sender: 'Magistrát města Karlovy Vary', channel: opts.channel ?? 'data-box' });
    const components = opts.components ?? [{ name: 'odpoved.pdf', type: 'application/octet-stream', content: PDFA }, { name: 'mapa.png', type: 'image/png', content: PNG }];
    for (const [i, c] of components.entries()) {
      const sha256 = createHash('sha256').update(c.content).digest('hex');
      await db('blobs').insert({ sha256, size: c.content.length, content: c.content }).onConflict('sha256').ignore();
      await db('components').insert({ id: randomUUID(), document_id: id, blob_sha256: sha256, file_name: c.name, media_type: c.type, size: c.content.length, created_at: new Date(at.getTime() + i * 1000) });
    }
    return { id, jid, fileReference: f.fileReference, referenceNumber: `${f.fileReference}-2` };
  }
  const doc = (id: string) => db('documents').where({ id }).first();
  const send = (id: string) => db('data_box_sends').where({ document_id: id }).first();
  const creates = () => peer.requests.filter((r) => r.includes('CreateMessage'));

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

  it('sends the document once as a data message with its files, envelope and references, and records the dispatch with the new dmID', async () => {
    // given: the registry office asks twice (a double click); a hand-made dispatch meanwhile is refused
    const a = await answer();
    expect(await requestDataBoxSend(ports(), podatelna, { documentId: a.id })).toEqual({ state: 'pending', requested: true, dispatchId: expect.any(String) });
    expect(await requestDataBoxSend(ports(), podatelna, { documentId: a.id })).toEqual({ state: 'pending', requested: false, dispatchId: expect.any(String) });
    await expect(recordDispatch(ports(), podatelna, { documentId: a.id, channel: 'data-box' })).rejects.toMatchObject({ code: 'DISPATCH_DATA_BOX_PENDING' });
    expect(await doc(a.id)).toMatchObject({ state: 'created', data_box_message_id: null });
    expect(creates()).toEqual([]);

    // when: two senders run at once (two nodes), then once more
    now = new Date('2026-11-20T08:05:00Z');
    const [r1, r2] = await Promise.all([sendPendingDataBoxMessages(ports(), log), sendPendingDataBoxMessages(ports(), log)]);
    await sendPendingDataBoxMessages(ports(), log);

    // then: one CreateMessage, valid to the official schema, with what the addressee needs
    expect([...r1.sent, ...r2.sent]).toEqual([a.id]);
    expect(creates()).toHaveLength(1);
    expect(await validateIsdsXml(creates()[0])).toEqual({ valid: true, errors: [] });
    const [dmId, message] = [...peer.sent.entries()][0];
    expect(message).toMatchObject({
      recipientBoxId: 'abc2def', annotation: 'Oprava výtluku v ulici Moskevská', senderRefNumber: a.referenceNumber, senderIdent: a.fileReference,
      recipientRefNumber: 'SS/123/2026', recipientIdent: null, toHands: null, personalDelivery: false, legalTitle: [null, null, null, null, null],
    });
    expect(message.files.map((f) => [f.fileName, f.mimeType, f.metaType])).toEqual([['odpoved.pdf', 'application/pdf', 'main'], ['mapa.png', 'image/png', 'enclosure']]);
    expect(message.files.map((f) => f.content)).toEqual([PDFA, PNG]);
    for (const xml of peer.responses) expect(await validateIsdsXml(xml)).toEqual({ valid: true, errors: [] });

    // the dispatch as recordDispatch records it, with the message's ID, by the clerk who asked
    expect(await doc(a.id)).toMatchObject({ state: 'dispatched', channel: 'data-box', data_box_message_id: dmId, dispatched_at: now });
    expect(new Date((await db('journal').where({ document_id: a.id }).first()).dispatched_at)).toEqual(now);
    const logged = await db('audit_log').where({ object_id: a.id, event_type: 'Vypraveno' });
    expect(logged.map((e) => [e.actor, details(e)])).toEqual([['user:podatelna', { jid: a.jid, dispatchId: expect.any(String), addresseeParty: expect.any(String), dispatchedAt: now.toISOString(), channel: 'data-box', dataBoxMessageId: dmId }]]);
    expect(await send(a.id)).toMatchObject({ state: 'sent', dm_id: dmId, attempts: 1, error_code: null });

    // asking again now is refused; the delivery is then taken over from ISDS for this very message
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: a.id })).rejects.toMatchObject({ code: 'DISPATCH_STATE' });
    peer.messages.set(dmId, { ...peer.messages.get(dmId)!, status: 6, deliveryTime: '2026-11-20T10:00:00+01:00', acceptanceTime: '2026-11-20T11:00:00+01:00' });
    expect((await takeOverDataBoxDeliveries(ports(), log)).delivered).toContain(a.id);
    expect(creates()).toHaveLength(1);
  });

  it('keeps a refusal of ISDS with its code and message, and sends when asked again', async () => {
    // given
    const a = await answer({ box: 'zzz9999', theirRef: null });
    peer.refusedBoxes.set('zzz9999', { code: '1214', message: 'Datová schránka adresáta není aktivní.' });
    await requestDataBoxSend(ports(), podatelna, { documentId: a.id });

    // when
    const first = await sendPendingDataBoxMessages(ports(), log);

    // then
    expect(first).toEqual({ sent: [], failed: [a.id], deferred: 0 });
    expect(await send(a.id)).toMatchObject({ state: 'failed', error_code: 'ISDS_STATUS', isds_status_code: '1214', isds_status_message: 'Datová schránka adresáta není aktivní.' });
    expect(await doc(a.id)).toMatchObject({ state: 'created', dispatched_at: null });
    expect(await sendPendingDataBoxMessages(ports(), log)).toEqual({ sent: [], failed: [], deferred: 0 });

    // when: the box is active again and the registry office asks again, now into the hands of a named
    // person, for personal delivery, under § 19 (1) of the Code of Administrative Procedure
    peer.refusedBoxes.delete('zzz9999');
    const options = { toHands: '  Ing. Jana   Nováková ', personalDelivery: true, legalTitle: { law: '500', year: '2004', sect: '§ 19', par: '1', point: '' } };
    expect(await requestDataBoxSend(ports(), podatelna, { documentId: a.id, ...options })).toEqual({ state: 'pending', requested: true, dispatchId: expect.any(String) });
    expect(await send(a.id)).toMatchObject({ state: 'pending', error_code: null, isds_status_code: null, to_hands: 'Ing. Jana Nováková', personal_delivery: true, legal_title_law: 500, legal_title_year: 2004 });
    expect((await sendPendingDataBoxMessages(ports(), log)).sent).toEqual([a.id]);

    // then: without the addressee's reference, nil in the envelope; with what was asked, schema-valid
    expect(await send(a.id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(peer.sent.get((await doc(a.id)).data_box_message_id)).toMatchObject({
      recipientBoxId: 'zzz9999', recipientRefNumber: null, toHands: 'Ing. Jana Nováková', personalDelivery: true, legalTitle: ['500', '2004', '19', '1', null],
    });
    expect(await validateIsdsXml(creates().at(-1)!)).toEqual({ valid: true, errors: [] });
  });

  it('waits while ISDS cannot be reached, fails (never resends) when its answer is lost or a node died during the call', async () => {
    const a = await answer();
    await requestDataBoxSend(ports(), podatelna, { documentId: a.id });
    const before = creates().length;

    // a refused connection: ISDS has nothing, the request waits for the next run
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    // another loopback address than the peers listen on, so no other test's server takes the freed port
    const down = createIsdsClient({ url: `http://127.0.0.2:${port}/DS`, ...login });
    expect(await sendPendingDataBoxMessages({ ...ports(), isds: down }, log)).toEqual({ sent: [], failed: [], deferred: 1 });
    expect(await send(a.id)).toMatchObject({ state: 'pending' });

    // a SOAP fault: the outcome is not known, so it fails for a person to check
    const broken = createIsdsClient({ url: `${peer.url}/nothing`, ...login });
    expect(await sendPendingDataBoxMessages({ ...ports(), isds: broken }, log)).toEqual({ sent: [], failed: [a.id], deferred: 0 });
    expect(await send(a.id)).toMatchObject({ state: 'failed', error_code: 'ISDS_FAULT', isds_status_code: null });
    expect(await doc(a.id)).toMatchObject({ state: 'created' });

    // a node that took a request and died: after ten minutes it fails, with no call to ISDS
    const b = await answer();
    await requestDataBoxSend(ports(), podatelna, { documentId: b.id });
    await db('data_box_sends').where({ document_id: b.id }).update({ state: 'sending', claimed_at: new Date(now.getTime() - 11 * 60_000) });
    await sendPendingDataBoxMessages(ports(), log);
    expect(await send(b.id)).toMatchObject({ state: 'failed', error_code: 'DATA_BOX_SEND_INTERRUPTED' });
    expect(creates().length).toBe(before);
    // the registry office, having found the message in the box, records the dispatch by hand
    await recordDispatch(ports(), podatelna, { documentId: b.id, channel: 'data-box', dataBoxMessageId: '90099999' });
    expect(await doc(b.id)).toMatchObject({ state: 'dispatched', data_box_message_id: '90099999' });
  });

  it('refuses what cannot be sent, and anybody but the registry office, changing nothing', async () => {
    const noBox = await answer({ box: null });
    const badBox = await answer({ box: 'abc' });
    const noFiles = await answer({ components: [] });
    const byPost = await answer({ channel: 'post' });
    const ok = await answer();
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: noBox.id })).rejects.toMatchObject({ code: 'DATA_BOX_SEND_NO_BOX' });
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: badBox.id })).rejects.toMatchObject({ code: 'DATA_BOX_SEND_NO_BOX' });
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: noFiles.id })).rejects.toMatchObject({ code: 'DATA_BOX_SEND_NO_COMPONENTS' });
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: byPost.id })).rejects.toMatchObject({ code: 'DATA_BOX_SEND_CHANNEL' });
    await expect(requestDataBoxSend(ports(), referent, { documentId: ok.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(requestDataBoxSend({ ...ports(), config: testConfig() }, podatelna, { documentId: ok.id })).rejects.toMatchObject({ code: 'ISDS_NOT_CONFIGURED' });
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: randomUUID() })).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    // what the form may add to the message: "to the hands of" up to 50 characters, a legal title with its law and year
    await expect(requestDataBoxSend(ports(), podatelna, { documentId: ok.id, toHands: 'x'.repeat(51) })).rejects.toMatchObject({ code: 'DATA_BOX_SEND_TO_HANDS_TOO_LONG' });
    for (const legalTitle of [{ law: '500' }, { sect: '19' }, { law: 'pět set', year: '2004' }, { law: '500', year: '04' }, { law: '500', year: '2004', par: '1; drop' }]) {
      await expect(requestDataBoxSend(ports(), podatelna, { documentId: ok.id, legalTitle }), JSON.stringify(legalTitle)).rejects.toMatchObject({ code: 'DATA_BOX_SEND_LEGAL_TITLE_INVALID' });
    }
    expect(await db('data_box_sends').whereIn('document_id', [noBox.id, badBox.id, noFiles.id, byPost.id, ok.id])).toEqual([]);
  });
});
