import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import { canAccessFile } from '../files/file-access';
import type { Actor } from '../records.model';
import { pragueDay } from '../records.ports';
import { isIsoDay } from '../transaction-log/prague-day';

/** Who records dispatch and delivery: the registry office (výpravna) for every unit, the handlers for the files they see. */
export const DISPATCH_ROLES = ['podatelna', 'referent', 'vedouci', 'admin'] as const;

/**
 * The moment of a dispatch or delivery given as a day (`YYYY-MM-DD`, from a date field): noon of
 * that day, or now when the day is today; a day still to come or no day at all is refused.
 */
export function momentOfDay(day: string | undefined, now: Date, code: string): Date {
  if (day === undefined || day.trim() === '') return now;
  const d = day.trim();
  if (!isIsoDay(d)) throw new DomainError(code, `not a calendar day: ${day}`);
  const today = pragueDay(now);
  if (d > today) throw new DomainError(code, `${d} is still to come`);
  return d === today ? now : new Date(`${d}T12:00:00Z`);
}

/** The outgoing document, locked, with its file; refuses anybody who may not handle it. */
export async function lockOutgoing(trx: Knex.Transaction, actor: Actor, documentId: string) {
  const doc = await trx('documents').where({ id: documentId }).forUpdate().first();
  if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${documentId} does not exist`);
  const file = doc.file_id ? await trx('files').where({ id: doc.file_id }).first() : null;
  if (!file) throw new DomainError('FILE_NOT_FOUND', `the file of document ${doc.jid} does not exist`);
  const shares: string[] = await trx('file_shares').where({ file_id: file.id }).pluck('org_unit');
  if (!actor.roles.includes('podatelna') && !canAccessFile(actor, file, shares)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not handle document ${doc.jid}`);
  if (doc.direction !== 'outgoing') throw new DomainError('DISPATCH_NOT_OUTGOING', `document ${doc.jid} is ${doc.direction}`, 'business');
  return { doc, file };
}
