import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export async function findRendered(trx: Knex.Transaction, renderKey: string): Promise<{ id: string } | undefined> {
  return trx('documents').where({ render_key: renderKey }).select('id').first();
}

export async function insertOutgoingDocument(
  trx: Knex.Transaction,
  doc: { jid: string; fileId: string; subject: string; referenceNumber: string; submissionId: string | null; inReplyTo: string; renderKey: string; createdBy: string; at: Date },
): Promise<string> {
  const id = randomUUID();
  await trx('documents').insert({
    id,
    jid: doc.jid,
    file_id: doc.fileId,
    direction: 'outgoing',
    subject: doc.subject,
    reference_number: doc.referenceNumber,
    submission_id: doc.submissionId,
    in_reply_to: doc.inReplyTo,
    state: 'created',
    render_key: doc.renderKey,
    created_by: doc.createdBy,
    created_at: doc.at,
  });
  return id;
}

export async function insertPdfComponent(trx: Knex.Transaction, c: { documentId: string; sha256: string; fileName: string; size: number; at: Date }): Promise<string> {
  const id = randomUUID();
  await trx('components').insert({ id, document_id: c.documentId, blob_sha256: c.sha256, file_name: c.fileName, media_type: 'application/pdf', size: c.size, version: 1, format: 'pdf', created_at: c.at });
  return id;
}
