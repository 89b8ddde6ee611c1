import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { findClassByCode, isoDate } from '../file-plan/file-plan.repository';
import { auditActor, type Actor, type CaseFileRow, type FileClassRow } from '../records.model';
import { pragueDay } from '../records.ports';
import { disposalYear, formatRetention, isClosureTrigger } from '../retention.service';
import { hasSubclasses, lockFileWithDocuments, setFileClass } from './file-class.repository';

/** Who corrects a file's class: the administrator and the records centre, and a head of the unit that handles the file. */
export const RECLASSIFIERS: readonly string[] = ['admin', 'spisovna', 'vedouci'];
/** Who corrects the class of a closed file (not yet in the records centre): only the records roles; a head of unit reopens it first. */
const CLOSED_FILE_RECLASSIFIERS: readonly string[] = ['admin', 'spisovna'];
export const RECLASSIFY_REASON_MAX = 500;

const hasAny = (actor: Actor, roles: readonly string[]) => actor.roles.some((r) => roles.includes(r));

/** Whether the actor may correct the class of the file in its present state (what the file page offers). */
export function mayReclassifyFile(actor: Actor, file: Pick<CaseFileRow, 'org_unit' | 'state' | 'kind'>): boolean {
  if (file.kind !== 'file') return false;
  if (file.state === 'closed') return hasAny(actor, CLOSED_FILE_RECLASSIFIERS);
  if (file.state !== 'open') return false;
  return hasAny(actor, CLOSED_FILE_RECLASSIFIERS) || (actor.roles.includes('vedouci') && Boolean(file.org_unit) && file.org_unit === actor.orgUnit);
}

/** The day whose file plan a file is classified in: the day it was opened (a file belongs to the plan valid then). */
export function classificationDay(file: Pick<CaseFileRow, 'created_at'>): string {
  return pragueDay(new Date(file.created_at));
}

export interface ReclassifyFileInput {
  fileId: string;
  classCode: string;
  reason: string;
}

export interface ReclassifyFileResult {
  changed: boolean;
  fileReference: string;
  from: string | null;
  to: string;
  retention: string;
  disposalYear: number | null;
}

/** The new class as the plan valid on the file's day has it: a leaf with a retention, not one for typed files. */
async function checkedClass(trx: Parameters<typeof findClassByCode>[0], classCode: string, day: string): Promise<FileClassRow> {
  const cls = await findClassByCode(trx, classCode, day);
  if (!cls) throw new DomainError('FILE_CLASS_NOT_FOUND', `no class ${classCode} in the file plan valid on ${day}`);
  if (cls.disposal_code === null || cls.retention_years === null || (await hasSubclasses(trx, cls.id))) {
    throw new DomainError('FILE_CLASS_NOT_LEAF', `class ${classCode} groups other classes; choose one of them`);
  }
  if (cls.for_typed_files) throw new DomainError('FILE_CLASS_TYPED', `class ${classCode} is meant for typed files`);
  return cls;
}

/**
 * A closed file's retention was fixed at its closure; with the new class it runs from the same
 * trigger date when the trigger event is the same, from the closure when the new class's event is
 * the closure, and otherwise from a day still to be recorded (`recordTriggerEvent`): no disposal year yet.
 */
function closedFileDates(file: CaseFileRow, cls: FileClassRow): Pick<CaseFileRow, 'trigger_date' | 'disposal_year'> {
  const sameEvent = (isClosureTrigger(file.trigger_event) && isClosureTrigger(cls.trigger_event)) || (file.trigger_event ?? '') === (cls.trigger_event ?? '');
  const kept = isoDate(file.trigger_date as Date | string | null);
  const triggerDate = sameEvent && kept ? kept : isClosureTrigger(cls.trigger_event) && file.closed_at ? pragueDay(new Date(file.closed_at)) : null;
  return { trigger_date: triggerDate, disposal_year: triggerDate ? disposalYear(triggerDate, cls.retention_years!) : null };
}

/**
 * Corrects the class (změna spisového znaku) of a file, NSESSS: the file takes the class and its
 * retention, its documents and journal rows the same (documents inherit from their file, as when
 * filed or moved), logged as `Uprava` of the `Spis` with the old and new class code and the reason,
 * all in one transaction. The class is looked up in the plan valid on the day the file was opened.
 * An open file: the administrator, the records centre, or a head of the file's own unit; a closed one
 * not yet handed over: the administrator or the records centre (its disposal year follows the new
 * retention); never a file in the records centre or later, a typed file or a volume (their class
 * comes from the typed file). The same class again changes nothing and logs nothing.
 */
export async function reclassifyFile(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: ReclassifyFileInput): Promise<ReclassifyFileResult> {
  if (!hasAny(actor, RECLASSIFIERS)) throw new DomainError('FORBIDDEN', `${actor.username} needs one of the roles ${RECLASSIFIERS.join(', ')}`);
  const classCode = input.classCode?.trim() ?? '';
  const reason = input.reason?.trim() ?? '';
  if (!classCode) throw new DomainError('FILE_CLASS_REQUIRED', 'choose the new class');
  if (!reason) throw new DomainError('REASON_REQUIRED', 'a change of class needs a reason');
  if (reason.length > RECLASSIFY_REASON_MAX) throw new DomainError('REASON_TOO_LONG', `the reason has more than ${RECLASSIFY_REASON_MAX} characters`);
  return ports.db.transaction(async (trx) => {
    const file = await lockFileWithDocuments(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    if (!hasAny(actor, CLOSED_FILE_RECLASSIFIERS) && (!file.org_unit || file.org_unit !== actor.orgUnit)) {
      throw new DomainError('FORBIDDEN', `${actor.username} is not a head of the unit handling file ${file.file_reference}`);
    }
    if (file.kind !== 'file') throw new DomainError('FILE_KIND_NOT_RECLASSIFIABLE', `file ${file.file_reference} is a ${file.kind}; its class comes from the typed file`, 'business');
    if (file.state === 'closed' && !hasAny(actor, CLOSED_FILE_RECLASSIFIERS)) throw new DomainError('RECLASSIFY_CLOSED', `file ${file.file_reference} is closed`, 'business');
    if (file.state !== 'open' && file.state !== 'closed') throw new DomainError('RECLASSIFY_STATE', `file ${file.file_reference} is ${file.state}`, 'business');
    const cls = await checkedClass(trx, classCode, classificationDay(file));
    const result = { fileReference: file.file_reference, from: file.class_code, to: cls.class_code, retention: formatRetention({ disposalCode: cls.disposal_code!, retentionYears: cls.retention_years! }) };
    if (file.class_id === cls.id) return { ...result, changed: false, disposalYear: file.disposal_year };

    const dates = file.state === 'closed' ? closedFileDates(file, cls) : undefined;
    const before = file.disposal_code && file.retention_years !== null ? formatRetention({ disposalCode: file.disposal_code, retentionYears: file.retention_years }) : null;
    const updated = await setFileClass(trx, file, cls, {
      actor: auditActor(actor), now: ports.clock(), file: dates,
      details: { reason, retentionFrom: before, retentionTo: result.retention, ...(dates ? { disposalYear: dates.disposal_year } : {}) },
    });
    return { ...result, changed: true, disposalYear: updated.disposal_year };
  });
}
