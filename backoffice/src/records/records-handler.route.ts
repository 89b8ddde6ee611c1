import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import { assignHandler, canAccessFile, DomainError, eligibleHandlers, HANDLER_REASON_MAX, mayAssignHandler, type Actor } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { fieldError, formText, hasAny } from './page-form';
import { newFailure, type LifecycleRoutesDeps, type LifecycleFailure } from './records-lifecycle.route';

/** assignHandler: the handlers and the administrator; the use case then lets a head of the file's unit, or a referent for their own file. */
export const HANDLER_ASSIGNERS: readonly string[] = ['referent', 'vedouci', 'admin'];
const USERNAME_MAX = 100;
const DONE = { handler: 'changed', 'handler-same': 'same' } as const;

interface FileRow { id: string; state: string; org_unit: string | null; owner: string | null }

/** Whether the file page offers this user the handler form (the use case would let them assign somebody). */
function mayAssign(actor: Actor, file: FileRow): boolean {
  return file.state === 'open' && hasAny(actor, HANDLER_ASSIGNERS) && mayAssignHandler(actor, file);
}

/**
 * What the file page shows of the handler (zpracovatel): who handles the file, and for whom the use
 * case allows it the form with the people it may go to (a referent taking over a file nobody
 * handles sees only themselves), with a refused post's messages and values.
 */
export async function handlerSection(db: Knex, actor: Actor, file: FileRow, failure?: LifecycleFailure) {
  const handlerUser = file.owner ? await db('users').where({ username: file.owner }).first('display_name') : undefined;
  const current = file.owner ? { username: file.owner, name: handlerUser?.display_name ?? file.owner } : null;
  if (!mayAssign(actor, file)) return { handler: current, mayAssignHandler: false };
  const mine = failure?.form === 'handler' ? failure : undefined;
  const people = (await eligibleHandlers(db, file.org_unit)).filter((p) => mayAssignHandler(actor, file, p.username));
  return {
    handler: current,
    mayAssignHandler: people.length > 0,
    handlerForm: {
      people,
      selected: mine?.values.handler ?? '',
      reason: mine?.values.reason ?? '',
      personError: mine?.fields['handler-person'],
      reasonError: mine?.fields['handler-reason'],
      reasonMax: HANDLER_REASON_MAX,
    },
  };
}

/** The `?done=` message of a handler change, if the query names one. */
export function handlerDoneMessage(ctx: Ctx): string | null {
  const done = z.enum(['handler', 'handler-same']).safeParse(ctx.query.done);
  return done.success ? ctx.state.t(`records:handler.done.${DONE[done.data]}`) : null;
}

/**
 * Assignment and change of a file's handler (`POST /records/files/:id/handler`) from the file page.
 * The role and the user's right to assign this file's handler are checked before the form is read
 * (the session and the Origin by the records router); bad input shows the page again with an error
 * summary and changes nothing; assignHandler checks everything again and logs `ZmenaZpracovatele`.
 */
export function addHandlerRoutes(router: Router<AppState>, deps: LifecycleRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const ports = { db: deps.db, clock: deps.clock };

  router.post('/files/:id/handler', forms, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!hasAny(actor, HANDLER_ASSIGNERS)) throw new AppError('FORBIDDEN', `${actor.username} needs one of ${HANDLER_ASSIGNERS.join(', ')}`);
    const file: FileRow | undefined = await deps.db('files').where({ id: parse(z.uuid(), ctx.params.id, 'NOT_FOUND') }).first('id', 'state', 'org_unit', 'owner');
    if (!file) throw new AppError('NOT_FOUND');
    const shares: string[] = await deps.db('file_shares').where({ file_id: file.id }).pluck('org_unit');
    if (!canAccessFile(actor, file, shares) || !mayAssignHandler(actor, file)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not assign the handler of file ${file.id}`);

    const t = ctx.state.t;
    const values = { handler: formText(ctx.request.body, 'handler'), reason: formText(ctx.request.body, 'reason') };
    const f = newFailure('handler', undefined, values);
    if (!values.handler) fieldError(f, 'handler-person', t('records:handler.errors.HANDLER_REQUIRED'));
    else if (values.handler.length > USERNAME_MAX) fieldError(f, 'handler-person', t('records:handler.errors.HANDLER_NOT_ELIGIBLE'));
    if (values.reason.length > HANDLER_REASON_MAX) fieldError(f, 'handler-reason', t('records:lifecycle.errors.tooLong', { max: HANDLER_REASON_MAX }));
    if (f.errors.length) return deps.showFile(ctx, file.id, { logView: false, failure: f, status: 400 });
    let changed: boolean;
    try {
      const result = await assignHandler(ports, actor, { fileId: file.id, handler: values.handler, reason: values.reason || null });
      changed = result.fileChanged || result.documentsChanged > 0 || result.followers > 0;
    } catch (err) {
      // a refused role or unit, and a file closed meanwhile (the page then has no form), go to the error page; the rest is shown with the form
      if (!(err instanceof DomainError) || ['FORBIDDEN', 'FILE_NOT_OPEN'].includes(err.code) || err.code.endsWith('_NOT_FOUND')) throw err;
      fieldError(f, err.code === 'HANDLER_REASON_TOO_LONG' ? 'handler-reason' : 'handler-person', t(`records:handler.errors.${err.code}`, { defaultValue: t('records:errors.generic') }));
      return deps.showFile(ctx, file.id, { logView: false, failure: f, status: err.kind === 'business' ? 409 : 400 });
    }
    ctx.status = 303;
    ctx.redirect(`/records/files/${file.id}?done=${changed ? 'handler' : 'handler-same'}#handler-heading`);
  });
}
