import { randomUUID } from 'node:crypto';
import { appendAuditLog, GENESIS_HASH, type AuditRow } from '@openspis/db';
import type { Knex } from 'knex';
import { incrementJournalCounter } from '../../registry/journal.repository';
import { formatReferenceNumber, nextJid, pragueYear } from '../../registry/reference-number.service';
import { putBlob } from '../../registry/registry.repository';
import type { CaseFileRow, FileClassRow } from '../records.model';
import { disposalYear } from '../retention.service';
import { normalizeSearchText } from '../search-text';

/** Only SQL: the day's entries and the record that keeps the day's rendering. */

export interface LogDayRow {
  day: string;
  year: number;
  file_id: string;
  document_id: string;
  pdf_component_id: string;
  xml_component_id: string;
  events: number;
  first_entry_id: string | null;
  last_entry_id: string | null;
  last_hash: string;
  sealed_component_id: string | null;
  sealed_at: Date | null;
  created_by: string;
  created_at: Date;
}

/** `date` columns come back as Date (pg) or string (PGlite): always `YYYY-MM-DD`. */
function normalize(row: LogDayRow | undefined): LogDayRow | undefined {
  if (!row) return row;
  const day = row.day as unknown;
  return { ...row, day: day instanceof Date ? `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}` : String(day).slice(0, 10) };
}

export async function findLogDay(db: Knex | Knex.Transaction, day: string): Promise<LogDayRow | undefined> {
  return normalize(await db('transaction_log_days').where({ day }).first());
}

export async function listLogDays(db: Knex, from: string, to: string): Promise<LogDayRow[]> {
  const rows: LogDayRow[] = await db('transaction_log_days').where('day', '>=', from).andWhere('day', '<=', to).orderBy('day');
  return rows.map((r) => normalize(r)!);
}

export async function readEntries(db: Knex, bounds: { from: Date; to: Date }): Promise<AuditRow[]> {
  return db('audit_log').where('occurred_at', '>=', bounds.from).andWhere('occurred_at', '<', bounds.to).orderBy('id');
}

/** The chain value just before the first of these entries (the last hash before the day when it has none). */
export async function hashBefore(db: Knex, rows: AuditRow[], from: Date): Promise<string> {
  if (rows.length) return rows[0].prev_hash;
  const last = await db('audit_log').where('occurred_at', '<', from).orderBy('id', 'desc').first('hash');
  return last?.hash ?? GENESIS_HASH;
}

export async function firstEntryTime(db: Knex): Promise<Date | null> {
  const row = await db('audit_log').orderBy('id').first('occurred_at');
  return row ? new Date(row.occurred_at) : null;
}

export async function markSealed(db: Knex, day: string, sealedComponentId: string, at: Date): Promise<void> {
  await db('transaction_log_days').where({ day }).whereNull('sealed_component_id').update({ sealed_component_id: sealedComponentId, sealed_at: at });
}

export interface NewLogRecord {
  day: string;
  year: number;
  subject: string;
  fileSubject: string;
  pdf: { fileName: string; content: Buffer };
  xml: { fileName: string; content: Buffer };
  events: number;
  firstEntryId: string | null;
  lastEntryId: string | null;
  lastHash: string;
}

export interface StoredLogRecord {
  documentId: string;
  fileId: string;
  fileReference: string;
  referenceNumber: string;
  jid: string;
}

/** The open transaction-log file of the year, locked; null when there is none yet. */
async function lockYearFile(trx: Knex.Transaction, year: number): Promise<CaseFileRow | null> {
  const row = await trx('transaction_log_days as d').join('files as f', 'f.id', 'd.file_id').where('d.year', year).andWhere('f.state', 'open').orderBy('d.day', 'desc').first('f.id');
  return row ? ((await trx('files').where({ id: row.id }).forUpdate().first()) as CaseFileRow) : null;
}

/**
 * A year's log file opened before the files of the log were classified gets the class now, and its
 * documents and journal rows the retention; logged as Uprava of the file.
 */
async function classifyYearFile(trx: Knex.Transaction, file: CaseFileRow, fileClass: FileClassRow, actor: string, now: Date): Promise<CaseFileRow> {
  const retention = { disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years, trigger_event: fileClass.trigger_event };
  await trx('files').where({ id: file.id }).update({ class_id: fileClass.id, class_code: fileClass.class_code, ...retention });
  await trx('documents').where({ file_id: file.id }).update(retention);
  await trx('journal').where({ file_id: file.id }).update({ class_code: fileClass.class_code, disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years });
  await appendAuditLog(trx, {
    actor, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now,
    details: { fileReference: file.file_reference, field: 'classCode', from: null, to: fileClass.class_code },
  });
  return (await trx('files').where({ id: file.id }).first()) as CaseFileRow;
}

/**
 * The year's last day is rendered: the year's log file is complete. Its renderings are settled
 * (vzetí na vědomí) and the file closed, its retention running from the year's end (trigger date
 * 31 December, so the disposal year is the next year + the retention); logged like any closure.
 */
async function closeYearFile(trx: Knex.Transaction, fileId: string, lastDay: string, actor: string, now: Date): Promise<void> {
  const file = (await trx('files').where({ id: fileId }).first()) as CaseFileRow;
  const documents = await trx('documents').where({ file_id: fileId, state: 'registered' }).select('id', 'jid', 'reference_number');
  const settled = { state: 'settled', settled_at: now, settled_by: actor, settlement_method: 'noted' };
  await trx('documents').whereIn('id', documents.map((d) => d.id)).update(settled);
  await trx('journal').whereIn('document_id', documents.map((d) => d.id)).update(settled);
  for (const d of documents) {
    await appendAuditLog(trx, { actor, eventType: 'Vyrizeni', objectType: 'Dokument', objectId: d.id, occurredAt: now, details: { jid: d.jid, referenceNumber: d.reference_number, method: 'noted' } });
  }
  const year = file.retention_years === null ? null : disposalYear(lastDay, file.retention_years);
  await trx('files').where({ id: fileId }).update({ state: 'closed', settled_at: now, closed_at: now, closed_by: actor, trigger_date: lastDay, disposal_year: year });
  await appendAuditLog(trx, {
    actor, eventType: 'Uzavreni', objectType: 'Spis', objectId: fileId, occurredAt: now,
    details: { fileReference: file.file_reference, retention: `${file.disposal_code}/${file.retention_years}`, disposalYear: year, transactionLogYear: Number(lastDay.slice(0, 4)) },
  });
}

/**
 * Registers the day's rendering as an internal document of the year's transaction-log file (a file
 * opened with the first day of the year, numbered like a collection sheet): journal row, JID,
 * reference number, the PDF and XML components and the log rows, in the caller's transaction. The
 * file has the class `fileClass` and its retention; the documents inherit it. The rendering of
 * 31 December closes the year's file.
 */
export async function storeLogRecord(
  trx: Knex.Transaction,
  r: NewLogRecord,
  ctx: { office: string; officeName: string; mask: string; actor: string; now: Date; fileClass: FileClassRow },
): Promise<StoredLogRecord> {
  const { office, actor, now, fileClass } = ctx;
  const classColumns = {
    class_id: fileClass.id, class_code: fileClass.class_code, disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years, trigger_event: fileClass.trigger_event,
  };
  let file = await lockYearFile(trx, r.year);
  if (file && !file.class_id) file = await classifyYearFile(trx, file, fileClass, actor, now);
  if (!file) {
    const seq = await incrementJournalCounter(trx, office, pragueYear(now));
    const reference = formatReferenceNumber(ctx.mask, { office, seq, year: pragueYear(now) });
    const id = randomUUID();
    await trx('files').insert({
      id, file_reference: reference, subject: r.fileSubject, subject_norm: normalizeSearchText(r.fileSubject), state: 'open', kind: 'file', ...classColumns,
      numbering_method: 'collection-sheet', office, year: pragueYear(now), seq, last_order: 0, org_unit: null, owner: null, created_by: actor, created_at: now,
    });
    await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Spis', objectId: id, details: { fileReference: reference, classCode: fileClass.class_code, transactionLogYear: r.year }, occurredAt: now });
    file = (await trx('files').where({ id }).first()) as CaseFileRow;
  }
  const order = file.last_order + 1;
  const referenceNumber = order === 1 ? file.file_reference : `${file.file_reference}-${order}`;
  const jid = await nextJid(trx, office);
  const documentId = randomUUID();
  await trx('documents').insert({
    id: documentId, jid, file_id: file.id, direction: 'internal', subject: r.subject, reference_number: referenceNumber, order_in_file: order,
    channel: 'internal', form: 'electronic', attachments_count: 0, org_unit: file.org_unit, state: 'registered', created_by: actor, created_at: now,
    disposal_code: file.disposal_code, retention_years: file.retention_years, trigger_event: file.trigger_event,
  });
  await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Dokument', objectId: documentId, details: { jid, referenceNumber, direction: 'internal', transactionLogDay: r.day }, occurredAt: now });
  const componentIds: string[] = [];
  for (const [c, mediaType, format] of [[r.pdf, 'application/pdf', 'pdf'], [r.xml, 'application/xml', 'xml']] as const) {
    const blob = await putBlob(trx, c.content);
    const id = randomUUID();
    await trx('components').insert({ id, document_id: documentId, blob_sha256: blob.sha256, file_name: c.fileName, media_type: mediaType, format, size: blob.size, version: 1, created_at: now });
    await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: id, details: { documentId, sha256: blob.sha256 }, occurredAt: now });
    componentIds.push(id);
  }
  await trx('files').where({ id: file.id }).update({ last_order: order, ...(order === 1 ? { initiating_document_id: documentId } : {}) });
  await trx('journal').insert({
    office, year: file.year ?? pragueYear(now), seq: file.seq ?? 0, order_in_file: order, reference_number: referenceNumber, file_reference: file.file_reference, jid,
    document_id: documentId, file_id: file.id, direction: 'internal', received_at: now, channel: 'internal', form: 'electronic', subject: r.subject,
    subject_norm: normalizeSearchText(r.subject), sender: ctx.officeName, sender_norm: normalizeSearchText(ctx.officeName), attachments_count: 0, components_count: 2, org_unit: file.org_unit,
    class_code: file.class_code, disposal_code: file.disposal_code, retention_years: file.retention_years, state: 'registered', created_at: now,
  });
  await appendAuditLog(trx, { actor, eventType: 'VlozeniDoSpisu', objectType: 'Dokument', objectId: documentId, details: { fileId: file.id, fileReference: file.file_reference, order }, occurredAt: now });
  await trx('transaction_log_days').insert({
    day: r.day, year: r.year, file_id: file.id, document_id: documentId, pdf_component_id: componentIds[0], xml_component_id: componentIds[1], events: r.events,
    first_entry_id: r.firstEntryId, last_entry_id: r.lastEntryId, last_hash: r.lastHash, created_by: actor, created_at: now,
  });
  if (r.day.endsWith('-12-31')) await closeYearFile(trx, file.id, r.day, actor, now);
  return { documentId, fileId: file.id, fileReference: file.file_reference, referenceNumber, jid };
}
