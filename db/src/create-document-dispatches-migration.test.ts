import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up } from '../migrations/20261206100000_create_document_dispatches';
import { appendAuditLog } from './audit-log';
import type { Db } from './connection';
import { createTestDb } from './testing';

describe('migration 20261206100000: each outgoing document\'s single addressee becomes its first dispatch', () => {
  let db: Db;
  let close: () => Promise<void>;
  const at = new Date('2026-10-01T09:00:00Z');
  let n = 0;

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    // back to one addressee per document, as the office had it before
    await down(db);
  }, 180_000);
  afterAll(() => close());

  /** An outgoing document recorded the old way, with its file and journal row. */
  async function outgoing(row: Record<string, unknown>, journal: Record<string, unknown> = {}): Promise<string> {
    n += 1;
    const fileId = randomUUID();
    const id = randomUUID();
    await db('files').insert({ id: fileId, file_reference: `MMKV/${900 + n}/2026`, subject: 'Věc', state: 'open', kind: 'file', created_by: 'user:referent', created_at: at });
    await db('documents').insert({ id, jid: `MMKV9${String(n).padStart(8, '0')}`, file_id: fileId, direction: 'outgoing', subject: 'Rozhodnutí', state: 'created', created_by: 'user:referent', created_at: at, ...row });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: 900 + n, reference_number: `MMKV/${900 + n}/2026`, jid: `MMKV9${String(n).padStart(8, '0')}`, document_id: id, file_id: fileId, direction: 'outgoing', received_at: at, subject: 'Rozhodnutí', sender: 'Magistrát', ...journal });
    return id;
  }

  it('keeps the addressee, way, days, deemed delivery, data message, delivery receipt and send request', async () => {
    // given
    const partyId = randomUUID();
    await db('parties').insert({ id: partyId, kind: 'organisation', display_name: 'Vodárny Vary a.s.', organisation_name: 'Vodárny Vary a.s.', data_box_id: 'vod4var', search_text: 'vodarny', created_by: 'user:referent' });
    const dispatched = new Date('2026-10-02T12:00:00Z');
    const delivered = new Date('2026-10-12T23:00:00Z');
    const byBox = await outgoing({ addressee_party_id: partyId, channel: 'data-box', state: 'delivered', dispatched_at: dispatched, delivered_at: delivered, data_box_message_id: '81000001', data_box_status: 5, data_box_checked_at: delivered }, { addressee: 'Vodárny Vary a.s.', addressee_party_id: partyId });
    const receipt = Buffer.from('doručenka');
    const sha256 = createHash('sha256').update(receipt).digest('hex');
    await db('blobs').insert({ sha256, size: receipt.length, content: receipt });
    const receiptId = randomUUID();
    await db('components').insert({ id: receiptId, document_id: byBox, blob_sha256: sha256, file_name: 'dorucenka-81000001.zfo', media_type: 'application/octet-stream', size: receipt.length, derivation: 'delivery-receipt', created_at: delivered });
    await db('data_box_sends').insert({ document_id: byBox, state: 'sent', requested_by: 'user:podatelna', requested_at: at, dm_id: '81000001', sent_at: dispatched, to_hands: 'Ing. Nováková' });
    const byHand = await outgoing({ channel: 'post', state: 'delivered', dispatched_at: dispatched, delivered_at: delivered }, { addressee: 'Jan Novák' });
    await db.transaction((trx) => appendAuditLog(trx, { actor: 'user:referent', eventType: 'Doruceno', objectType: 'Dokument', objectId: byHand, details: { deemed: true } }));
    const waiting = await outgoing({ channel: 'post' });
    const cancelled = await outgoing({ channel: 'email', state: 'cancelled' });

    // when
    await up(db);

    // then
    const rows = await db('document_dispatches').whereIn('document_id', [byBox, byHand, waiting, cancelled]);
    const of = (id: string) => rows.filter((r) => r.document_id === id);
    expect(of(byBox)).toEqual([expect.objectContaining({
      position: 1, party_id: partyId, addressee: 'Vodárny Vary a.s.', channel: 'data-box', state: 'delivered', dispatched_at: dispatched, delivered_at: delivered, deemed: true,
      data_box_message_id: '81000001', data_box_status: 5, delivery_receipt_component_id: receiptId,
    })]);
    expect(of(byHand)).toEqual([expect.objectContaining({ position: 1, party_id: null, addressee: 'Jan Novák', channel: 'post', state: 'delivered', deemed: true })]);
    expect(of(waiting)).toEqual([expect.objectContaining({ position: 1, addressee: null, channel: 'post', state: 'created', dispatched_at: null })]);
    expect(of(cancelled)).toEqual([expect.objectContaining({ state: 'created', channel: 'email' })]);
    expect(await db('data_box_sends').where({ document_id: byBox })).toEqual([expect.objectContaining({ dispatch_id: of(byBox)[0].id, state: 'sent', dm_id: '81000001', to_hands: 'Ing. Nováková' })]);
    // the document keeps its own columns as they were
    expect(await db('documents').where({ id: byBox }).first()).toMatchObject({ state: 'delivered', addressee_party_id: partyId, data_box_message_id: '81000001' });
  });
});
