import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { requireFileAccess, requireRole } from './access';

type Ports = Pick<WorkerPorts, 'db' | 'clock'>;
const REASON_MAX = 500;

function reasonOf(reason: string | null | undefined, required: boolean): string | null {
  const r = reason?.trim() || null;
  if (required && !r) throw new DomainError('REASON_REQUIRED', 'reopening needs a reason');
  if (r && r.length > REASON_MAX) throw new DomainError('REASON_TOO_LONG', `the reason has more than ${REASON_MAX} characters`);
  return r;
}

async function lockTyped(trx: Knex.Transaction, actor: Actor, typedFileId: string): Promise<CaseFileRow> {
  const typed: CaseFileRow | undefined = await trx('files').where({ id: typedFileId }).forUpdate().first();
  if (!typed || typed.kind !== 'typed') throw new DomainError('FILE_NOT_FOUND', `typed file ${typedFileId} does not exist`);
  requireFileAccess(actor, typed);
  return typed;
}

async function partOf(trx: Knex.Transaction, typed: CaseFileRow, partId: string) {
  const part = await trx('file_parts').where({ id: partId, typed_file_id: typed.id }).first();
  if (!part) throw new DomainError('FILE_PART_NOT_FOUND', `part ${partId} of ${typed.file_reference} does not exist`);
  return part;
}

/**
 * Closes a part (součást) of an open typed file when none of its volumes is open (a part with no
 * volume closes too: it took nothing). A closed part takes no new volume. `Uzavreni` of the `Soucast`.
 */
export async function closePart(ports: Ports, actor: Actor, input: { typedFileId: string; partId: string; reason?: string | null }): Promise<void> {
  requireRole(actor, ['referent', 'vedouci']);
  const reason = reasonOf(input.reason, false);
  await ports.db.transaction(async (trx) => {
    const typed = await lockTyped(trx, actor, input.typedFileId);
    const part = await partOf(trx, typed, input.partId);
    if (typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    if (part.closed_at) throw new DomainError('PART_CLOSED', `part ${part.code} of ${typed.file_reference} is closed`, 'business');
    const open: string[] = await trx('files').where({ part_id: part.id, state: 'open' }).orderBy('file_reference').pluck('file_reference');
    if (open.length) throw Object.assign(new DomainError('PART_INCOMPLETE', `part ${part.code} has open volumes: ${open.join(', ')}`, 'business'), { openVolumes: open });
    const now = ports.clock();
    const by = auditActor(actor);
    await trx('file_parts').where({ id: part.id }).update({ closed_at: now, closed_by: by, closure_reason: reason });
    await appendAuditLog(trx, { actor: by, eventType: 'Uzavreni', objectType: 'Soucast', objectId: part.id, occurredAt: now, details: { typedFileId: typed.id, fileReference: typed.file_reference, code: part.code, ...(reason ? { reason } : {}) } });
  });
}

/** Reopens a closed part of an open typed file, with a reason: `Otevreni` of the `Soucast`. */
export async function reopenPart(ports: Ports, actor: Actor, input: { typedFileId: string; partId: string; reason: string }): Promise<void> {
  requireRole(actor, ['vedouci', 'referent']);
  const reason = reasonOf(input.reason, true);
  await ports.db.transaction(async (trx) => {
    const typed = await lockTyped(trx, actor, input.typedFileId);
    const part = await partOf(trx, typed, input.partId);
    if (typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    if (!part.closed_at) throw new DomainError('PART_NOT_CLOSED', `part ${part.code} of ${typed.file_reference} is open`, 'business');
    const now = ports.clock();
    await trx('file_parts').where({ id: part.id }).update({ closed_at: null, closed_by: null, closure_reason: null, reopened_at: now });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Otevreni', objectType: 'Soucast', objectId: part.id, occurredAt: now,
      details: { typedFileId: typed.id, fileReference: typed.file_reference, code: part.code, reason, closedAt: new Date(part.closed_at).toISOString(), closedBy: part.closed_by },
    });
  });
}

/**
 * Closes a typed file when every part of it is closed. The typed file itself never goes to the
 * records centre: its closed volumes do, each as a unit (NSESSS: the díl is the base entity of a
 * typed file's package). `Uzavreni` of the `TypovySpis`.
 */
export async function closeTypedFile(ports: Ports, actor: Actor, input: { typedFileId: string; reason?: string | null }): Promise<void> {
  requireRole(actor, ['referent', 'vedouci']);
  const reason = reasonOf(input.reason, false);
  await ports.db.transaction(async (trx) => {
    const typed = await lockTyped(trx, actor, input.typedFileId);
    if (typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    const open: string[] = await trx('file_parts').where({ typed_file_id: typed.id }).whereNull('closed_at').orderBy('code').pluck('code');
    if (open.length) throw Object.assign(new DomainError('TYPED_FILE_INCOMPLETE', `typed file ${typed.file_reference} has open parts: ${open.join(', ')}`, 'business'), { openParts: open });
    const now = ports.clock();
    const by = auditActor(actor);
    await trx('files').where({ id: typed.id }).update({ state: 'closed', closed_at: now, closed_by: by, closure_reason: reason, settled_at: typed.settled_at ?? now });
    await appendAuditLog(trx, { actor: by, eventType: 'Uzavreni', objectType: 'TypovySpis', objectId: typed.id, occurredAt: now, details: { fileReference: typed.file_reference, ...(reason ? { reason } : {}) } });
  });
}

/** Reopens a closed typed file, with a reason: `Otevreni` of the `TypovySpis`; its parts stay closed until reopened one by one. */
export async function reopenTypedFile(ports: Ports, actor: Actor, input: { typedFileId: string; reason: string }): Promise<void> {
  requireRole(actor, ['vedouci', 'referent']);
  const reason = reasonOf(input.reason, true);
  await ports.db.transaction(async (trx) => {
    const typed = await lockTyped(trx, actor, input.typedFileId);
    if (typed.state !== 'closed') throw new DomainError('FILE_NOT_CLOSED', `typed file ${typed.file_reference} is ${typed.state}`);
    const now = ports.clock();
    await trx('files').where({ id: typed.id }).update({ state: 'open', reopened_at: now, closed_at: null, closed_by: null });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Otevreni', objectType: 'TypovySpis', objectId: typed.id, occurredAt: now,
      details: { fileReference: typed.file_reference, reason, closedAt: typed.closed_at ? new Date(typed.closed_at).toISOString() : null, closedBy: typed.closed_by },
    });
  });
}
