import { appendAuditLog } from '@openspis/db';
import { canAccessFile, dispatchesOfDocuments, HOLDABLE_STATES, isClosureTrigger, pragueDay, type Actor, type DocumentDispatchRow } from '@openspis/workers';
import type { Knex } from 'knex';
import { AppError } from '../app-error';
import type { Ctx } from '../http';
import type { PageFn } from './records-centre.route';
import { DISPATCH_CHANNELS, DOCUMENT_EDITORS } from './records-documents.route';
import { handlerDoneMessage, handlerSection } from './records-handler.route';
import { doneMessage, lifecycleActions, type LifecycleFailure } from './records-lifecycle.route';
import { reclassifySection, type ReclassifyFailure } from './records-reclassify.route';
import { typedFileSection, type TypedFailure } from './records-typed-files.route';

/** Who records the day of a file's trigger event: the records centre and the handlers (use case checks the unit). */
export const TRIGGER_RECORDERS = ['spisovna', 'referent', 'vedouci', 'admin'];

export interface FilePageDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
}

const mayUseCentre = (actor: Actor) => actor.roles.includes('spisovna') || actor.roles.includes('admin');

/**
 * The file page (records-file.hbs) with every form the user may use on it. Shown after a GET
 * (`logView`: NSESSS makes displaying a file an event of the transaction log) and again, unlogged
 * and unchanged, when a form posted from it was refused (`failure`: the error summary, the field
 * messages and what the user typed).
 */
export async function showFilePage(
  deps: FilePageDeps, ctx: Ctx, id: string, opts: { logView: boolean; failure?: LifecycleFailure; reclassify?: ReclassifyFailure; typedFailure?: TypedFailure; status?: number },
): Promise<void> {
  const file = await deps.db('files').where({ id }).first();
  if (!file) throw new AppError('NOT_FOUND');
  const shares: string[] = await deps.db('file_shares').where({ file_id: id }).pluck('org_unit');
  const actor = deps.actorOf(ctx);
  if (!canAccessFile(actor, file, shares)) throw new AppError('FORBIDDEN');
  const rows = await deps.db('journal').where({ file_id: id }).orderBy([{ column: 'order_in_file' }, { column: 'id' }]);
  const docs = rows.length ? await deps.db('documents').whereIn('id', rows.map((r) => r.document_id)).select('id', 'state', 'direction', 'created_by') : [];
  const moves = await deps.db('document_file_moves as m').join('documents as d', 'd.id', 'm.document_id').where('m.to_file_id', id).orWhere('m.from_file_id', id).orderBy('m.moved_at').select('m.*', 'd.jid');
  if (opts.logView) {
    await deps.db.transaction((trx) => appendAuditLog(trx, { actor: `user:${actor.username}`, eventType: 'Zobrazeni', objectType: 'Spis', objectId: id, occurredAt: deps.clock() }));
  }
  const awaitsTrigger = !isClosureTrigger(file.trigger_event);
  const lifecycle = lifecycleActions(actor, file, rows, docs, opts.failure);
  const mayEdit = file.state === 'open' && actor.roles.some((r) => DOCUMENT_EDITORS.includes(r));
  // the units the file may still be shared with: every other one
  const shareUnits = lifecycle.file.mayShare
    ? (await deps.db('org_units').orderBy('code').select('code', 'name')).filter((u: { code: string }) => u.code !== file.org_unit && !shares.includes(u.code))
    : [];
  const reclassify = await reclassifySection(deps.db, ctx, actor, file, opts.reclassify);
  const handler = await handlerSection(deps.db, actor, file, opts.failure);
  const documents = await withDispatches(deps.db, lifecycle.documents, docs);
  if (opts.status) ctx.status = opts.status;
  deps.page(ctx, 'records-file', {
    title: file.file_reference, file, shares, shareUnits, documents, moves, awaitsTrigger, channels: DISPATCH_CHANNELS, today: pragueDay(deps.clock()),
    mayHold: mayUseCentre(actor) && (file.disposal_hold || HOLDABLE_STATES.includes(file.state)),
    mayEdit, actionsColumn: mayEdit || lifecycle.file.mayAct, now: deps.clock(), userName: ctx.state.user?.displayName ?? actor.username,
    // the day of a trigger event other than the closure: the records centre or the file's handlers
    mayTrigger: awaitsTrigger && ['closed', 'in-records-centre'].includes(file.state) && actor.roles.some((r) => TRIGGER_RECORDERS.includes(r)),
    ...lifecycle.file,
    ...handler,
    done: opts.failure || opts.reclassify || opts.typedFailure ? null : (doneMessage(ctx) ?? handlerDoneMessage(ctx)),
    reclassify,
    typed: await typedFileSection(deps.db, actor, file, opts.typedFailure ? {} : ctx.query, opts.typedFailure),
  });
}

/**
 * Each outgoing document with its addressees' dispatches, each with the form it still needs (dispatch
 * while the document is created, delivery once dispatched). A document whose only addressee was never
 * dispatched has no row yet: it shows as one dispatch made of the document's own columns.
 */
async function withDispatches<T extends { document_id: string; direction?: string | null; addressee?: string | null; channel?: string | null; dispatched_at?: Date | null; delivered_at?: Date | null }>(
  db: Knex, rows: T[], docs: { id: string; state: string }[],
) {
  const outgoing = rows.filter((r) => r.direction === 'outgoing').map((r) => r.document_id);
  const byDoc = await dispatchesOfDocuments(db, outgoing);
  return rows.map((row) => {
    if (row.direction !== 'outgoing') return row;
    const state = docs.find((d) => d.id === row.document_id)?.state ?? 'created';
    const own: Partial<DocumentDispatchRow>[] = byDoc.get(row.document_id) ?? [{
      id: undefined, addressee: row.addressee ?? null, channel: (row.channel ?? null) as DocumentDispatchRow['channel'], dispatched_at: row.dispatched_at ?? null, delivered_at: row.delivered_at ?? null,
      state: row.delivered_at ? 'delivered' : row.dispatched_at ? 'dispatched' : 'created', deemed: false,
    }];
    const dispatches = own.map((d) => ({
      ...d, key: own.length > 1 && d.id ? d.id : row.document_id,
      mayDispatch: state === 'created' && d.state === 'created',
      mayDeliver: state !== 'cancelled' && d.state === 'dispatched',
    }));
    return { ...row, dispatches, severalAddressees: dispatches.length > 1, mayChangeAddressees: state === 'created' };
  });
}
