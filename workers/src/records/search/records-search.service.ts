import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { Actor, FileState, JournalEntryRow } from '../records.model';
import { normalizeSearchText } from '../search-text';

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
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new DomainError('SEARCH_INVALID', `${name} must be a date YYYY-MM-DD`);
  return value;
}

function scope(q: Knex.QueryBuilder, actor: Actor, alias: string, fileIdColumn: string): void {
  if (actor.roles.some((r) => ALL_UNITS.includes(r)) || actor.username.startsWith('system:')) return;
  q.where((w) => {
    w.whereNull(`${alias}.org_unit`);
    if (actor.orgUnit) {
      w.orWhere(`${alias}.org_unit`, actor.orgUnit).orWhereExists((s) =>
        s.select(1).from('file_shares as fs').whereRaw(`fs.file_id = ${fileIdColumn}`).andWhere('fs.org_unit', actor.orgUnit),
      );
    }
  });
}

function pageOf<T>(rows: T[], page: number, pageSize: number): Page<T> {
  return { rows: rows.slice(0, pageSize), page, pageSize, hasNext: rows.length > pageSize };
}

/**
 * Searches the registry journal: reference number and JID by prefix, sender and subject by
 * accent-insensitive substring, receipt dates, class code, state; newest first, a page at a time,
 * limited to what the actor may see.
 */
export async function searchJournal(db: Knex, actor: Actor, s: JournalSearch, opts: { page?: number; pageSize?: number } = {}): Promise<Page<JournalEntryRow>> {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(opts.pageSize ?? 25)));
  const q = db('journal as j').select('j.*');
  if (s.referenceNumber?.trim()) q.where('j.reference_number', 'like', `${escapeLike(s.referenceNumber.trim())}%`);
  if (s.jid?.trim()) q.where('j.jid', s.jid.trim().toUpperCase());
  const sender = normalizeSearchText(s.sender);
  if (sender) q.where('j.sender_norm', 'like', `%${escapeLike(sender)}%`);
  const subject = normalizeSearchText(s.subject);
  if (subject) q.where('j.subject_norm', 'like', `%${escapeLike(subject)}%`);
  if (s.from) q.where('j.received_at', '>=', new Date(`${isoDay(s.from, 'from')}T00:00:00+01:00`));
  if (s.to) q.where('j.received_at', '<', new Date(Date.parse(`${isoDay(s.to, 'to')}T00:00:00+01:00`) + 86_400_000));
  if (s.classCode?.trim()) q.where('j.class_code', s.classCode.trim());
  if (s.state) q.where('j.state', s.state);
  if (s.direction) q.where('j.direction', s.direction);
  scope(q, actor, 'j', 'j.file_id');
  const rows = await q.orderBy([{ column: 'j.received_at', order: 'desc' }, { column: 'j.id', order: 'desc' }]).offset((page - 1) * pageSize).limit(pageSize + 1);
  return pageOf(rows, page, pageSize);
}

export interface FileSearch {
  fileReference?: string;
  subject?: string;
  classCode?: string;
  state?: FileState;
  from?: string;
  to?: string;
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
  created_at: Date;
  closed_at: Date | null;
  documents: number;
}

/** Searches files the same way (reference prefix, subject substring, class, state, opening dates). */
export async function searchFiles(db: Knex, actor: Actor, s: FileSearch, opts: { page?: number; pageSize?: number } = {}): Promise<Page<FileListRow>> {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(opts.pageSize ?? 25)));
  const q = db('files as f').select('f.id', 'f.file_reference', 'f.subject', 'f.state', 'f.kind', 'f.class_code', 'f.disposal_code', 'f.retention_years', 'f.org_unit', 'f.created_at', 'f.closed_at',
    db.raw('(select count(*) from documents d where d.file_id = f.id)::int as documents'));
  if (s.fileReference?.trim()) q.where('f.file_reference', 'like', `${escapeLike(s.fileReference.trim())}%`);
  const subject = normalizeSearchText(s.subject);
  if (subject) q.where('f.subject_norm', 'like', `%${escapeLike(subject)}%`);
  if (s.classCode?.trim()) q.where('f.class_code', s.classCode.trim());
  if (s.state) q.where('f.state', s.state);
  if (s.from) q.where('f.created_at', '>=', new Date(`${isoDay(s.from, 'from')}T00:00:00+01:00`));
  if (s.to) q.where('f.created_at', '<', new Date(Date.parse(`${isoDay(s.to, 'to')}T00:00:00+01:00`) + 86_400_000));
  scope(q, actor, 'f', 'f.id');
  const rows = await q.orderBy([{ column: 'f.created_at', order: 'desc' }, { column: 'f.id', order: 'desc' }]).offset((page - 1) * pageSize).limit(pageSize + 1);
  return pageOf(rows, page, pageSize);
}
