import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { insertVolume } from '../files/typed-file.service';
import { volumeHoldsDocuments } from '../files/volume-file.service';
import { auditActor, type Actor, type CaseFileRow, type DisposalCode } from '../records.model';
import { pragueDay } from '../records.ports';
import { disposalYear, isClosureTrigger, mostSevereRetention } from '../retention.service';
import { requireFileAccess, requireRole } from './access';
import { closeLockedFile } from './close-file';

const SUBJECT_MAX = 500;

/** A volume and its typed file, locked typed file first (as opening a volume and reassigning a handler lock them). */
async function lockVolume(trx: Knex.Transaction, volumeId: string): Promise<{ volume: CaseFileRow; typed: CaseFileRow; part: { id: string; code: string; closed_at: Date | null; disposal_code: DisposalCode | null; retention_years: number | null; trigger_event: string | null } }> {
  const seen: CaseFileRow | undefined = await trx('files').where({ id: volumeId }).first();
  const part = seen?.kind === 'volume' && seen.part_id ? await trx('file_parts').where({ id: seen.part_id }).first() : undefined;
  if (!seen || !part) throw new DomainError('VOLUME_NOT_FOUND', `volume ${volumeId} does not exist`);
  const typed: CaseFileRow = await trx('files').where({ id: part.typed_file_id }).forUpdate().first();
  const volume: CaseFileRow = await trx('files').where({ id: volumeId }).forUpdate().first();
  return { volume, typed, part };
}

/**
 * Closes (uzavření) a volume (díl) of a typed file, and on request opens the next volume of its part
 * in the same transaction. A volume that holds files closes when it has one and all of them are
 * closed (cancelled ones aside); its retention is the most severe of its own and its files', and
 * its retention runs from its closure, or — for another trigger event — from the latest trigger
 * date of its files once all have one; its disposal year is never before any of its files'. A
 * volume that holds documents (before 2023) closes as a file does. Logged as `Uzavreni` of the
 * `Dil` (and `Zalozeni` of the next one).
 */
export async function closeVolume(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { volumeId: string; reason?: string | null; triggerDate?: string | null; nextSubject?: string | null },
): Promise<{ closedAt: Date; disposalYear: number | null; next: { fileId: string; fileReference: string } | null }> {
  requireRole(actor, ['referent', 'vedouci']);
  const nextSubject = input.nextSubject?.trim() || null;
  if (nextSubject && nextSubject.length > SUBJECT_MAX) throw new DomainError('VOLUME_SUBJECT_REQUIRED', `a volume's subject has at most ${SUBJECT_MAX} characters`);
  return ports.db.transaction(async (trx) => {
    const { volume, typed, part } = await lockVolume(trx, input.volumeId);
    requireFileAccess(actor, volume);
    if (volume.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `volume ${volume.file_reference} is ${volume.state}`, 'business');
    if (nextSubject && typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    if (nextSubject && part.closed_at) throw new DomainError('PART_CLOSED', `part ${part.code} of ${typed.file_reference} is closed`, 'business');
    const now = ports.clock();
    const closed = (await volumeHoldsDocuments(trx, volume.id))
      ? await closeLockedFile(trx, now, actor, volume, input, 'Dil')
      : await closeVolumeOfFiles(trx, now, actor, volume, input);
    let next = null;
    if (nextSubject) {
      const [{ n }] = await trx('files').where({ part_id: part.id }).count({ n: '*' });
      next = await insertVolume(trx, actor, typed, part, nextSubject, Number(n) + 1, now);
    }
    return { ...closed, next };
  });
}

async function closeVolumeOfFiles(
  trx: Knex.Transaction,
  now: Date,
  actor: Actor,
  volume: CaseFileRow,
  input: { reason?: string | null; triggerDate?: string | null },
): Promise<{ closedAt: Date; disposalYear: number | null }> {
  // locked after the volume: a file reopened meanwhile is seen open (reopenFile reads the volume after locking its file)
  const files: CaseFileRow[] = await trx('files').where({ volume_id: volume.id }).whereNot({ state: 'cancelled' }).orderBy('id').forUpdate();
  files.sort((a, b) => a.file_reference.localeCompare(b.file_reference));
  if (!files.length) throw new DomainError('VOLUME_EMPTY', `volume ${volume.file_reference} holds no file`, 'business');
  const open = files.filter((f) => f.state === 'open');
  if (open.length) {
    throw Object.assign(new DomainError('VOLUME_INCOMPLETE', `volume ${volume.file_reference} has open files: ${open.map((f) => f.file_reference).join(', ')}`, 'business'), {
      openFiles: open.map((f) => f.file_reference),
    });
  }
  const asRetention = (f: CaseFileRow) => (f.disposal_code && f.retention_years !== null
    ? { disposalCode: f.disposal_code, retentionYears: f.retention_years, triggerEvent: f.trigger_event ?? 'uzavření spisu' } : null);
  const retention = mostSevereRetention([asRetention(volume), ...files.map(asRetention)]);
  if (!retention) throw new DomainError('FILE_NO_RETENTION', `volume ${volume.file_reference} has no retention`, 'business');
  const triggerDates = files.map((f) => (f.trigger_date ? pragueDay(new Date(f.trigger_date)) : null));
  const trigger = input.triggerDate
    ? new Date(`${input.triggerDate.slice(0, 10)}T12:00:00Z`)
    : isClosureTrigger(retention.triggerEvent)
      ? now
      : triggerDates.every(Boolean) ? new Date(`${triggerDates.sort().at(-1)}T12:00:00Z`) : null;
  if (trigger && Number.isNaN(trigger.getTime())) throw new DomainError('TRIGGER_DATE_INVALID', `trigger date ${input.triggerDate} is not a date`);
  const year = trigger ? Math.max(disposalYear(trigger, retention.retentionYears), ...files.map((f) => f.disposal_year ?? 0)) : null;
  const by = auditActor(actor);
  await trx('files').where({ id: volume.id }).update({
    state: 'closed', closed_at: now, closed_by: by, closure_reason: input.reason?.trim() || null, settled_at: volume.settled_at ?? now,
    disposal_code: retention.disposalCode, retention_years: retention.retentionYears, trigger_event: retention.triggerEvent,
    trigger_date: trigger ? pragueDay(trigger) : null, disposal_year: year,
  });
  await appendAuditLog(trx, {
    actor: by, eventType: 'Uzavreni', objectType: 'Dil', objectId: volume.id, occurredAt: now,
    details: { fileReference: volume.file_reference, files: files.length, retention: `${retention.disposalCode}/${retention.retentionYears}`, disposalYear: year, ...(trigger ? {} : { triggerEvent: retention.triggerEvent }) },
  });
  return { closedAt: now, disposalYear: year };
}

/**
 * Reopens (otevření) a closed volume that has not gone to the records centre, while its typed file
 * and part are open; the reason and the closure it undoes are logged as `Otevreni` of the `Dil`.
 */
export async function reopenVolume(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: { volumeId: string; reason: string }): Promise<void> {
  requireRole(actor, ['vedouci', 'referent']);
  const reason = input.reason?.trim();
  if (!reason) throw new DomainError('REASON_REQUIRED', 'reopening a volume needs a reason');
  await ports.db.transaction(async (trx) => {
    const { volume, typed, part } = await lockVolume(trx, input.volumeId);
    requireFileAccess(actor, volume);
    if (volume.state !== 'closed') throw new DomainError('FILE_NOT_CLOSED', `volume ${volume.file_reference} is ${volume.state}`);
    if (typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    if (part.closed_at) throw new DomainError('PART_CLOSED', `part ${part.code} of ${typed.file_reference} is closed`, 'business');
    const now = ports.clock();
    await trx('files').where({ id: volume.id }).update({ state: 'open', reopened_at: now, closed_at: null, closed_by: null, trigger_date: null, disposal_year: null });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Otevreni', objectType: 'Dil', objectId: volume.id, occurredAt: now,
      details: { fileReference: volume.file_reference, reason, closedAt: volume.closed_at ? new Date(volume.closed_at).toISOString() : null, closedBy: volume.closed_by },
    });
  });
}
