import { appendAuditLogBatch, type AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
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
  /** how many of its unsettled documents (and those of the files that followed it) got the new handler */
  documentsChanged: number;
  /** the open volumes and files in them that followed a typed file's or a volume's new handler */
  followers: number;
}

/**
 * What follows the handler of a typed file or of a volume: the open volumes of the typed file and
 * the open files in them (a volume: its open files), in the order they are locked (volumes, then
 * their files, by id). Whether each one follows is decided once they are locked.
 */
async function followerIds(trx: Knex.Transaction, fileId: string): Promise<string[]> {
  const file = await trx('files').where({ id: fileId }).first('kind');
  if (!file || (file.kind !== 'typed' && file.kind !== 'volume')) return [];
  const volumes: string[] = file.kind === 'typed'
    ? await trx('files').whereIn('part_id', trx('file_parts').where({ typed_file_id: fileId }).select('id')).where({ state: 'open' }).orderBy('id').pluck('id')
    : [fileId];
  const inner: string[] = volumes.length ? await trx('files').whereIn('volume_id', volumes).where({ state: 'open' }).orderBy('id').pluck('id') : [];
  return [...(file.kind === 'typed' ? volumes : []), ...inner];
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
 * Assigning the person who already handles everything changes and logs nothing. A typed file's
 * open volumes and the open files in them (a volume's open files) that the previous handler had, or
 * nobody, follow it with their unsettled documents, each logged (`Dil`, `Spis`) in the same
 * transaction: who takes over a typed file takes over its running work; a volume or file given to
 * somebody else on purpose stays theirs.
 */
export async function assignHandler(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: AssignHandlerInput): Promise<AssignHandlerResult> {
  const handler = typeof input.handler === 'string' ? input.handler.trim() : '';
  const reason = input.reason?.trim() || null;
  if (!handler) throw new DomainError('HANDLER_REQUIRED', 'no handler given');
  if (reason && reason.length > HANDLER_REASON_MAX) throw new DomainError('HANDLER_REASON_TOO_LONG', `the reason has more than ${HANDLER_REASON_MAX} characters`);
  return ports.db.transaction(async (trx) => {
    const candidates = await followerIds(trx, input.fileId);
    // documents before their file, as settlement, storno, dispatch and moves lock them, so none can deadlock with this
    const unsettled = await lockUnsettledDocuments(trx, input.fileId);
    const candidateDocuments = new Map<string, { id: string; handler: string | null }[]>();
    for (const id of candidates) candidateDocuments.set(id, await lockUnsettledDocuments(trx, id));
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    if (!mayAssignHandler(actor, file)) throw new DomainError('FORBIDDEN', `${actor.username} may not assign the handler of file ${file.id}`);
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    if (!mayAssignHandler(actor, file, handler)) throw new DomainError('HANDLER_SELF_ONLY', `${actor.username} may only take file ${file.id} over themselves`);
    if (!(await eligibleHandlers(trx, file.org_unit)).some((p) => p.username === handler)) {
      throw new DomainError('HANDLER_NOT_ELIGIBLE', `${handler} is no active referent or head of unit ${file.org_unit ?? '(none)'}`);
    }
    // a typed file's open volumes and the open files in them (a volume's open files) go with it when the
    // previous handler had them or nobody did; work someone else was given stays theirs, closed ones keep who handled them
    const followers: CaseFileRow[] = [];
    for (const id of candidates) {
      const f = await lockFile(trx, id);
      if (f && f.state === 'open' && f.owner !== handler && (f.owner === file.owner || !f.owner) && f.org_unit === file.org_unit) followers.push(f);
    }
    const documents = [
      ...unsettled.filter((d) => d.handler !== handler).map((d) => ({ ...d, fileId: file.id })),
      ...followers.flatMap((f) => (candidateDocuments.get(f.id) ?? []).filter((d) => d.handler !== handler).map((d) => ({ ...d, fileId: f.id }))),
    ];
    const fileChanged = file.owner !== handler;
    if (!fileChanged && !documents.length && !followers.length) return { fileChanged, documentsChanged: 0, followers: 0 };

    const now = ports.clock();
    const by = auditActor(actor);
    const entries: AuditEntry[] = [];
    const more = reason ? { reason } : {};
    for (const f of [...(fileChanged ? [file] : []), ...followers]) {
      await trx('files').where({ id: f.id }).update({ owner: handler });
      const objectType = f.kind === 'typed' ? 'TypovySpis' : f.kind === 'volume' ? 'Dil' : 'Spis';
      entries.push({ actor: by, eventType: 'ZmenaZpracovatele', objectType, objectId: f.id, occurredAt: now, details: { fileReference: f.file_reference, from: f.owner, to: handler, ...(f.id === file.id ? {} : { with: file.id }), ...more } });
    }
    if (documents.length) {
      const ids = documents.map((d) => d.id);
      await trx('documents').whereIn('id', ids).update({ handler });
      await trx('journal').whereIn('document_id', ids).update({ handled_by: handler });
      for (const d of documents) {
        entries.push({ actor: by, eventType: 'ZmenaZpracovatele', objectType: 'Dokument', objectId: d.id, occurredAt: now, details: { fileId: d.fileId, from: d.handler, to: handler, ...more } });
      }
    }
    await appendAuditLogBatch(trx, entries);
    return { fileChanged, documentsChanged: documents.length, followers: followers.length };
  });
}
