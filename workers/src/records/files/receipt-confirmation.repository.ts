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

/** Documents registered from portal submissions whose confirmation, issued before `before`, has no sealed PDF yet; oldest first. */
export function listUnsealedPortalReceipts(db: Knex, before: Date, limit: number): Promise<string[]> {
  return db('receipt_confirmations as r').join('documents as d', 'd.id', 'r.document_id')
    .whereNull('r.sealed_component_id').whereNotNull('d.submission_id').where('r.issued_at', '<', before)
    .orderBy([{ column: 'r.issued_at' }, { column: 'r.id' }]).limit(limit).pluck('r.document_id');
}
