import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import helmet from 'koa-helmet';
import serve from 'koa-static';
import mount from './mount';
import type { Knex } from 'knex';
import type pino from 'pino';
import type { i18n as I18n } from 'i18next';
import { loadAppSecret, mintTrackingToken, verifyTrackingToken } from '@openspis/db';
import { AppError } from './app-error';
import type { Catalogue } from './catalogue';
import type { ServerConfig } from './config';
import type { EnginePort } from './engine-port';
import { pagePath, type AppState, type Ctx } from './http';
import { DEFAULT_LANGUAGE, isLanguage, loadI18n, type Language } from './i18n';
import { LOCALES_DIR, PUBLIC_DIR, VIEWS_DIR } from './paths';
import { publicApiRouter } from './public/public-api.route';
import { formatBytes } from './public/submit-submission.service';
import { clerkRouter } from './clerk/clerk.route';
import { recordsRouter } from './records/records.route';
import type { DocumentTemplatesConfig } from './clerk/template-preview';
import { readWorkersConfig, type WorkersConfig } from '@openspis/workers';
import { createRenderer } from './ui/render';

export interface ServerDeps {
  db: Knex;
  engine: EnginePort;
  config: ServerConfig;
  log: pino.Logger;
  catalogue: Catalogue;
  clock?: () => Date;
  /** defaults to the repository's `i18n/locales` */
  i18n?: I18n;
  /** document templates for the clerks' preview (default: the repository's `templates/`) */
  documents?: DocumentTemplatesConfig;
  /** how long a submission waits for its reference number (default 5 s) */
  registrationWaitMs?: number;
  /** the workers' settings for the records screens (office, data folder); default: read from an empty environment */
  workers?: WorkersConfig;
}

const LANG_COOKIE = 'lang';

/** The back-office Koa app (public API + clerk UI); the caller listens. Tests use `app.callback()`. */
export function createServer(deps: ServerDeps): Koa<AppState> {
  const clock = deps.clock ?? (() => new Date());
  const i18n = deps.i18n ?? loadI18n(LOCALES_DIR);
  const render = createRenderer(VIEWS_DIR);
  let secret: Promise<Buffer> | undefined;
  const appSecret = () => (secret ??= loadAppSecret(deps.db).catch((err) => {
    secret = undefined;
    throw err;
  }));

  const app = new Koa<AppState>({ proxy: false });

  app.on('error', (err: unknown, ctx?: Ctx) => {
    const log = ctx?.state?.log ?? deps.log;
    log.error({ err }, 'request failed');
  });

  // request id, child logger, language
  app.use(async (ctx, next) => {
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = deps.log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    ctx.state.lng = pickLanguage(ctx);
    ctx.state.t = i18n.getFixedT(ctx.state.lng);
    const started = Date.now();
    try {
      await next();
    } finally {
      ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Date.now() - started }, 'request');
    }
  });

  // the one error edge: a coded error becomes a status and a translated message, never a stack
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND');
    } catch (raw) {
      // a form body over its parser's limit (co-body: 413) is the sender's fault, not ours
      const tooLarge = (raw as { status?: unknown } | null)?.status === 413;
      const err = raw instanceof AppError ? raw : tooLarge ? new AppError('FORM_TOO_LARGE', 'request body over the limit', undefined, { cause: raw }) : new AppError('INTERNAL', 'unexpected error', undefined, { cause: raw });
      if (err.status >= 500) ctx.app.emit('error', raw, ctx);
      else ctx.state.log.info({ code: err.code, status: err.status, reason: err.message }, 'request rejected');
      const t = ctx.state.t;
      const message = t(`errors:${err.code}`, { max: formatBytes(deps.config.uploadMaxBytes) });
      ctx.status = err.status;
      if (ctx.path.startsWith('/api/') || ctx.request.is('application/json') === 'application/json' || ctx.accepts('html', 'json') === 'json') {
        const fields = err.fields ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, t(`errors:${v.key}`, v.values ?? {})])) : undefined;
        ctx.type = 'application/json';
        ctx.body = { error: { code: err.code, message, ...(fields ? { fields } : {}) } };
      } else {
        ctx.type = 'text/html';
        ctx.body = render('error', { lng: ctx.state.lng, t, user: ctx.state.user, currentPath: pagePath(ctx) }, { status: err.status, message, title: t('error.title') });
      }
    }
  });

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          // form-js sets inline style attributes on its elements
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'form-action': ["'self'"],
          // on plain-http installations (the default) an upgrade would break every form post
          'upgrade-insecure-requests': deps.config.publicBaseUrl.startsWith('https:') ? [] : null,
        },
      },
      // with "no-referrer" browsers send `Origin: null` on form posts, which the CSRF check needs
      referrerPolicy: { policy: 'same-origin' },
      hsts: deps.config.publicBaseUrl.startsWith('https:'),
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(async (ctx, next) => {
    if (ctx.path !== '/favicon.ico') return next();
    ctx.status = 204;
  });
  app.use(mount('/static', serve(PUBLIC_DIR, { maxage: 60 * 60 * 1000, gzip: false })));

  const api = publicApiRouter({
    catalogue: deps.catalogue,
    i18n,
    submit: {
      db: deps.db,
      engine: deps.engine,
      catalogue: deps.catalogue,
      clock,
      uploadMaxBytes: deps.config.uploadMaxBytes,
      registrationWaitMs: deps.registrationWaitMs ?? 5000,
      mintToken: async (id, expiresAt) => mintTrackingToken(await appSecret(), id, expiresAt),
    },
    tracking: {
      db: deps.db,
      engine: deps.engine,
      catalogue: deps.catalogue,
      verifyToken: async (token) => verifyTrackingToken(await appSecret(), token, clock()),
      officeName: (deps.workers ?? readWorkersConfig({})).officeName,
    },
  });
  app.use(api.routes()).use(api.allowedMethods());

  const clerk = clerkRouter({ db: deps.db, engine: deps.engine, catalogue: deps.catalogue, config: deps.config, clock, i18n, render, documents: deps.documents ?? readWorkersConfig({}) });
  app.use(clerk.routes()).use(clerk.allowedMethods());
  const records = recordsRouter({ db: deps.db, clock, render, config: deps.workers ?? readWorkersConfig({}), publicBaseUrl: deps.config.publicBaseUrl, uploadMaxBytes: deps.config.uploadMaxBytes });
  app.use(records.routes()).use(records.allowedMethods());

  return app;

  function pickLanguage(ctx: Koa.Context): Language {
    const q = ctx.query.lang;
    if (ctx.path.startsWith('/api/')) {
      if (q === undefined) return DEFAULT_LANGUAGE;
      return isLanguage(q) ? q : DEFAULT_LANGUAGE;
    }
    if (isLanguage(q)) {
      ctx.state.lngSwitched = q;
      ctx.cookies.set(LANG_COOKIE, q, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86_400_000, overwrite: true });
      return q;
    }
    const c = ctx.cookies.get(LANG_COOKIE);
    return isLanguage(c) ? c : DEFAULT_LANGUAGE;
  }
}
