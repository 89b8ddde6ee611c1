import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export type Derivation = 'unpacked' | 'converted' | 'verification-report';

export interface ComponentRow {
  id: string;
  document_id: string;
  blob_sha256: string;
  file_name: string;
  media_type: string;
  size: number;
  version: number;
  format: string | null;
  source_component_id: string | null;
  derivation: Derivation | null;
  derivation_details: Record<string, unknown> | null;
  created_at: Date;
}

function parseRow(row: Record<string, unknown> | undefined): ComponentRow | undefined {
  if (!row) return undefined;
  const details = row.derivation_details;
  return { ...(row as unknown as ComponentRow), derivation_details: typeof details === 'string' ? JSON.parse(details) : (details as Record<string, unknown> | null) };
}

export async function getComponent(db: Knex, id: string): Promise<ComponentRow | undefined> {
  return parseRow(await db('components').where({ id }).first());
}

/** The component row locked for the rest of the transaction, so re-deliveries of a job queue up. */
export async function lockComponent(trx: Knex.Transaction, id: string): Promise<ComponentRow | undefined> {
  return parseRow(await trx('components').where({ id }).forUpdate().first());
}

export async function readBlob(db: Knex, sha256: string): Promise<Buffer> {
  const row = await db('blobs').where({ sha256 }).first();
  if (!row) throw new Error(`blob ${sha256} is missing`);
  return Buffer.from(row.content);
}

export async function listDerived(db: Knex, sourceId: string, derivation: Derivation): Promise<ComponentRow[]> {
  const rows = await db('components').where({ source_component_id: sourceId, derivation }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map((r) => parseRow(r)!).sort((a, b) => Number(a.derivation_details?.index ?? 0) - Number(b.derivation_details?.index ?? 0));
}

export async function listDocumentComponents(db: Knex, documentId: string): Promise<ComponentRow[]> {
  const rows = await db('components').where({ document_id: documentId }).orderBy([{ column: 'created_at' }, { column: 'file_name' }]);
  return rows.map((r) => parseRow(r)!);
}

export async function setComponentFormat(trx: Knex.Transaction, id: string, format: string): Promise<void> {
  await trx('components').where({ id }).update({ format });
}

/** Stores bytes content-addressed; an existing blob with the same hash is kept. */
export async function putBlob(trx: Knex.Transaction, content: Buffer): Promise<{ sha256: string; size: number }> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  await trx('blobs').insert({ sha256, size: content.length, content }).onConflict('sha256').ignore();
  return { sha256, size: content.length };
}

/** A component made from another one (unpacked, converted or a report), in the same document. */
export async function insertDerivedComponent(
  trx: Knex.Transaction,
  c: { source: ComponentRow; content: Buffer; fileName: string; mediaType: string; format: string; derivation: Derivation; details: Record<string, unknown>; at: Date },
): Promise<string> {
  const id = randomUUID();
  const blob = await putBlob(trx, c.content);
  await trx('components').insert({
    id,
    document_id: c.source.document_id,
    blob_sha256: blob.sha256,
    file_name: c.fileName,
    media_type: c.mediaType,
    size: blob.size,
    version: 1,
    format: c.format,
    source_component_id: c.source.id,
    derivation: c.derivation,
    derivation_details: JSON.stringify(c.details),
    created_at: c.at,
  });
  return id;
}

/** A file name safe to store and offer for download: the last path segment, no control characters. */
export function safeFileName(name: string | null | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  return cleaned === '' ? fallback : cleaned;
}
