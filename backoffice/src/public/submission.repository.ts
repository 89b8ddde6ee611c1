import type { SubmissionRow } from '@openspis/db';
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export interface NewAttachment {
  fieldKey: string;
  fileName: string;
  mediaType: string;
  content: Buffer;
}

export interface NewSubmission {
  id: string;
  serviceCode: string;
  locale: string;
  formData: Record<string, unknown>;
  applicantName: string | null;
  applicantEmail: string | null;
  trackingExpiresAt: Date;
  at: Date;
  idempotencyKey: string | null;
}

/** blobs + submission + attachments + the `received` event, inside the caller's transaction */
export async function insertSubmission(trx: Knex.Transaction, s: NewSubmission, attachments: NewAttachment[]): Promise<void> {
  await trx('submissions').insert({
    id: s.id,
    service_code: s.serviceCode,
    locale: s.locale,
    status: 'received',
    form_data: JSON.stringify(s.formData),
    applicant_name: s.applicantName,
    applicant_email: s.applicantEmail,
    tracking_expires_at: s.trackingExpiresAt,
    idempotency_key: s.idempotencyKey,
    created_at: s.at,
    updated_at: s.at,
  });
  for (const a of attachments) {
    const sha256 = createHash('sha256').update(a.content).digest('hex');
    await trx('blobs').insert({ sha256, size: a.content.length, content: a.content, created_at: s.at }).onConflict('sha256').ignore();
    await trx('submission_attachments').insert({
      id: randomUUID(),
      submission_id: s.id,
      field_key: a.fieldKey,
      blob_sha256: sha256,
      file_name: a.fileName,
      media_type: a.mediaType,
      size: a.content.length,
      created_at: s.at,
    });
  }
  await trx('submission_events').insert({ submission_id: s.id, status: 'received', created_at: s.at });
}

export async function deleteSubmission(db: Knex, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('submission_events').where({ submission_id: id }).delete();
    await trx('submission_attachments').where({ submission_id: id }).delete();
    await trx('submissions').where({ id }).delete();
  });
}

export type { SubmissionRow } from '@openspis/db';

export function findSubmissionByIdempotencyKey(db: Knex, key: string): Promise<SubmissionRow | undefined> {
  return db('submissions').where({ idempotency_key: key }).first();
}

export function getSubmission(db: Knex, id: string): Promise<SubmissionRow | undefined> {
  return db('submissions').where({ id }).first();
}

export async function setProcessInstanceKey(db: Knex, id: string, key: string): Promise<void> {
  await db('submissions').where({ id }).update({ process_instance_key: key });
}

export function listEvents(db: Knex, submissionId: string): Promise<{ status: string; created_at: Date }[]> {
  return db('submission_events').where({ submission_id: submissionId }).orderBy([{ column: 'created_at' }, { column: 'id' }]).select('status', 'created_at');
}

export interface ComponentRow {
  id: string;
  document_id: string;
  file_name: string;
  media_type: string;
  size: number;
  blob_sha256: string;
}

/**
 * components of the outgoing documents that answer this submission, each document's versions in
 * order (the last one of a document is its newest: the sealed PDF once `signing.seal` has run)
 */
export function listAnswerComponents(db: Knex, submissionId: string): Promise<ComponentRow[]> {
  return db('components as c')
    .join('documents as d', 'd.id', 'c.document_id')
    .where({ 'd.submission_id': submissionId, 'd.direction': 'outgoing' })
    .orderBy([{ column: 'd.created_at' }, { column: 'd.id' }, { column: 'c.version' }, { column: 'c.created_at' }])
    .select('c.id', 'c.document_id', 'c.file_name', 'c.media_type', 'c.size', 'c.blob_sha256');
}

export async function readBlob(db: Knex, sha256: string): Promise<Buffer> {
  const row = await db('blobs').where({ sha256 }).first('content');
  return Buffer.from(row.content);
}

export interface ReceiptConfirmationRow {
  text: string;
  issued_at: Date;
  jid: string;
  reference_number: string | null;
  /** the sealed PDF/A once `registry.seal-receipt-confirmation` has run, else nulls */
  pdf_file_name: string | null;
  pdf_size: number | string | null;
  pdf_sha256: string | null;
}

export function findReceiptConfirmation(db: Knex, documentId: string): Promise<ReceiptConfirmationRow | undefined> {
  return db('receipt_confirmations as r').join('documents as d', 'd.id', 'r.document_id').leftJoin('components as c', 'c.id', 'r.sealed_component_id')
    .where('r.document_id', documentId).first('r.text', 'r.issued_at', 'd.jid', 'd.reference_number', 'c.file_name as pdf_file_name', 'c.size as pdf_size', 'c.blob_sha256 as pdf_sha256');
}

/** The components a document arrived with (none the office derived from them later). */
export function listReceivedComponents(db: Knex, documentId: string): Promise<{ file_name: string; media_type: string; size: number | string }[]> {
  return db('components').where({ document_id: documentId }).whereNull('derivation').orderBy('file_name').select('file_name', 'media_type', 'size');
}
