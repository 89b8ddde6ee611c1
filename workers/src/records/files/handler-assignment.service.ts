import { appendAuditLogBatch, type AuditEntry } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { lockFile } from '../disposal/lifecycle.repository';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { eligibleHandlers, lockUnsettledDocuments } from './handler-assignment.repository';

/** The longest reason kept with a change of handler. */
export const HANDLER_REASON_MAX = 500;

export interface AssignHandlerInput {
  fileId: string;
  /** username of the new handling person */
  handler: string;
  reason?: string | null;
}

export interface AssignHandlerResult {
  /** whether the file's own handler changed */
  fileChanged: boolean;
  /** how many of its unsettled documents got the new handler */
  documentsChanged: number;
}

/**
 * Whether the actor may (re)assign the handler of the file, and to whom:
 * - the administrator: any file, to anybody eligible;
 * - a head of unit (vedoucí): a file of their own unit, to anybody eligible — the head distributes the unit's work;
 * - a referent: hands over a file they handle themselves to a colleague of the unit, and takes a
 *   file of their unit that nobody handles yet — never somebody else's file.
 * A unit the file is only shared with assigns nothing. `handler` undefined asks whether the actor
 * may assign the file to anybody at all (the back-office's question whether to show the form).
 */
export function mayAssignHandler(actor: Actor, file: Pick<CaseFileRow, 'org_unit' | 'owner'>, handler?: string): boolean {
  if (actor.roles.includes('admin') || actor.username.startsWith('system:')) return true;
  if (!file.org_unit || file.org_unit !== actor.orgUnit) return false;
  if (actor.roles.includes('vedouci')) return true;
  if (!actor.roles.includes('referent')) return false;
  if (file.owner === actor.username) return true;
  return !file.owner && (handler === undefined || handler === actor.username);
}

/**
 * Assigns or changes the handling person (zpracovatel) of an open file: the file's handler, the
 * handler of each of its documents still being worked on and their journal rows' handling person.
 * Settled, dispatched and cancelled documents keep who handled them. One `ZmenaZpracovatele` per
 * changed object (the `Spis` and each `Dokument`, with `from` and `to`) in the same transaction.
 * Assigning the person who already handles everything changes and logs nothing.
 */
export async function assignHandler(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: AssignHandlerInput): Promise<AssignHandlerResult> {
  const handler = typeof input.handler === 'string' ? input.handler.trim() : '';
  const reason = input.reason?.trim() || null;
  if (!handler) throw new DomainError('HANDLER_REQUIRED', 'no handler given');
  if (reason && reason.length > HANDLER_REASON_MAX) throw new DomainError('HANDLER_REASON_TOO_LONG', `the reason has more than ${HANDLER_REASON_MAX} characters`);
  return ports.db.transaction(async (trx) => {
    // documents before their file, as settlement, storno, dispatch and moves lock them, so none can deadlock with this
    const unsettled = await lockUnsettledDocuments(trx, input.fileId);
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    if (!mayAssignHandler(actor, file)) throw new DomainError('FORBIDDEN', `${actor.username} may not assign the handler of file ${file.id}`);
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    if (!mayAssignHandler(actor, file, handler)) throw new DomainError('HANDLER_SELF_ONLY', `${actor.username} may only take file ${file.id} over themselves`);
    if (!(await eligibleHandlers(trx, file.org_unit)).some((p) => p.username === handler)) {
      throw new DomainError('HANDLER_NOT_ELIGIBLE', `${handler} is no active referent or head of unit ${file.org_unit ?? '(none)'}`);
    }
    const documents = unsettled.filter((d) => d.handler !== handler);
    const fileChanged = file.owner !== handler;
    if (!fileChanged && !documents.length) return { fileChanged, documentsChanged: 0 };

    const now = ports.clock();
    const by = auditActor(actor);
    const entries: AuditEntry[] = [];
    const more = reason ? { reason } : {};
    if (fileChanged) {
      await trx('files').where({ id: file.id }).update({ owner: handler });
      entries.push({ actor: by, eventType: 'ZmenaZpracovatele', objectType: 'Spis', objectId: file.id, occurredAt: now, details: { fileReference: file.file_reference, from: file.owner, to: handler, ...more } });
    }
    if (documents.length) {
      const ids = documents.map((d) => d.id);
      await trx('documents').whereIn('id', ids).update({ handler });
      await trx('journal').whereIn('document_id', ids).update({ handled_by: handler });
      for (const d of documents) {
        entries.push({ actor: by, eventType: 'ZmenaZpracovatele', objectType: 'Dokument', objectId: d.id, occurredAt: now, details: { fileId: file.id, from: d.handler, to: handler, ...more } });
      }
    }
    await appendAuditLogBatch(trx, entries);
    return { fileChanged, documentsChanged: documents.length };
  });
}
