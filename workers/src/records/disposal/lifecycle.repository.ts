import type { Knex } from 'knex';
import type { CaseFileRow, RecordDocumentRow } from '../records.model';

/** Only SQL: the rows the lifecycle use cases read and change. */

export async function lockFile(trx: Knex.Transaction, fileId: string): Promise<CaseFileRow | undefined> {
  return trx('files').where({ id: fileId }).forUpdate().first();
}

export async function findFileByReference(trx: Knex | Knex.Transaction, fileReference: string): Promise<CaseFileRow | undefined> {
  return trx('files').where({ file_reference: fileReference }).first();
}

export async function lockDocument(trx: Knex.Transaction, documentId: string): Promise<RecordDocumentRow | undefined> {
  return trx('documents').where({ id: documentId }).forUpdate().first();
}

export async function listFileDocuments(trx: Knex | Knex.Transaction, fileId: string): Promise<RecordDocumentRow[]> {
  return trx('documents').where({ file_id: fileId }).orderBy([{ column: 'order_in_file', order: 'asc' }, { column: 'created_at', order: 'asc' }]);
}

export interface ComponentRow {
  id: string;
  document_id: string;
  blob_sha256: string | null;
  file_name: string;
  media_type: string;
  size: number;
  version: number;
  created_at: Date;
  destroyed_at: Date | null;
  /** the component this one was unpacked from or converted from (intake) */
  source_component_id: string | null;
  derivation: 'unpacked' | 'converted' | 'verification-report' | null;
}

export async function listComponents(trx: Knex | Knex.Transaction, documentIds: string[]): Promise<ComponentRow[]> {
  if (documentIds.length === 0) return [];
  return trx('components').whereIn('document_id', documentIds).orderBy([{ column: 'created_at', order: 'asc' }, { column: 'id', order: 'asc' }]);
}

/** The first `bytes` of a component's content (enough to recognise a format by its signature). */
export async function readBlobHead(trx: Knex | Knex.Transaction, sha256: string, bytes: number): Promise<Buffer | null> {
  const row = await trx('blobs').where({ sha256 }).select(trx.raw('substring(content from 1 for ?) as head', [bytes])).first();
  return row ? Buffer.from(row.head) : null;
}

export async function readBlob(trx: Knex | Knex.Transaction, sha256: string): Promise<Buffer | null> {
  const row = await trx('blobs').where({ sha256 }).select('content').first();
  return row ? Buffer.from(row.content) : null;
}

/**
 * Removes the bytes of the components; their rows stay with name, type, size and checksum. A blob
 * is deleted only when nothing else (another component, a pending submission attachment) uses it.
 */
export async function destroyComponentContent(trx: Knex.Transaction, componentIds: string[], at: Date): Promise<number> {
  if (componentIds.length === 0) return 0;
  const rows: { blob_sha256: string | null }[] = await trx('components').whereIn('id', componentIds).whereNotNull('blob_sha256').select('blob_sha256');
  await trx('components').whereIn('id', componentIds).update({ blob_sha256: null, destroyed_at: at });
  const shas = [...new Set(rows.map((r) => r.blob_sha256 as string))];
  for (const sha of shas) {
    const used = await trx('components').where({ blob_sha256: sha }).first('id');
    const attached = await trx('submission_attachments').where({ blob_sha256: sha }).first('id');
    if (!used && !attached) await trx('blobs').where({ sha256: sha }).delete();
  }
  return rows.length;
}
