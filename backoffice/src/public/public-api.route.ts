import Router from '@koa/router';
import multer from '@koa/multer';
import { z } from 'zod';
import { AppError } from '../app-error';
import type { Catalogue } from '../catalogue';
import { translateForm } from '../forms/translate-form';
import { parse, type AppState, type Ctx } from '../http';
import type { i18n } from 'i18next';
import { formatBytes, submitSubmission, type SubmitDeps, type UploadedFile } from './submit-submission.service';
import { downloadAnswer, downloadReceiptConfirmation, trackSubmission, withdrawSubmission, type TrackingDeps } from './tracking.service';

const code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const token = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);
const uuid = z.uuid();

export interface PublicApiDeps {
  catalogue: Catalogue;
  i18n: i18n;
  submit: Omit<SubmitDeps, 'log'>;
  tracking: Omit<TrackingDeps, 'log'>;
}

/** The public API of docs/contracts.md, mounted at `/api/public/v1`. No authentication. */
export function publicApiRouter(deps: PublicApiDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/public/v1' });
  const maxBytes = deps.submit.uploadMaxBytes;
  const upload = multer({
    storage: multer.memoryStorage(),
    // one byte over the limit is enough to know it is too large
    limits: { fileSize: maxBytes + 1, files: 5, fields: 100, fieldSize: 100_000, parts: 110 },
  });

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/services', (ctx: Ctx) => {
    const lng = ctx.state.lng;
    ctx.body = {
      services: deps.catalogue.services.map((s) => ({
        code: s.code,
        name: s.name[lng],
        summary: s.summary[lng],
        deadlineDays: s.deadline?.days ?? null,
        fee: s.fee ?? null,
      })),
    };
  });

  router.get('/services/:code', (ctx: Ctx) => {
    const lng = ctx.state.lng;
    const s = deps.catalogue.service(parse(code, ctx.params.code, 'SERVICE_NOT_FOUND'));
    if (!s) throw new AppError('SERVICE_NOT_FOUND');
    const form = deps.catalogue.form(s.submissionFormId);
    ctx.body = {
      service: {
        code: s.code,
        name: s.name[lng],
        summary: s.summary[lng],
        description: s.description[lng],
        whoCanApply: s.whoCanApply[lng],
        whatYouNeed: s.whatYouNeed[lng],
        legalBasis: s.legalBasis[lng],
        deadline: s.deadline ? { days: s.deadline.days, text: s.deadline.text[lng] } : null,
        fee: s.fee ?? null,
        statuses: Object.fromEntries(Object.entries(s.statuses).map(([k, v]) => [k, v[lng]])),
      },
      form: form ? translateForm(deps.i18n, form, lng) : null,
    };
  });

  const receiveMultipart = async (ctx: Ctx, next: () => Promise<unknown>) => {
    if (!ctx.is('multipart/form-data')) throw new AppError('BAD_REQUEST', 'expected multipart/form-data');
    try {
      await upload.any()(ctx as never, async () => undefined);
    } catch (err) {
      const e = err as { name?: string; code?: string; field?: string };
      if (e.name === 'MulterError' && e.code === 'LIMIT_FILE_SIZE') {
        throw new AppError('ATTACHMENT_TOO_LARGE', 'attachment too large', { [e.field ?? 'attachment']: { key: 'field.attachmentTooLarge', values: { max: formatBytes(maxBytes) } } }, { cause: err });
      }
      if (e.name === 'MulterError') throw new AppError('BAD_REQUEST', `multipart rejected: ${e.code}`, undefined, { cause: err });
      throw err;
    }
    await next();
  };

  router.post('/services/:code/submissions', receiveMultipart, async (ctx: Ctx) => {
    const serviceCode = parse(code, ctx.params.code, 'SERVICE_NOT_FOUND');
    const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
    const files = (Array.isArray(ctx.request.files) ? ctx.request.files : []) as UploadedFile[];
    const idempotencyKey = ctx.get('Idempotency-Key') || null;
    const { replayed, ...result } = await submitSubmission({ ...deps.submit, log: ctx.state.log }, { serviceCode, locale: ctx.state.lng, fields: { ...body }, files, idempotencyKey });
    ctx.status = replayed ? 200 : 201;
    ctx.body = result;
  });

  router.get('/tracking/:token', async (ctx: Ctx) => {
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = await trackSubmission({ ...deps.tracking, log: ctx.state.log }, parse(token, ctx.params.token, 'TRACKING_NOT_FOUND'), ctx.state.lng);
  });

  router.get('/tracking/:token/documents/:documentId', async (ctx: Ctx) => {
    const t = parse(token, ctx.params.token, 'TRACKING_NOT_FOUND');
    const id = parse(uuid, ctx.params.documentId, 'DOCUMENT_NOT_FOUND');
    const file = await downloadAnswer({ ...deps.tracking, log: ctx.state.log }, t, id);
    ctx.set('Content-Type', file.mediaType);
    ctx.attachment(file.fileName);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = file.content;
  });

  router.get('/tracking/:token/receipt-confirmation', async (ctx: Ctx) => {
    const file = await downloadReceiptConfirmation({ ...deps.tracking, log: ctx.state.log }, parse(token, ctx.params.token, 'TRACKING_NOT_FOUND'));
    ctx.set('Content-Type', file.mediaType);
    ctx.attachment(file.fileName);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = file.content;
  });

  router.post('/tracking/:token/withdraw', async (ctx: Ctx) => {
    await withdrawSubmission({ ...deps.tracking, log: ctx.state.log }, parse(token, ctx.params.token, 'TRACKING_NOT_FOUND'));
    ctx.status = 202;
    ctx.body = { status: 'withdrawal-requested' };
  });

  return router;
}
