import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { dispatchesOfDocuments, DomainError, FILE_STATES, recordTriggerEvent, searchFiles, searchJournal, type Actor, type WorkersConfig } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { SESSION_COOKIE } from '../clerk/clerk.route';
import { userForSession } from '../clerk/auth.service';
import { pagePath, parse, type AppState, type Ctx } from '../http';
import type { Renderer } from '../ui/render';
import { addRecordsCentreRoutes, type PageFn } from './records-centre.route';
import { addDispatchRoutes, DISPATCH_DESK } from './records-dispatch.route';
import { addDocumentPageRoutes } from './records-document-page.route';
import { addDocumentRoutes } from './records-documents.route';
import { showFilePage, TRIGGER_RECORDERS } from './records-file-page';
import { addHandlerRoutes } from './records-handler.route';
import { addLifecycleRoutes } from './records-lifecycle.route';
import { addPartiesRoutes } from './records-parties.route';
import { addReclassifyRoutes } from './records-reclassify.route';
import { addRegisterRoutes } from './records-register.route';
import { addTypedFileRoutes } from './records-typed-files.route';
import { addVolumeRoutes } from './records-volumes.route';

export interface RecordsDeps {
  db: Knex;
  clock: () => Date;
  render: Renderer;
  /** office settings and the data folder (transfer packages of an archive decision go to `<dataDir>/sip`) */
  config: WorkersConfig;
  /** the back-office's own origin: form posts must come from it (CSRF) */
  publicBaseUrl: string;
  /** largest accepted component of a registered document (`UPLOAD_MAX_BYTES`, default 10 MiB) */
  uploadMaxBytes?: number;
}

/** Roles that may use the journal and file screens. */
const RECORDS_ROLES = ['podatelna', 'referent', 'vedouci', 'spisovna', 'posuzovatel', 'admin'];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const text = z.string().trim().max(200);
const journalQuery = z.object({
  referenceNumber: text.optional(), jid: text.optional(), sender: text.optional(), subject: text.optional(),
  from: day.optional().or(z.literal('')), to: day.optional().or(z.literal('')), classCode: text.optional(),
  state: z.enum(['registered', 'settled', 'cancelled']).optional().or(z.literal('')),
  page: z.coerce.number().int().min(1).max(100000).optional(),
});
const fileQuery = z.object({
  fileReference: text.optional(), subject: text.optional(), classCode: text.optional(),
  state: z.enum(FILE_STATES).optional().or(z.literal('')), from: day.optional().or(z.literal('')), to: day.optional().or(z.literal('')),
  handler: z.enum(['mine', 'none']).optional().or(z.literal('')),
  page: z.coerce.number().int().min(1).max(100000).optional(),
});

function pageLinks(ctx: Ctx, page: number, hasNext: boolean) {
  const link = (p: number) => {
    const params = new URLSearchParams(ctx.querystring);
    params.set('page', String(p));
    return `${ctx.path}?${params.toString()}`;
  };
  return { page, prev: page > 1 ? link(page - 1) : null, next: hasNext ? link(page + 1) : null };
}

type NoBlank<T> = { [K in keyof T]: Exclude<T[K], ''> };
const blankToUndefined = <T extends Record<string, unknown>>(o: T): NoBlank<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== undefined)) as NoBlank<T>;

/** The records centre's own screens and its holds: the records manager and the administrator. */
const mayUseCentre = (actor: Actor) => actor.roles.includes('spisovna') || actor.roles.includes('admin');
/** The dispatch list (výpravna): the registry office and the administrator. */
const mayUseDispatch = (actor: Actor) => actor.roles.some((r) => DISPATCH_DESK.includes(r));

/** HTTP status of a refused records operation: its code decides, a business rule is a conflict. */
function statusOf(err: DomainError): number {
  if (err.code === 'FORBIDDEN' || err.code === 'FILE_ACCESS_DENIED') return 403;
  if (err.code.endsWith('_NOT_FOUND')) return 404;
  return err.kind === 'business' ? 409 : 400;
}

/**
 * Server-rendered records screens: registry journal search, file search and file detail, and the
 * records centre (records-centre.route.ts). A refused use case (DomainError) is shown as a
 * translated message (`records:errors.<CODE>`) with the status of its code; nothing has changed.
 */
export function recordsRouter(deps: RecordsDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/records' });
  const page: PageFn = (ctx, view, data) => {
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.render(view, { lng: ctx.state.lng, t: ctx.state.t, user: ctx.state.user, currentPath: pagePath(ctx) }, data);
  };
  const allowedOrigin = new URL(deps.publicBaseUrl).origin;

  // the actor of each request (a per-request map: requests run concurrently)
  const actors = new WeakMap<Ctx, Actor>();
  const actorOf = (ctx: Ctx): Actor => actors.get(ctx)!;
  router.use(async (ctx: Ctx, next) => {
    if (ctx.method === 'POST') {
      // SameSite=Strict keeps the session cookie off cross-site posts; the Origin check is the second lock
      const origin = ctx.get('Origin');
      if (!origin || (origin !== allowedOrigin && origin !== `${ctx.protocol}://${ctx.host}`)) throw new AppError('CSRF_REJECTED', `origin ${origin || '(none)'}`);
    }
    const token = ctx.cookies.get(SESSION_COOKIE);
    const user = token ? await userForSession(deps.db, token, deps.clock(), ctx.state.lngSwitched) : null;
    if (!user) {
      if (ctx.method !== 'GET') throw new AppError('UNAUTHENTICATED');
      return ctx.redirect(`/login?next=${encodeURIComponent(ctx.url)}`);
    }
    ctx.state.user = user;
    if (!user.roles.some((r) => RECORDS_ROLES.includes(r))) throw new AppError('FORBIDDEN');
    actors.set(ctx, { username: user.username, roles: user.roles, orgUnit: user.orgUnit });
    try {
      await next();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const t = ctx.state.t;
      ctx.state.log.info({ code: err.code, reason: err.message }, 'records operation refused');
      ctx.status = statusOf(err);
      page(ctx, 'records-error', { title: t('records:errors.title'), message: t(`records:errors.${err.code}`, { defaultValue: t('records:errors.generic') }), code: err.code, back: safeBack(ctx) });
    }
  });

  router.get('/journal', async (ctx: Ctx) => {
    const q = blankToUndefined(parse(journalQuery, ctx.query));
    const result = await searchJournal(deps.db, actorOf(ctx), q, { page: q.page ?? 1, pageSize: 25 });
    // the registry office registers for every unit and corrects the parties of what it registered
    const mayCorrectParties = actorOf(ctx).roles.includes('podatelna');
    // an outgoing document's addressees: the first, and how many more (the year's printout names them all)
    const dispatches = await dispatchesOfDocuments(deps.db, result.rows.filter((r) => r.direction === 'outgoing').map((r) => r.document_id));
    const rows = result.rows.map((r) => {
      const names = (dispatches.get(r.document_id) ?? []).map((d) => d.addressee).filter(Boolean);
      return { ...r, addresseeFirst: names[0] ?? r.addressee ?? null, addresseeMore: Math.max(0, names.length - 1) };
    });
    page(ctx, 'records-journal', { title: ctx.state.t('records:journal.title'), mayCentre: mayUseCentre(actorOf(ctx)), mayDispatch: mayUseDispatch(actorOf(ctx)), mayCorrectParties, q, rows, pager: pageLinks(ctx, result.page, result.hasNext) });
  });

  router.get('/files', async (ctx: Ctx) => {
    const q = blankToUndefined(parse(fileQuery, ctx.query));
    const result = await searchFiles(deps.db, actorOf(ctx), q, { page: q.page ?? 1, pageSize: 25 });
    page(ctx, 'records-files', { title: ctx.state.t('records:files.title'), mayCentre: mayUseCentre(actorOf(ctx)), mayDispatch: mayUseDispatch(actorOf(ctx)), q, states: FILE_STATES, rows: result.rows, pager: pageLinks(ctx, result.page, result.hasNext) });
  });

  const fileDeps = { ...deps, page, actorOf };
  router.get('/files/:id', async (ctx: Ctx) => {
    await showFilePage(fileDeps, ctx, parse(z.uuid(), ctx.params.id, 'NOT_FOUND'), { logView: true });
  });

  router.post('/files/:id/trigger', bodyParser({ enableTypes: ['form'], formLimit: '10kb' }), async (ctx: Ctx) => {
    const actor = actorOf(ctx);
    if (!actor.roles.some((r) => TRIGGER_RECORDERS.includes(r))) throw new AppError('FORBIDDEN');
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const body = z.object({ date: z.string().max(20) }).safeParse(ctx.request.body);
    if (!body.success) throw new DomainError('TRIGGER_DATE_INVALID', 'no date');
    await recordTriggerEvent({ db: deps.db, clock: deps.clock }, actor, { fileId: id, date: body.data.date });
    ctx.status = 303;
    ctx.redirect(`/records/files/${id}`);
  });

  addRecordsCentreRoutes(router, { ...deps, page, actorOf });
  addDocumentRoutes(router, { ...deps, page, actorOf });
  addDocumentPageRoutes(router, { ...deps, page, actorOf });
  addDispatchRoutes(router, { ...deps, page, actorOf });
  addLifecycleRoutes(router, { ...deps, actorOf, showFile: (ctx, id, opts) => showFilePage(fileDeps, ctx, id, opts) });
  addHandlerRoutes(router, { ...deps, actorOf, showFile: (ctx, id, opts) => showFilePage(fileDeps, ctx, id, opts) });
  addPartiesRoutes(router, { ...deps, page, actorOf });
  addTypedFileRoutes(router, { ...deps, page, actorOf });
  addVolumeRoutes(router, { ...deps, actorOf, showFile: (ctx, id, opts) => showFilePage(fileDeps, ctx, id, opts) });
  addReclassifyRoutes(router, { ...deps, actorOf, showFile: (ctx, id, opts) => showFilePage(fileDeps, ctx, id, opts) });
  addRegisterRoutes(router, { ...deps, page, actorOf, uploadMaxBytes: deps.uploadMaxBytes ?? 10 * 1024 * 1024 });

  return router;
}

/** Where "back" leads after a refused post: the page the form was on, when it is one of ours. */
function safeBack(ctx: Ctx): string {
  const referer = ctx.get('Referer');
  try {
    const url = new URL(referer);
    if (url.host === ctx.host && url.pathname.startsWith('/records/')) return `${url.pathname}${url.search}`;
  } catch {
    // no or a foreign referer
  }
  return ctx.method === 'GET' ? '/records/files' : ctx.path;
}
