import type { Knex } from 'knex';
import { normalizeSearchText } from '../records/search-text';

/**
 * Next running number of the office's journal for the year. The counter row is incremented
 * inside the caller's transaction: concurrent registrations queue on the row lock, and a rolled
 * back registration rolls the counter back too, so numbers have no gaps and no duplicates.
 */
export async function incrementJournalCounter(trx: Knex.Transaction, office: string, year: number): Promise<number> {
  const result = await trx.raw(
    `insert into journal_counters (office, year, last_seq) values (?, ?, 1)
     on conflict (office, year) do update set last_seq = journal_counters.last_seq + 1
     returning last_seq`,
    [office, year],
  );
  return Number(result.rows[0].last_seq);
}

/** Next value of `jid_seq` (not transactional: JIDs are unique, not gap-free). */
export async function nextJidValue(trx: Knex.Transaction): Promise<number> {
  const result = await trx.raw(`select nextval('jid_seq') as v`);
  return Number(result.rows[0].v);
}

export interface JournalRow {
  office: string;
  year: number;
  /** the running number, or the token the numbering statement replaces with it (`numberAndLog`) */
  seq: number | string;
  reference_number: string;
  jid: string;
  document_id: string;
  file_id: string;
  received_at: Date;
  subject: string;
  sender: string;
  file_reference?: string | null;
  order_in_file?: number;
  channel?: string | null;
  attachments_count?: number;
  components_count?: number;
}

/** The journal row with the accent-free search columns. */
export function journalRow(row: JournalRow): JournalRow & { subject_norm: string; sender_norm: string } {
  return { ...row, subject_norm: normalizeSearchText(row.subject), sender_norm: normalizeSearchText(row.sender) };
}

export async function findJournalByDocument(trx: Knex.Transaction, documentId: string) {
  return trx('journal').where({ document_id: documentId }).first();
}

export async function settleJournalRow(trx: Knex.Transaction, documentId: string, settledAt: Date, method: string, settledBy?: string): Promise<void> {
  await trx('journal').where({ document_id: documentId }).update({ settled_at: settledAt, settlement_method: method, state: 'settled', settled_by: settledBy ?? null });
}
