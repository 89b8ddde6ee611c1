import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { appendAuditLog } from '@openspis/db';
import type { i18n } from 'i18next';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import type { Catalogue } from '../catalogue';
import type { ServerConfig } from '../config';
import type { EnginePort } from '../engine-port';
import { translateForm } from '../forms/translate-form';
import { pagePath, parse, type AppState, type Ctx } from '../http';
import type { Renderer } from '../ui/render';
import { login, logout, userForSession } from './auth.service';
import { caseDetail, componentForDownload } from './case.repository';
import { mayPreviewTemplates, templateList, templatePreview, type DocumentTemplatesConfig } from './template-preview';
import { mayReadDocument } from '../records/records-document-page.route';
import { claimTask, completeTask, groupTasks, mayReadCase, myTasks, visibleTask, type TaskDeps } from './tasks.service';

export const SESSION_COOKIE = 'openspis_session';

export interface ClerkDeps {
  db: Knex;
  engine: EnginePort;
  catalogue: Catalogue;
  config: ServerConfig;
  clock: () => Date;
  i18n: i18n;
  render: Renderer;
  /** where document templates and their fixtures are, for the template preview */
  documents: DocumentTemplatesConfig;
}

const taskKey = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/);
const uuid = z.uuid();
const loginForm = z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(1000), next: z.string().optional() });
const completeBody = z.object({ data: z.record(z.string(), z.unknown()) });

/** Server-rendered clerk pages: login, inbox, task detail with the form-js task form, case detail. */
export function clerkRouter(deps: ClerkDeps): Router<AppState> {
  const router = new Router<AppState>();
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '100kb' });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '1mb' });
  const allowedOrigin = new URL(deps.config.publicBaseUrl).origin;
  const taskDeps = (ctx: Ctx): TaskDeps => ({ db: deps.db, engine: deps.engine, catalogue: deps.catalogue, clock: deps.clock, log: ctx.state.log });
  const page = (ctx: Ctx, view: string, data: Record<string, unknown>) => {
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.render(view, { lng: ctx.state.lng, t: ctx.state.t, user: ctx.state.user, currentPath: pagePath(ctx) }, data);
  };

  // session + CSRF for everything outside the public API
  router.use(async (ctx: Ctx, next) => {
    if (ctx.path.startsWith('/api/') || ctx.path.startsWith('/static/')) return next();
    if (ctx.method === 'POST') {
      // SameSite=Strict keeps the cookie off cross-site requests; the Origin check is the second lock
      const origin = ctx.get('Origin');
      const self = `${ctx.protocol}://${ctx.host}`;
      if (!origin || (origin !== allowedOrigin && origin !== self)) throw new AppError('CSRF_REJECTED', `origin ${origin || '(none)'}`);
    }
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const user = await userForSession(deps.db, token, deps.clock(), ctx.state.lngSwitched);
      if (user) {
        ctx.state.user = user;
        ctx.state.log = ctx.state.log.child({ user: user.username });
      }
    }
    await next();
  });

  const requireUser = async (ctx: Ctx, next: () => Promise<unknown>) => {
    if (!ctx.state.user) {
      if (ctx.method === 'GET') return ctx.redirect(`/login?next=${encodeURIComponent(ctx.url)}`);
      throw new AppError('UNAUTHENTICATED');
    }
    await next();
  };

  router.get('/login', (ctx: Ctx) => {
    if (ctx.state.user) return ctx.redirect('/tasks');
    page(ctx, 'login', { title: ctx.state.t('login.title'), next: safeNext(ctx.query.next) });
  });

  router.post('/login', forms, async (ctx: Ctx) => {
    const parsed = loginForm.safeParse((ctx.request as unknown as { body: unknown }).body);
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    try {
      if (!parsed.success) throw new AppError('INVALID_CREDENTIALS');
      const { token, expiresAt } = await login(deps.db, { ...parsed.data, language: ctx.state.lng }, deps.config.sessionTtlHours, deps.clock());
      ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, expires: expiresAt, overwrite: true });
      ctx.redirect(next ?? '/tasks');
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'INVALID_CREDENTIALS') throw err;
      ctx.state.log.info('login failed');
      ctx.status = 401;
      page(ctx, 'login', { title: ctx.state.t('login.title'), error: ctx.state.t('errors:INVALID_CREDENTIALS'), username: parsed.success ? parsed.data.username : '', next });
    }
  });

  router.post('/logout', async (ctx: Ctx) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await logout(deps.db, token);
    ctx.cookies.set(SESSION_COOKIE, null, { httpOnly: true, sameSite: 'strict' });
    ctx.redirect('/login');
  });

  router.get('/', requireUser, (ctx: Ctx) => ctx.redirect('/tasks'));

  router.get('/tasks', requireUser, async (ctx: Ctx) => {
    const tab = ctx.query.tab === 'groups' ? 'groups' : 'mine';
    const user = ctx.state.user!;
    const rows = tab === 'mine' ? await myTasks(taskDeps(ctx), user) : await groupTasks(taskDeps(ctx), user);
    const done = typeof ctx.query.done === 'string';
    page(ctx, 'tasks', { title: ctx.state.t('tasks.title'), tab, mine: tab === 'mine', rows, done });
  });

  router.get('/tasks/:key', requireUser, async (ctx: Ctx) => {
    const user = ctx.state.user!;
    const td = taskDeps(ctx);
    const task = await visibleTask(td, user, parse(taskKey, ctx.params.key, 'TASK_NOT_FOUND'));
    const variables = await deps.engine.getUserTaskVariables(task.userTaskKey);
    const submissionId = typeof variables.submissionId === 'string' ? variables.submissionId : null;
    const detail = submissionId ? await caseDetail(deps.db, submissionId) : null;
    const mine = task.assignee === user.username;
    const form = mine && task.formId ? deps.catalogue.form(task.formId) : undefined;
    page(ctx, 'task', {
      title: task.name,
      task,
      mine,
      canClaim: !task.assignee,
      assignedToOther: !!task.assignee && !mine,
      overdue: !!task.dueDate && new Date(task.dueDate).getTime() < deps.clock().getTime(),
      formSchema: form ? translateForm(deps.i18n, form, ctx.state.lng) : null,
      formData: form ? { referenceNumber: variables.referenceNumber, subject: variables.subject, answerText: variables.answerText } : null,
      case: detail ? caseView(ctx, detail) : null,
    });
  });

  router.post('/tasks/:key/claim', requireUser, async (ctx: Ctx) => {
    const key = parse(taskKey, ctx.params.key, 'TASK_NOT_FOUND');
    await claimTask(taskDeps(ctx), ctx.state.user!, key);
    ctx.redirect(`/tasks/${encodeURIComponent(key)}`);
  });

  router.post('/tasks/:key/complete', requireUser, json, async (ctx: Ctx) => {
    const key = parse(taskKey, ctx.params.key, 'TASK_NOT_FOUND');
    const body = parse(completeBody, (ctx.request as unknown as { body: unknown }).body);
    await completeTask(taskDeps(ctx), ctx.state.user!, key, body.data);
    ctx.body = { ok: true, redirect: `/tasks?done=${encodeURIComponent(key)}` };
  });

  router.get('/templates', requireUser, (ctx: Ctx) => {
    if (!mayPreviewTemplates(ctx.state.user!)) throw new AppError('FORBIDDEN');
    page(ctx, 'templates', { title: ctx.state.t('templates.title'), templates: templateList(deps.documents) });
  });

  router.get('/templates/:name', requireUser, (ctx: Ctx) => {
    if (!mayPreviewTemplates(ctx.state.user!)) throw new AppError('FORBIDDEN');
    const preview = templatePreview(deps.documents, String(ctx.params.name), ctx.state.lng);
    page(ctx, 'template-preview', { title: ctx.state.t('templates.previewTitle', { name: preview.title }), name: ctx.params.name, previewHtml: preview.html });
  });

  router.get('/cases/:submissionId', requireUser, async (ctx: Ctx) => {
    const detail = await caseDetail(deps.db, parse(uuid, ctx.params.submissionId, 'NOT_FOUND'));
    if (!detail) throw new AppError('NOT_FOUND');
    if (!(await mayReadCase(taskDeps(ctx), ctx.state.user!, detail.submission.process_instance_key))) throw new AppError('FORBIDDEN');
    page(ctx, 'case', { title: ctx.state.t('case.title', { ref: detail.submission.reference_number ?? '' }), case: caseView(ctx, detail) });
  });

  router.get('/components/:componentId', requireUser, async (ctx: Ctx) => {
    const c = await componentForDownload(deps.db, parse(uuid, ctx.params.componentId, 'NOT_FOUND'));
    if (!c) throw new AppError('NOT_FOUND');
    const s = c.submissionId ? await deps.db('submissions').where({ id: c.submissionId }).first('process_instance_key') : undefined;
    // the case's readers (its tasks), or whoever may read the document in the records service (its file's unit, ...)
    const user = ctx.state.user!;
    const mayRead = (await mayReadCase(taskDeps(ctx), user, s?.process_instance_key ?? null))
      || (await mayReadDocument(deps.db, { username: user.username, roles: user.roles, orgUnit: user.orgUnit }, c.document));
    if (!mayRead) throw new AppError('FORBIDDEN');
    if (!c.content) throw new AppError('NOT_FOUND', `component ${c.id} was destroyed`);
    // NSESSS: displaying a component's content is an event of the transaction log, written before the content goes out
    await deps.db.transaction((trx) => appendAuditLog(trx, {
      actor: `user:${ctx.state.user!.username}`, eventType: 'Zobrazeni', objectType: 'Komponenta', objectId: c.id, occurredAt: deps.clock(),
      details: { documentId: c.documentId, sha256: c.sha256 },
    }));
    ctx.set('Content-Type', c.mediaType);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.attachment(c.fileName);
    ctx.body = c.content;
  });

  return router;

  function caseView(ctx: Ctx, d: NonNullable<Awaited<ReturnType<typeof caseDetail>>>) {
    const lng = ctx.state.lng;
    const code = d.submission.service_code;
    const label = (status: string) => deps.catalogue.statusLabel(code, status)?.[lng] ?? status;
    const form = deps.catalogue.form(deps.catalogue.service(code)?.submissionFormId ?? '');
    const labels = form ? translateForm(deps.i18n, form, lng).components : [];
    return {
      id: d.submission.id,
      serviceName: deps.catalogue.service(code)?.name[lng] ?? code,
      status: label(d.submission.status),
      referenceNumber: d.submission.reference_number,
      receivedAt: d.submission.created_at,
      fields: Object.entries(d.formData).map(([key, value]) => ({ key, label: labels.find((c) => c.key === key)?.label ?? key, value: String(value) })),
      documents: d.documents,
      journal: d.journal,
      timeline: d.events.map((e) => ({ label: label(e.status), at: new Date(e.created_at).toISOString() })),
    };
  }
}

/** only local paths, so the login form cannot be turned into an open redirect */
function safeNext(v: unknown): string | undefined {
  return typeof v === 'string' && /^\/(?![/\\])[^\s]*$/.test(v) ? v : undefined;
}
