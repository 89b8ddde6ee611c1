import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { incrementJournalCounter } from '../../registry/journal.repository';
import { formatReferenceNumber, nextJid, pragueYear } from '../../registry/reference-number.service';
import { putBlob } from '../../registry/registry.repository';
import type { CaseFileRow, FileClassRow } from '../records.model';
import { disposalYear } from '../retention.service';
import { normalizeSearchText } from '../search-text';

/**
 * Only SQL: the records the system makes of its own output (the daily transaction log, the yearly
 * registry journal) — a file of a file-plan class numbered like a collection sheet, internal
 * documents with their components and journal rows, and the file's closure — each change with its
 * transaction-log row, in the caller's transaction.
 */

export interface RecordContext {
  office: string;
  officeName: string;
  mask: string;
  actor: string;
  now: Date;
}

/** Opens a file of `fileClass` with the next running number of the current year (collection sheet), logged as Zalozeni. */
export async function openInternalFile(trx: Knex.Transaction, subject: string, fileClass: FileClassRow, ctx: RecordContext & { details: Record<string, unknown> }): Promise<CaseFileRow> {
  const { office, actor, now } = ctx;
  const year = pragueYear(now);
  const seq = await incrementJournalCounter(trx, office, year);
  const reference = formatReferenceNumber(ctx.mask, { office, seq, year });
  const id = randomUUID();
  await trx('files').insert({
    id, file_reference: reference, subject, subject_norm: normalizeSearchText(subject), state: 'open', kind: 'file',
    class_id: fileClass.id, class_code: fileClass.class_code, disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years, trigger_event: fileClass.trigger_event,
    numbering_method: 'collection-sheet', office, year, seq, last_order: 0, org_unit: null, owner: null, created_by: actor, created_at: now,
  });
  await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Spis', objectId: id, details: { fileReference: reference, classCode: fileClass.class_code, ...ctx.details }, occurredAt: now });
  return (await trx('files').where({ id }).first()) as CaseFileRow;
}

export interface InternalComponent {
  fileName: string;
  mediaType: string;
  format: string;
  content: Buffer;
}

export interface StoredInternalRecord {
  documentId: string;
  referenceNumber: string;
  jid: string;
  componentIds: string[];
}

/**
 * An internal document as the next one of `file` (locked by the caller): JID, reference number by
 * its order, components, the journal row under the file's running number and its retention, logged
 * as Zalozeni of the document and of each component and VlozeniDoSpisu.
 */
export async function addInternalRecord(
  trx: Knex.Transaction,
  file: CaseFileRow,
  r: { subject: string; components: InternalComponent[]; details: Record<string, unknown> },
  ctx: RecordContext,
): Promise<StoredInternalRecord> {
  const { office, actor, now } = ctx;
  const order = file.last_order + 1;
  const referenceNumber = order === 1 ? file.file_reference : `${file.file_reference}-${order}`;
  const jid = await nextJid(trx, office);
  const documentId = randomUUID();
  await trx('documents').insert({
    id: documentId, jid, file_id: file.id, direction: 'internal', subject: r.subject, reference_number: referenceNumber, order_in_file: order,
    channel: 'internal', form: 'electronic', attachments_count: 0, org_unit: file.org_unit, state: 'registered', created_by: actor, created_at: now,
    disposal_code: file.disposal_code, retention_years: file.retention_years, trigger_event: file.trigger_event,
  });
  await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Dokument', objectId: documentId, details: { jid, referenceNumber, direction: 'internal', ...r.details }, occurredAt: now });
  const componentIds: string[] = [];
  for (const c of r.components) {
    const blob = await putBlob(trx, c.content);
    const id = randomUUID();
    await trx('components').insert({ id, document_id: documentId, blob_sha256: blob.sha256, file_name: c.fileName, media_type: c.mediaType, format: c.format, size: blob.size, version: 1, created_at: now });
    await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: id, details: { documentId, sha256: blob.sha256 }, occurredAt: now });
    componentIds.push(id);
  }
  await trx('files').where({ id: file.id }).update({ last_order: order, ...(order === 1 ? { initiating_document_id: documentId } : {}) });
  await trx('journal').insert({
    office, year: file.year ?? pragueYear(now), seq: file.seq ?? 0, order_in_file: order, reference_number: referenceNumber, file_reference: file.file_reference, jid,
    document_id: documentId, file_id: file.id, direction: 'internal', received_at: now, channel: 'internal', form: 'electronic', subject: r.subject,
    subject_norm: normalizeSearchText(r.subject), sender: ctx.officeName, sender_norm: normalizeSearchText(ctx.officeName), attachments_count: 0, components_count: r.components.length, org_unit: file.org_unit,
    class_code: file.class_code, disposal_code: file.disposal_code, retention_years: file.retention_years, state: 'registered', created_at: now,
  });
  await appendAuditLog(trx, { actor, eventType: 'VlozeniDoSpisu', objectType: 'Dokument', objectId: documentId, details: { fileId: file.id, fileReference: file.file_reference, order }, occurredAt: now });
  file.last_order = order;
  return { documentId, referenceNumber, jid, componentIds };
}

/**
 * The file is complete: its documents are settled (vzetí na vědomí) and the file closed, its
 * retention running from `triggerDay` (so the disposal year is the next year + the retention);
 * logged like any settlement and closure.
 */
export async function closeInternalFile(trx: Knex.Transaction, fileId: string, triggerDay: string, ctx: { actor: string; now: Date; details: Record<string, unknown> }): Promise<void> {
  const { actor, now } = ctx;
  const file = (await trx('files').where({ id: fileId }).first()) as CaseFileRow;
  const documents = await trx('documents').where({ file_id: fileId, state: 'registered' }).select('id', 'jid', 'reference_number');
  const settled = { state: 'settled', settled_at: now, settled_by: actor, settlement_method: 'noted' };
  await trx('documents').whereIn('id', documents.map((d) => d.id)).update(settled);
  await trx('journal').whereIn('document_id', documents.map((d) => d.id)).update(settled);
  for (const d of documents) {
    await appendAuditLog(trx, { actor, eventType: 'Vyrizeni', objectType: 'Dokument', objectId: d.id, occurredAt: now, details: { jid: d.jid, referenceNumber: d.reference_number, method: 'noted' } });
  }
  const year = file.retention_years === null ? null : disposalYear(triggerDay, file.retention_years);
  await trx('files').where({ id: fileId }).update({ state: 'closed', settled_at: now, closed_at: now, closed_by: actor, trigger_date: triggerDay, disposal_year: year });
  await appendAuditLog(trx, {
    actor, eventType: 'Uzavreni', objectType: 'Spis', objectId: fileId, occurredAt: now,
    details: { fileReference: file.file_reference, retention: `${file.disposal_code}/${file.retention_years}`, disposalYear: year, ...ctx.details },
  });
}
