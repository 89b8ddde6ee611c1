import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { Actor, FileState, JournalEntryRow } from '../records.model';
import { normalizeSearchText } from '../search-text';
import { whereOwnUnit } from '../files/file-access';
import { isIsoDay, nextDay, pragueMidnight } from '../transaction-log/prague-day';

export interface JournalSearch {
  referenceNumber?: string;
  jid?: string;
  sender?: string;
  subject?: string;
  /** received from / to, ISO dates (inclusive days) */
  from?: string;
  to?: string;
  classCode?: string;
  state?: 'registered' | 'settled' | 'cancelled';
  direction?: 'incoming' | 'outgoing' | 'internal';
}

export interface Page<T> {
  rows: T[];
  page: number;
  pageSize: number;
  hasNext: boolean;
}

const ALL_UNITS = ['admin', 'spisovna', 'posuzovatel', 'podatelna'];

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function isoDay(value: string, name: string): string {
  if (!isIsoDay(value)) throw new DomainError('SEARCH_INVALID', `${name} must be a date YYYY-MM-DD`);
  return value;
}

/** Prague midnight at the start of the day `from` (inclusive bound of a date filter). */
function dayStart(value: string, name: string): Date {
  return pragueMidnight(isoDay(value, name));
}

/** Prague midnight after the day `to` (exclusive bound of a date filter), in summer and in winter. */
function dayEnd(value: string, name: string): Date {
  return pragueMidnight(nextDay(isoDay(value, name)));
}

function scope(q: Knex.QueryBuilder, actor: Actor, alias: string, fileIdColumn: string): void {
  if (actor.roles.some((r) => ALL_UNITS.includes(r)) || actor.username.startsWith('system:')) return;
  whereOwnUnit(q, actor, `${alias}.org_unit`, fileIdColumn);
}

function pageOf<T>(rows: T[], page: number, pageSize: number): Page<T> {
  return { rows: rows.slice(0, pageSize), page, pageSize, hasNext: rows.length > pageSize };
}

/**
 * The part of a normalised search text given to the trigram index: the word most likely to be rare
 * (one with a digit, else the longest), at least three characters. A whole phrase like
 * "odesilatel 10329" would make the index read the long lists of every trigram of its common word;
 * the rare word alone finds the few candidates, and the phrase itself is then checked on them. Of a
 * long word without digits only the four letters in its middle go to the index: a word's trigrams
 * occur together, so two of them select almost as well as all, and the index intersects two lists
 * instead of one per letter; beginnings and endings (prefixes, endings like "-eni") are the most
 * common trigrams, the root in the middle the rarest.
 */
export function indexedPart(text: string): string | null {
  const words = text.split(' ').filter((w) => w.length >= 3);
  if (!words.length) return text.length >= 3 ? text : null;
  const word = [...words].sort((a, b) => Number(/\d/.test(b)) - Number(/\d/.test(a)) || b.length - a.length)[0];
  if (/\d/.test(word) || word.length <= 5) return word;
  const start = Math.floor((word.length - 4) / 2);
  return word.slice(start, start + 4);
}

/** Substring match: the rare part as the index condition, the whole text as a filter the index does not take. */
function whereContains(q: Knex.QueryBuilder, column: string, text: string): void {
  const part = indexedPart(text);
  if (part && part !== text) q.where(column, 'like', `%${escapeLike(part)}%`);
  if (part === text) q.where(column, 'like', `%${escapeLike(text)}%`);
  else q.whereRaw(`(${column} || '') like ?`, [`%${escapeLike(text)}%`]);
}

/** How many of the newest journal rows the first, ordered attempt of a search looks at. */
const RECENT_WINDOW = 2000;

/**
 * Searches the registry journal: reference number and JID by prefix, sender and subject by
 * accent-insensitive substring, receipt dates, class code, state; newest first, a page at a time,
 * limited to what the actor may see.
 *
 * Over a million rows no single plan fits every search: a common word matches a sixth of the
 * journal and is found at once among the newest rows, while a rare word, or a common one combined
 * with a class and a state that rarely go together, must come from the indexes. So a search without
 * a reference number or JID first looks at the newest rows only (`recentWindow`, at least enough
 * for the page); when that does not fill the page, it collects all matches through the indexes
 * (trigram and class GIN, dates) and sorts those. A search for a number of four or more digits goes
 * to the indexes at once. Either way the planner never walks the whole journal in date order
 * hoping to meet matches.
 */
export async function searchJournal(
  db: Knex,
  actor: Actor,
  s: JournalSearch,
  opts: { page?: number; pageSize?: number; recentWindow?: number } = {},
): Promise<Page<JournalEntryRow>> {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(opts.pageSize ?? 25)));
  const offset = (page - 1) * pageSize;
  const from = s.from ? dayStart(s.from, 'from') : null;
  const to = s.to ? dayEnd(s.to, 'to') : null;
  const sender = normalizeSearchText(s.sender);
  const subject = normalizeSearchText(s.subject);
  const dates = (q: Knex.QueryBuilder) => {
    if (from) q.where('j.received_at', '>=', from);
    if (to) q.where('j.received_at', '<', to);
  };
  const filters = (q: Knex.QueryBuilder) => {
    if (s.referenceNumber?.trim()) q.where('j.reference_number', 'like', `${escapeLike(s.referenceNumber.trim())}%`);
    if (s.jid?.trim()) q.where('j.jid', s.jid.trim().toUpperCase());
    if (sender) whereContains(q, 'j.sender_norm', sender);
    if (subject) whereContains(q, 'j.subject_norm', subject);
    if (s.classCode?.trim()) q.where('j.class_code', s.classCode.trim());
    // a filter on the rows the other conditions find, not an index key: a state's posting list
    // covers half the journal and would cost the index more to intersect than it saves
    if (s.state) q.whereRaw(`(j.state || '') = ?`, [s.state]);
    if (s.direction) q.where('j.direction', s.direction);
    scope(q, actor, 'j', 'j.file_id');
  };
  const newestFirst = [{ column: 'j.received_at', order: 'desc' as const }, { column: 'j.id', order: 'desc' as const }];
  const wanted = offset + pageSize + 1;

  // reference number and JID are selective and estimated well: the planner finds them directly
  if (s.referenceNumber?.trim() || s.jid?.trim()) {
    const q = db('journal as j').select('j.*').modify(dates).modify(filters);
    return pageOf(await q.orderBy(newestFirst).offset(offset).limit(pageSize + 1), page, pageSize);
  }

  // 1. the newest rows (in the date range) only — unless a number of four or more digits is sought:
  // it is rare, and the index finds its few rows at once
  const rare = [sender, subject].some((t) => t && /\d{4}/.test(indexedPart(t) ?? ''));
  const window = rare ? 0 : Math.max(opts.recentWindow ?? RECENT_WINDOW, wanted);
  if (window) {
    const recent = db('journal as j').select('j.*').modify(dates).orderBy(newestFirst).limit(window);
    const inRecent = await db.from(recent.as('j')).select('j.*').modify(filters).orderBy(newestFirst).offset(offset).limit(pageSize + 1);
    if (inRecent.length > pageSize) return pageOf(inRecent, page, pageSize);
  }

  // 2. every match through the indexes, then the page of them (the connection has JIT compilation
  // off, see db/src/connection.ts: the planner would start it for the cost of a large estimated
  // match set, and it takes longer than the search itself)
  const matches = db('journal as j').select('j.id', 'j.received_at').modify(dates).modify(filters);
  const rows = await db
    .withMaterialized('m', matches)
    .from('m')
    .join('journal as j', 'j.id', 'm.id')
    .select('j.*')
    .orderBy([{ column: 'm.received_at', order: 'desc' }, { column: 'm.id', order: 'desc' }])
    .offset(offset)
    .limit(pageSize + 1);
  return pageOf(rows, page, pageSize);
}

export interface FileSearch {
  fileReference?: string;
  subject?: string;
  classCode?: string;
  state?: FileState;
  from?: string;
  to?: string;
  /** `mine`: files the actor handles; `none`: files nobody handles yet (of those the actor sees) */
  handler?: 'mine' | 'none';
}

export interface FileListRow {
  id: string;
  file_reference: string;
  subject: string;
  state: FileState;
  kind: string;
  class_code: string | null;
  disposal_code: string | null;
  retention_years: number | null;
  org_unit: string | null;
  owner: string | null;
  /** the handler's name, when they are a user */
  owner_name: string | null;
  created_at: Date;
  closed_at: Date | null;
  documents: number;
}

/** Searches files the same way (reference prefix, subject substring, class, state, opening dates). */
export async function searchFiles(db: Knex, actor: Actor, s: FileSearch, opts: { page?: number; pageSize?: number } = {}): Promise<Page<FileListRow>> {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(opts.pageSize ?? 25)));
  const q = db('files as f').select('f.id', 'f.file_reference', 'f.subject', 'f.state', 'f.kind', 'f.class_code', 'f.disposal_code', 'f.retention_years', 'f.org_unit', 'f.owner', 'f.created_at', 'f.closed_at',
    db.raw('(select count(*) from documents d where d.file_id = f.id)::int as documents'), db.raw('(select u.display_name from users u where u.username = f.owner) as owner_name'));
  if (s.fileReference?.trim()) q.where('f.file_reference', 'like', `${escapeLike(s.fileReference.trim())}%`);
  const subject = normalizeSearchText(s.subject);
  if (subject) q.where('f.subject_norm', 'like', `%${escapeLike(subject)}%`);
  if (s.classCode?.trim()) q.where('f.class_code', s.classCode.trim());
  if (s.state) q.where('f.state', s.state);
  if (s.from) q.where('f.created_at', '>=', dayStart(s.from, 'from'));
  if (s.to) q.where('f.created_at', '<', dayEnd(s.to, 'to'));
  if (s.handler === 'mine') q.where('f.owner', actor.username);
  else if (s.handler === 'none') q.whereNull('f.owner');
  scope(q, actor, 'f', 'f.id');
  const rows = await q.orderBy([{ column: 'f.created_at', order: 'desc' }, { column: 'f.id', order: 'desc' }]).offset((page - 1) * pageSize).limit(pageSize + 1);
  return pageOf(rows, page, pageSize);
}
