import type { Knex } from 'knex';
import { incrementJournalCounter, nextJidValue } from './journal.repository';

/** Formats a reference number (číslo jednací) from the mask, e.g. `{office}/{seq:5}/{year}` → `MMKV/00042/2026`. */
export function formatReferenceNumber(mask: string, parts: { office: string; seq: number; year: number }): string {
  return mask.replace(/\{(\w+)(?::(\d+))?\}/g, (whole, name: string, width?: string) => {
    const value = name === 'office' ? parts.office : name === 'seq' ? String(parts.seq) : name === 'year' ? String(parts.year) : null;
    if (value === null) return whole;
    return width && name !== 'office' ? value.padStart(Number(width), '0') : value;
  });
}

/**
 * The reference number with its running number still open: every `{seq}` / `{seq:w}` becomes
 * `<token><w>⟧` (w = 0 without padding), for the database to fill in once it has taken the number.
 */
export function referenceTemplate(mask: string, parts: { office: string; year: number }, token: string): { template: string; widths: number[] } {
  const widths = new Set<number>();
  const marked = mask.replace(/\{seq(?::(\d+))?\}/g, (_whole, width?: string) => {
    widths.add(Number(width ?? 0));
    return `${token}${Number(width ?? 0)}\u27e7`;
  });
  return { template: formatReferenceNumber(marked, { ...parts, seq: 0 }), widths: [...widths] };
}

// one formatter for every call: building an Intl.DateTimeFormat costs more than a registration's SQL building
const PRAGUE_YEAR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Prague', year: 'numeric' });

/** Calendar year in Europe/Prague: registrations on 31 Dec after 23:00 UTC belong to the next year. */
export function pragueYear(at: Date): number {
  return Number(PRAGUE_YEAR.format(at));
}

export interface ReferenceNumber {
  referenceNumber: string;
  office: string;
  year: number;
  seq: number;
}

/**
 * Allocates the next reference number inside `trx`. Must be the same transaction that writes the
 * journal row: a rollback frees the number.
 */
export async function nextReferenceNumber(
  trx: Knex.Transaction,
  opts: { office: string; mask: string; at: Date },
): Promise<ReferenceNumber> {
  const year = pragueYear(opts.at);
  const seq = await incrementJournalCounter(trx, opts.office, year);
  return { referenceNumber: formatReferenceNumber(opts.mask, { office: opts.office, seq, year }), office: opts.office, year, seq };
}

/** ISO 7064 MOD 11-2 check character (0–9 or X), catches single-digit and transposition typos. */
export function jidCheckCharacter(digits: string): string {
  let sum = 0;
  for (const d of digits) sum = ((sum + Number(d)) * 2) % 11;
  const check = (12 - sum) % 11;
  return check === 10 ? 'X' : String(check);
}

/** JID: office code + 9-digit value of `jid_seq` + check character, e.g. `MMKV0000000421`. */
export function formatJid(office: string, value: number): string {
  const digits = String(value).padStart(9, '0');
  return `${office}${digits}${jidCheckCharacter(digits)}`;
}

export async function nextJid(trx: Knex.Transaction, office: string): Promise<string> {
  return formatJid(office, await nextJidValue(trx));
}
