import type { Knex } from 'knex';
import type { JournalEntryRow } from '../records.model';

/** Only SQL: the journal of a year, page by page, and its closing record. */

export interface JournalYearClosureRow {
  office: string;
  year: number;
  last_seq: number | null;
  entries: number;
  states: Record<string, number>;
  file_id: string;
  document_id: string;
  pdf_component_id: string;
  sealed_component_id: string | null;
  sealed_at: Date | null;
  closed_by: string;
  closed_at: Date;
}

const ENTRY_COLUMNS = [
  'seq', 'order_in_file', 'jid', 'reference_number', 'file_reference', 'direction', 'received_at', 'channel', 'form', 'sender', 'addressee', 'sender_reference', 'subject',
  'attachments_count', 'attachments_kind', 'components_count', 'org_unit', 'handled_by', 'class_code', 'disposal_code', 'retention_years', 'state', 'settled_at',
  'settlement_method', 'cancelled_at', 'dispatched_at', 'delivered_at',
] as const satisfies readonly (keyof JournalEntryRow)[];

/** One journal row as the closed journal prints it: the columns of the journal the law asks for. */
export type JournalYearEntry = Pick<JournalEntryRow, (typeof ENTRY_COLUMNS)[number]>;

function parse(row: JournalYearClosureRow | undefined): JournalYearClosureRow | undefined {
  if (!row) return row;
  return { ...row, states: typeof row.states === 'string' ? JSON.parse(row.states) : row.states };
}

export async function findClosure(db: Knex, office: string, year: number): Promise<JournalYearClosureRow | undefined> {
  return parse(await db('journal_year_closures').where({ office, year }).first());
}

/** The closed years of the office among `years`. */
export async function closedYears(db: Knex, office: string, years: number[]): Promise<number[]> {
  if (!years.length) return [];
  return (await db('journal_year_closures').where({ office }).whereIn('year', years).pluck('year')).map(Number);
}

/** Years of the office that have journal entries or a counter, up to `before` (exclusive), and no closure. */
export async function unclosedYears(db: Knex, office: string, before: number): Promise<number[]> {
  const rows = await db('journal_counters as c').where('c.office', office).andWhere('c.year', '<', before)
    .whereNotExists(db('journal_year_closures as z').whereRaw('z.office = c.office and z.year = c.year').select(db.raw('1')))
    .orderBy('c.year').pluck('c.year');
  return rows.map(Number);
}

/** Closed years of the office whose closing rendering has no seal yet (a crash, or the demo's closures made before the seal existed). */
export async function unsealedClosureYears(db: Knex, office: string): Promise<number[]> {
  return (await db('journal_year_closures').where({ office }).whereNull('sealed_component_id').orderBy('year').pluck('year')).map(Number);
}

/** Locks the year's counter row (no running number of the year can be taken meanwhile) and returns the last number taken, or null. */
export async function lockCounter(trx: Knex.Transaction, office: string, year: number): Promise<number | null> {
  const row = await trx('journal_counters').where({ office, year }).forUpdate().first('last_seq');
  return row ? Number(row.last_seq) : null;
}

/**
 * The year's journal in order (running number, then order in the file), `batch` rows at a time by
 * keyset: a year of a million entries is never in memory at once.
 */
export async function* journalEntries(db: Knex, office: string, year: number, batch = 500): AsyncGenerator<JournalYearEntry[]> {
  let after: [number, number] = [-1, -1];
  for (;;) {
    const rows: JournalYearEntry[] = await db('journal').where({ office, year }).andWhereRaw('(seq, order_in_file) > (?, ?)', after)
      .orderBy([{ column: 'seq' }, { column: 'order_in_file' }]).limit(batch).select(ENTRY_COLUMNS);
    if (!rows.length) return;
    yield rows;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = [Number(last.seq), Number(last.order_in_file)];
  }
}

export async function insertClosure(trx: Knex.Transaction, row: Omit<JournalYearClosureRow, 'sealed_component_id' | 'sealed_at'>): Promise<void> {
  await trx('journal_year_closures').insert({ ...row, states: JSON.stringify(row.states) });
}

export async function markClosureSealed(db: Knex, office: string, year: number, sealedComponentId: string, at: Date): Promise<void> {
  await db('journal_year_closures').where({ office, year }).whereNull('sealed_component_id').update({ sealed_component_id: sealedComponentId, sealed_at: at });
}
