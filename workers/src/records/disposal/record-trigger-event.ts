import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { pragueDay } from '../records.ports';
import { isIsoDay } from '../transaction-log/prague-day';
import { disposalYear, isClosureTrigger } from '../retention.service';
import { auditActor, type Actor } from '../records.model';
import { requireFileAccess, requireRole } from './access';
import { isoDate } from '../file-plan/file-plan.repository';
import { lockFile } from './lifecycle.repository';

/** States in which the trigger event still decides when the file goes to the disposal procedure. */
const STATES = ['closed', 'in-records-centre'];

/**
 * Records the day a file's trigger event (spouštěcí událost) happened when it is not the closure —
 * the end of an employment, a child's majority, the removal of a building: the retention runs from
 * 1 January of the following year, which gives the file its disposal year. A correction replaces
 * the date; both are logged (Uprava Spis, with the previous and the new date). The records centre,
 * or a handler who sees the file.
 */
export async function recordTriggerEvent(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileId: string; date: string },
): Promise<{ changed: boolean; fileReference: string; disposalYear: number }> {
  requireRole(actor, ['spisovna', 'referent', 'vedouci']);
  const date = input.date.trim();
  if (!isIsoDay(date)) throw new DomainError('TRIGGER_DATE_INVALID', `not a calendar day: ${input.date}`);
  if (date > pragueDay(ports.clock())) throw new DomainError('TRIGGER_DATE_FUTURE', `the trigger event cannot be recorded before it happens (${date})`);
  return ports.db.transaction(async (trx) => {
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    requireFileAccess(actor, file);
    if (!STATES.includes(file.state)) throw new DomainError('TRIGGER_STATE', `file ${file.file_reference} is ${file.state}`, 'business');
    if (file.retention_years === null || !file.disposal_code) throw new DomainError('FILE_NO_RETENTION', `file ${file.file_reference} has no retention`, 'business');
    if (isClosureTrigger(file.trigger_event)) throw new DomainError('TRIGGER_IS_CLOSURE', `the retention of file ${file.file_reference} runs from its closure`, 'business');
    const previous = isoDate(file.trigger_date as Date | string | null);
    const year = disposalYear(date, file.retention_years);
    if (previous === date) return { changed: false, fileReference: file.file_reference, disposalYear: year };
    await trx('files').where({ id: file.id }).update({ trigger_date: date, disposal_year: year });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: ports.clock(),
      details: { fileReference: file.file_reference, field: 'triggerDate', triggerEvent: file.trigger_event, from: previous, to: date, disposalYear: year },
    });
    return { changed: true, fileReference: file.file_reference, disposalYear: year };
  });
}
