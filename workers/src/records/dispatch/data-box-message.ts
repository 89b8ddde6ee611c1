import type { Knex } from 'knex';
import type { OutgoingMessage } from '../../clients/isds/isds-client';
import { detectFormat } from '../../intake/format-detection';
import { DomainError } from '../../shared/domain-error';
import { readBlob } from '../disposal/lifecycle.repository';
import { listMessageComponents } from './data-box-send.repository';
import type { DataBoxSendOptions } from './request-data-box-send';

/** ISDS takes data messages of up to 50 MB (all files together). */
export const DATA_BOX_MAX_BYTES = 50 * 1024 * 1024;
/** A data box ID (tIdDb): seven characters, letters and digits. */
const BOX_ID = /^[a-z0-9]{7}$/;

/** The addressee's own reference number: the incoming document this answers, or the last one the addressee sent into the file, that gave one. */
async function recipientReference(trx: Knex | Knex.Transaction, doc: { in_reply_to: string | null; file_id: string }, partyId: string | null): Promise<string | null> {
  if (doc.in_reply_to) {
    const replied = await trx('documents').where({ id: doc.in_reply_to }).first('sender_reference');
    if (replied?.sender_reference) return replied.sender_reference;
  }
  if (!partyId) return null;
  const incoming = await trx('documents')
    .where({ file_id: doc.file_id, direction: 'incoming', sender_party_id: partyId }).whereNotNull('sender_reference')
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first('sender_reference');
  return incoming?.sender_reference ?? null;
}

function upTo50(value: string | null, what: string): string | null {
  if (value && value.length > 50) throw new DomainError('DATA_BOX_SEND_REFERENCE_TOO_LONG', `${what} has more than 50 characters`);
  return value || null;
}

/**
 * The data message that carries an outgoing document to the data box of one of its addressees (the
 * dispatch `dispatchId`, by data box; without it the document's first): the matter as dmAnnotation, our reference number and file reference as the sender's,
 * the addressee's own reference number (from the document it answers) as the recipient's, and the
 * document's components as files — the first one the main, MIME types by content — and what the
 * request asked to be set (`options`: to the hands of, personal delivery, legal title). `withContent`
 * false only checks that it can be made (no file bytes read). Refusals are DATA_BOX_SEND_*.
 */
export async function buildDataBoxMessage(trx: Knex | Knex.Transaction, documentId: string, opts: { withContent: boolean; options?: DataBoxSendOptions; dispatchId?: string }): Promise<OutgoingMessage> {
  const doc = await trx('documents').where({ id: documentId }).first();
  if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${documentId} does not exist`);
  const dispatch = await trx('document_dispatches').where({ document_id: doc.id }).modify((q) => (opts.dispatchId ? q.where({ id: opts.dispatchId }) : q.orderBy('position'))).first('party_id', 'channel');
  const channel = dispatch ? dispatch.channel : doc.channel;
  const partyId: string | null = dispatch ? dispatch.party_id : doc.addressee_party_id;
  if (channel !== 'data-box') throw new DomainError('DATA_BOX_SEND_CHANNEL', `document ${doc.jid} is dispatched by ${channel ?? 'nothing'}`, 'business');
  const party = partyId ? await trx('parties').where({ id: partyId }).first('data_box_id') : null;
  const boxId = party?.data_box_id?.trim().toLowerCase() ?? '';
  if (!BOX_ID.test(boxId)) throw new DomainError('DATA_BOX_SEND_NO_BOX', `the addressee of ${doc.jid} has no valid data box ID`, 'business');
  const components = await listMessageComponents(trx, doc.id);
  if (components.length === 0 || components.some((c) => !c.blob_sha256)) throw new DomainError('DATA_BOX_SEND_NO_COMPONENTS', `document ${doc.jid} has no files to send`, 'business');
  if (components.reduce((n, c) => n + c.size, 0) > DATA_BOX_MAX_BYTES) throw new DomainError('DATA_BOX_SEND_TOO_LARGE', `the files of ${doc.jid} exceed ${DATA_BOX_MAX_BYTES} bytes`, 'business');
  const file = doc.file_id ? await trx('files').where({ id: doc.file_id }).first('file_reference') : null;

  const files: OutgoingMessage['files'] = [];
  for (const c of components) {
    const content = opts.withContent ? await readBlob(trx, c.blob_sha256!) : Buffer.alloc(0);
    if (!content) throw new DomainError('DATA_BOX_SEND_NO_COMPONENTS', `the content of ${c.file_name} of ${doc.jid} is missing`, 'business');
    // by content, never by name; the stored type for what we cannot name
    const detected = opts.withContent ? detectFormat(content) : null;
    files.push({ fileName: c.file_name, mimeType: detected && detected.format !== 'unknown' ? detected.mediaType : c.media_type, content });
  }
  return {
    recipientBoxId: boxId,
    annotation: Array.from(String(doc.subject).replace(/\s+/g, ' ').trim()).slice(0, 255).join(''),
    senderRefNumber: upTo50(doc.reference_number, 'the reference number'),
    senderIdent: upTo50(file?.file_reference ?? null, 'the file reference'),
    recipientRefNumber: upTo50(doc.file_id ? await recipientReference(trx, doc, partyId) : null, "the addressee's reference number"),
    recipientIdent: null,
    toHands: opts.options?.toHands ?? null,
    personalDelivery: opts.options?.personalDelivery ?? false,
    legalTitle: opts.options?.legalTitle ?? null,
    files,
  };
}
