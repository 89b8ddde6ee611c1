import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { putBlob } from '../../registry/registry.repository';

/**
 * Only SQL: the confirmation of receipt of a document with what its rendering states, and the
 * rendering kept as a component of the received document.
 */

export interface ReceiptConfirmationRow {
  id: string;
  document_id: string;
  channel: string;
  issued_at: Date;
  locale: string | null;
  component_id: string | null;
  sealed_component_id: string | null;
}

export function findReceiptConfirmationRow(db: Knex, documentId: string): Promise<ReceiptConfirmationRow | undefined> {
  return db('receipt_confirmations').where({ document_id: documentId }).first('id', 'document_id', 'channel', 'issued_at', 'locale', 'component_id', 'sealed_component_id');
}

/** The received document as its confirmation states it: numbers, time of receipt, sender, subject, the submission's language. */
export async function findReceivedDocument(db: Knex, documentId: string) {
  const row: { jid: string; reference_number: string | null; subject: string; sender_name: string | null; received_at: Date; locale: string | null } | undefined =
    await db('documents as d').join('journal as j', 'j.document_id', 'd.id').leftJoin('submissions as s', 's.id', 'd.submission_id')
      .where('d.id', documentId).first('d.jid', 'd.reference_number', 'd.subject', 'd.sender_name', 'j.received_at', 's.locale');
  if (!row) return undefined;
  // what arrived: the originals, not what the office derived from them later (conversions, this confirmation)
  const components: { file_name: string; media_type: string; size: number | string; blob_sha256: string }[] = await db('components')
    .where({ document_id: documentId }).whereNull('derivation').orderBy('file_name').select('file_name', 'media_type', 'size', 'blob_sha256');
  return { ...row, components: components.map((c) => ({ fileName: c.file_name, mediaType: c.media_type, size: Number(c.size), sha256: c.blob_sha256 })) };
}

/**
 * Stores the rendering as a component of the received document (`derivation = 'receipt-confirmation'`)
 * and points the confirmation at it, logged as Zalozeni of the component. The confirmation row is
 * locked: a run that finds a rendering stored meanwhile returns that one and stores nothing.
 */
export async function storeReceiptConfirmationPdf(
  trx: Knex.Transaction,
  c: { receiptId: string; documentId: string; fileName: string; content: Buffer; locale: string; actor: string; at: Date },
): Promise<{ componentId: string; created: boolean }> {
  const locked: { component_id: string | null } = await trx('receipt_confirmations').where({ id: c.receiptId }).forUpdate().first('component_id');
  if (locked.component_id) return { componentId: locked.component_id, created: false };
  const blob = await putBlob(trx, c.content);
  const componentId = randomUUID();
  await trx('components').insert({
    id: componentId, document_id: c.documentId, blob_sha256: blob.sha256, file_name: c.fileName, media_type: 'application/pdf', format: 'pdf',
    size: blob.size, version: 1, derivation: 'receipt-confirmation', derivation_details: JSON.stringify({ receiptConfirmation: c.receiptId, locale: c.locale }), created_at: c.at,
  });
  await trx('receipt_confirmations').where({ id: c.receiptId }).update({ component_id: componentId, locale: c.locale });
  await appendAuditLog(trx, {
    actor: c.actor, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: componentId, occurredAt: c.at,
    details: { documentId: c.documentId, sha256: blob.sha256, receiptConfirmation: c.receiptId },
  });
  return { componentId, created: true };
}

export async function markReceiptConfirmationSealed(db: Knex, receiptId: string, sealedComponentId: string, at: Date): Promise<void> {
  await db('receipt_confirmations').where({ id: receiptId }).whereNull('sealed_component_id').update({ sealed_component_id: sealedComponentId, sealed_at: at });
}

/**
 * The catch-up confirms only what was received in the last days: a confirmation is due promptly, and
 * the documents of the years before an upgrade (or of a long outage) are not confirmed to their
 * senders after the fact, nor do they hold up today's.
 */
export const RECEIPT_CATCH_UP_MS = 7 * 86_400_000;

/**
 * Documents whose confirmation has no sealed PDF yet, oldest first: those registered from portal
 * submissions issued before `before` (the procedure's job had its time), and those the registry
 * office registered as received by e-mail (no job makes theirs); only those issued `since` then.
 */
export function listUnsealedReceipts(db: Knex, before: Date, since: Date, limit: number): Promise<string[]> {
  return db('receipt_confirmations as r').join('documents as d', 'd.id', 'r.document_id')
    .whereNull('r.sealed_component_id').where('r.issued_at', '>=', since)
    .where((q) => q.where((p) => p.whereNotNull('d.submission_id').where('r.issued_at', '<', before)).orWhere((e) => e.whereNull('d.submission_id').where('d.channel', 'email')))
    .orderBy([{ column: 'r.issued_at' }, { column: 'r.id' }]).limit(limit).pluck('r.document_id');
}

export interface UnsentReceiptEmail {
  id: string;
  document_id: string;
  sealed_component_id: string;
}

/**
 * Sealed confirmations of documents the registry office registered as received by e-mail, not yet
 * sent to the sender's address recorded with the document, and not claimed by a run since
 * `claimedBefore` (an older claim is a crashed run's), issued `since` then; oldest first. A sender
 * without an address is not listed: there is nowhere to send it.
 */
export function listUnsentEmailReceipts(db: Knex, claimedBefore: Date, since: Date, limit: number): Promise<UnsentReceiptEmail[]> {
  return db('receipt_confirmations as r').join('documents as d', 'd.id', 'r.document_id')
    .where('r.issued_at', '>=', since).whereNull('d.submission_id').where('d.channel', 'email').whereNotNull('d.sender_email').whereNot('d.sender_email', '')
    .whereNotNull('r.sealed_component_id').whereNull('r.sent_at')
    .where((q) => q.whereNull('r.send_claimed_at').orWhere('r.send_claimed_at', '<', claimedBefore))
    .orderBy([{ column: 'r.issued_at' }, { column: 'r.id' }]).limit(limit).select('r.id', 'r.document_id', 'r.sealed_component_id');
}

/** Claims the sending for this run: false when it was sent or another live run holds it (one UPDATE, so two runs cannot both win). */
export async function claimReceiptSend(db: Knex, receiptId: string, at: Date, claimedBefore: Date): Promise<boolean> {
  const n = await db('receipt_confirmations').where({ id: receiptId }).whereNull('sent_at')
    .where((q) => q.whereNull('send_claimed_at').orWhere('send_claimed_at', '<', claimedBefore)).update({ send_claimed_at: at });
  return Number(n) === 1;
}

/** What the e-mail states and carries: the sender's address, numbers, time of receipt and the sealed PDF. */
export async function findReceiptEmailContent(db: Knex, documentId: string, sealedComponentId: string) {
  const doc: { jid: string; reference_number: string | null; subject: string; sender_email: string | null; received_at: Date } | undefined =
    await db('documents as d').join('journal as j', 'j.document_id', 'd.id').where('d.id', documentId).first('d.jid', 'd.reference_number', 'd.subject', 'd.sender_email', 'j.received_at');
  const pdf: { file_name: string; content: Buffer } | undefined = await db('components as c').join('blobs as b', 'b.sha256', 'c.blob_sha256')
    .where('c.id', sealedComponentId).first('c.file_name', 'b.content');
  return doc && pdf ? { ...doc, fileName: pdf.file_name, pdf: Buffer.from(pdf.content) } : undefined;
}

/**
 * Marks the confirmation sent, logged as Export of the sealed component (it left the system to the
 * sender; the address is not in the log).
 */
export async function markReceiptSent(trx: Knex.Transaction, c: { receiptId: string; documentId: string; sealedComponentId: string; to: string; actor: string; at: Date }): Promise<void> {
  const n = await trx('receipt_confirmations').where({ id: c.receiptId }).whereNull('sent_at').update({ sent_at: c.at, sent_to: c.to, send_claimed_at: null, send_error: null });
  if (Number(n) !== 1) return;
  await appendAuditLog(trx, {
    actor: c.actor, eventType: 'Export', objectType: 'Komponenta', objectId: c.sealedComponentId, occurredAt: c.at,
    details: { documentId: c.documentId, receiptConfirmation: c.receiptId, channel: 'email' },
  });
}

/** Gives the claim back after a failed attempt, so the next run tries again. */
export async function releaseReceiptSend(db: Knex, receiptId: string, error: string): Promise<void> {
  await db('receipt_confirmations').where({ id: receiptId }).whereNull('sent_at').update({ send_claimed_at: null, send_error: error });
}
