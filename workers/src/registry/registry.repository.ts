import type { SubmissionRow } from '@openspis/db';
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export type { SubmissionRow } from '@openspis/db';

export interface DocumentRow {
  id: string;
  jid: string;
  file_id: string | null;
  direction: 'incoming' | 'outgoing';
  subject: string;
  reference_number: string | null;
  submission_id: string | null;
  in_reply_to: string | null;
  state: string;
  settled_at: Date | null;
  settlement_method: string | null;
}

function parseJson(value: unknown): Record<string, unknown> {
  return typeof value === 'string' ? JSON.parse(value) : (value as Record<string, unknown>);
}

/** The submission, locked for the rest of the transaction so re-deliveries of a job queue up. */
export async function lockSubmission(trx: Knex.Transaction, id: string): Promise<SubmissionRow | undefined> {
  const row = await trx('submissions').where({ id }).forUpdate().first();
  return row ? { ...row, form_data: parseJson(row.form_data) } : undefined;
}

export async function getSubmission(db: Knex, id: string): Promise<SubmissionRow | undefined> {
  const row = await db('submissions').where({ id }).first();
  return row ? { ...row, form_data: parseJson(row.form_data) } : undefined;
}

export async function updateSubmission(trx: Knex.Transaction, id: string, changes: Partial<SubmissionRow>, at: Date): Promise<void> {
  await trx('submissions').where({ id }).update({ ...changes, updated_at: at });
}

export async function addSubmissionEvent(trx: Knex.Transaction, submissionId: string, status: string, at: Date): Promise<void> {
  await trx('submission_events').insert({ submission_id: submissionId, status, created_at: at });
}

export async function listSubmissionAttachments(trx: Knex.Transaction, submissionId: string) {
  return trx('submission_attachments').where({ submission_id: submissionId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
}

/** Stores bytes content-addressed; an existing blob with the same hash is kept. */
export async function putBlob(trx: Knex.Transaction, content: Buffer): Promise<{ sha256: string; size: number }> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  await trx('blobs').insert({ sha256, size: content.length, content }).onConflict('sha256').ignore();
  return { sha256, size: content.length };
}

export async function getFile(trx: Knex.Transaction, id: string) {
  return trx('files').where({ id }).first();
}

export async function insertDocument(
  trx: Knex.Transaction,
  doc: {
    jid: string;
    fileId: string;
    direction: 'incoming' | 'outgoing';
    subject: string;
    senderName?: string | null;
    senderEmail?: string | null;
    referenceNumber: string;
    submissionId: string;
    inReplyTo?: string | null;
    state: string;
    createdBy: string;
    at: Date;
    channel?: string | null;
  },
): Promise<string> {
  const id = randomUUID();
  await trx('documents').insert({
    id,
    jid: doc.jid,
    file_id: doc.fileId,
    direction: doc.direction,
    subject: doc.subject,
    sender_name: doc.senderName ?? null,
    sender_email: doc.senderEmail ?? null,
    reference_number: doc.referenceNumber,
    submission_id: doc.submissionId,
    in_reply_to: doc.inReplyTo ?? null,
    state: doc.state,
    created_by: doc.createdBy,
    created_at: doc.at,
    channel: doc.channel ?? null,
  });
  return id;
}

export async function getDocument(trx: Knex.Transaction, id: string): Promise<DocumentRow | undefined> {
  return trx('documents').where({ id }).first();
}

export async function findReply(trx: Knex.Transaction, incomingDocumentId: string): Promise<DocumentRow | undefined> {
  return trx('documents').where({ in_reply_to: incomingDocumentId, direction: 'outgoing' }).orderBy('created_at').first();
}

export async function settleDocumentRow(trx: Knex.Transaction, id: string, s: { at: Date; by: string; method: string }): Promise<void> {
  await trx('documents').where({ id }).update({ state: 'settled', settled_at: s.at, settled_by: s.by, settlement_method: s.method });
}

export async function insertComponent(
  trx: Knex.Transaction,
  c: { documentId: string; sha256: string; fileName: string; mediaType: string; size: number; at: Date },
): Promise<string> {
  const id = randomUUID();
  await trx('components').insert({
    id,
    document_id: c.documentId,
    blob_sha256: c.sha256,
    file_name: c.fileName,
    media_type: c.mediaType,
    size: c.size,
    version: 1,
    created_at: c.at,
  });
  return id;
}

export async function listComponents(db: Knex, documentId: string) {
  return db('components').where({ document_id: documentId }).orderBy([{ column: 'created_at' }, { column: 'file_name' }]);
}

/** The confirmation of receipt of a document, with the document's JID, the components it arrived with and its sealed PDF once made. */
export async function findReceiptConfirmation(db: Knex, documentId: string) {
  const row: { issued_at: Date; jid: string; sealed_component_id: string | null } | undefined = await db('receipt_confirmations as r').join('documents as d', 'd.id', 'r.document_id')
    .where('r.document_id', documentId).first('r.issued_at', 'd.jid', 'r.sealed_component_id');
  if (!row) return undefined;
  const components: string[] = await db('components').where({ document_id: documentId }).whereNull('derivation').orderBy('file_name').pluck('file_name');
  return { ...row, components };
}
