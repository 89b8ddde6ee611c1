import { GENESIS_HASH, type AuditRow } from '@openspis/db';
import type { Knex } from 'knex';
import { setFileClass } from '../files/file-class.repository';
import { addInternalRecord, closeInternalFile, openInternalFile } from '../files/internal-record.repository';
import type { CaseFileRow, FileClassRow } from '../records.model';

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
  return setFileClass(trx, file, fileClass, { actor, now });
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
  const { actor, now, fileClass } = ctx;
  let file = await lockYearFile(trx, r.year);
  if (file && !file.class_id) file = await classifyYearFile(trx, file, fileClass, actor, now);
  if (!file) file = await openInternalFile(trx, r.fileSubject, fileClass, { ...ctx, details: { transactionLogYear: r.year } });
  const { documentId, referenceNumber, jid, componentIds } = await addInternalRecord(trx, file, {
    subject: r.subject,
    components: [{ ...r.pdf, mediaType: 'application/pdf', format: 'pdf' }, { ...r.xml, mediaType: 'application/xml', format: 'xml' }],
    details: { transactionLogDay: r.day },
  }, ctx);
  await trx('transaction_log_days').insert({
    day: r.day, year: r.year, file_id: file.id, document_id: documentId, pdf_component_id: componentIds[0], xml_component_id: componentIds[1], events: r.events,
    first_entry_id: r.firstEntryId, last_entry_id: r.lastEntryId, last_hash: r.lastHash, created_by: actor, created_at: now,
  });
  // the year's last day is rendered: the year's log file is complete, its retention running from the year's end
  if (r.day.endsWith('-12-31')) await closeInternalFile(trx, file.id, r.day, { actor, now, details: { transactionLogYear: Number(r.day.slice(0, 4)) } });
  return { documentId, fileId: file.id, fileReference: file.file_reference, referenceNumber, jid };
}
