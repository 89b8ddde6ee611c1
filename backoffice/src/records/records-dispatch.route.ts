import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import { DomainError, listDispatchQueue, listFileUnits, pragueDay, recordDelivery, recordDispatch, requestDataBoxSend, type Actor, type WorkersConfig } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import type { PageFn } from './records-centre.route';
import { DISPATCH_CHANNELS } from './records-documents.route';

export interface DispatchRoutesDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
  /** `isds` set: documents can be sent through the office's data box */
  config: WorkersConfig;
}

/** The dispatch desk (výpravna) of the registry office sends for every unit; the administrator may too. */
export const DISPATCH_DESK: readonly string[] = ['podatelna', 'admin'];

const blank = z.literal('');
/** The addressee's dispatch a row's form is for (none: a document whose only addressee was never dispatched). */
const dispatchId = z.union([z.uuid(), blank]).optional().transform((v) => v || null);
const listQuery = z.object({
  stage: z.enum(['to-dispatch', 'to-deliver']).optional().or(blank),
  unit: z.string().trim().max(50).optional(),
  channel: z.enum(DISPATCH_CHANNELS).optional().or(blank),
  page: z.coerce.number().int().min(1).max(100000).optional(),
  done: z.enum(['dispatched', 'delivered', 'send-requested']).optional(),
});
type ListQuery = z.infer<typeof listQuery>;

function requireDesk(actor: Actor): Actor {
  if (!actor.roles.some((r) => DISPATCH_DESK.includes(r))) throw new AppError('FORBIDDEN', `${actor.username} is not the dispatch desk`);
  return actor;
}

/** A form that does not fit is a translated refusal, not a bare 400. */
function parseForm<T extends z.ZodType>(schema: T, value: unknown, code: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new DomainError(code, `invalid form: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return r.data;
}

/** The list's address with its filters (never anything the request made up) and, after a post, what was done. */
function listUrl(q: ListQuery, done?: ListQuery['done']): string {
  const params = new URLSearchParams();
  if (q.stage && q.stage !== 'to-dispatch') params.set('stage', q.stage);
  if (q.unit) params.set('unit', q.unit);
  if (q.channel) params.set('channel', q.channel);
  if (q.page && q.page > 1) params.set('page', String(q.page));
  if (done) params.set('done', done);
  const s = params.toString();
  return s ? `/records/dispatch?${s}` : '/records/dispatch';
}

/**
 * The dispatch list of the registry office (výpravna): outgoing documents of every unit waiting to be
 * sent, then waiting for their delivery, with the forms that record both (recordDispatch,
 * recordDelivery: journal dates, Vypraveno / Doruceno in the transaction log). Server-rendered forms
 * that work without JavaScript; each route checks the role, the use cases check it again.
 */
export function addDispatchRoutes(router: Router<AppState>, deps: DispatchRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const ports = { db: deps.db, clock: deps.clock };
  const sendPorts = { ...ports, config: deps.config };

  router.get('/dispatch', async (ctx: Ctx) => {
    requireDesk(deps.actorOf(ctx));
    const q = parse(listQuery, ctx.query);
    const stage = q.stage || 'to-dispatch';
    const pageNo = q.page ?? 1;
    const result = await listDispatchQueue(deps.db, { stage, orgUnit: q.unit || undefined, channel: q.channel || undefined, page: pageNo, pageSize: 25 });
    const here = listUrl({ ...q, stage });
    const link = (p: number) => listUrl({ ...q, stage, page: p });
    const t = ctx.state.t;
    const dataBoxSending = deps.config.isds !== null;
    const rows = result.rows.map((r) => ({
      ...r,
      // a document has a row per addressee: element ids are the dispatch's when it has several
      rowKey: r.addressee_count > 1 && r.dispatch_id ? r.dispatch_id : r.document_id,
      several: r.addressee_count > 1,
      sendWaiting: r.send_state === 'pending' || r.send_state === 'sending',
      // ISDS's own words when it refused the message; otherwise what went wrong, translated
      sendFailure: r.send_state !== 'failed' ? null
        : r.send_isds_status_code ? t('records:dataBoxSend.refused', { code: r.send_isds_status_code, message: r.send_isds_status_message ?? '' })
          : t(`records:dataBoxSend.failures.${r.send_error_code}`, { defaultValue: t(`records:errors.${r.send_error_code}`, { defaultValue: t('records:dataBoxSend.failures.generic') }) }),
      canSend: dataBoxSending && r.state === 'created' && r.channel === 'data-box' && !!r.addressee_data_box_id && (r.send_state === null || r.send_state === 'failed'),
    }));
    deps.page(ctx, 'records-dispatch', {
      title: t('records:dispatchList.title'), q: { ...q, stage }, rows, units: await listFileUnits(deps.db), channels: DISPATCH_CHANNELS,
      today: pragueDay(deps.clock()), done: q.done, dataBoxSending: deps.config.isds !== null, formQuery: here.slice('/records/dispatch'.length).replaceAll('&', '&amp;'),
      pager: { page: pageNo, prev: pageNo > 1 ? link(pageNo - 1) : null, next: result.hasNext ? link(pageNo + 1) : null },
    });
  });

  router.post('/dispatch/:id/dispatch', forms, async (ctx: Ctx) => {
    const actor = requireDesk(deps.actorOf(ctx));
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const q = parse(listQuery, ctx.query);
    const form = parseForm(z.object({ dispatchId, day: z.string().max(20).optional(), channel: z.enum(DISPATCH_CHANNELS).optional(), dataBoxMessageId: z.string().max(40).optional() }), ctx.request.body, 'DISPATCH_DATE_INVALID');
    await recordDispatch(ports, actor, { documentId: id, dispatchId: form.dispatchId, day: form.day, channel: form.channel, dataBoxMessageId: form.dataBoxMessageId });
    ctx.status = 303;
    ctx.redirect(listUrl(q, 'dispatched'));
  });

  // "send by data box": only records the request; the periodic sender sends it and records the dispatch
  router.post('/dispatch/:id/send-data-box', forms, async (ctx: Ctx) => {
    const actor = requireDesk(deps.actorOf(ctx));
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const q = parse(listQuery, ctx.query);
    const text = z.string().max(200).optional();
    const form = parseForm(z.object({ dispatchId, toHands: text, personalDelivery: z.enum(['1']).optional(), legalTitleLaw: text, legalTitleYear: text, legalTitleSect: text, legalTitlePar: text, legalTitlePoint: text }), ctx.request.body, 'DATA_BOX_SEND_LEGAL_TITLE_INVALID');
    await requestDataBoxSend(sendPorts, actor, {
      documentId: id, dispatchId: form.dispatchId, toHands: form.toHands, personalDelivery: form.personalDelivery === '1',
      legalTitle: { law: form.legalTitleLaw, year: form.legalTitleYear, sect: form.legalTitleSect, par: form.legalTitlePar, point: form.legalTitlePoint },
    });
    ctx.status = 303;
    ctx.redirect(listUrl(q, 'send-requested'));
  });

  router.post('/dispatch/:id/delivery', forms, async (ctx: Ctx) => {
    const actor = requireDesk(deps.actorOf(ctx));
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const q = parse(listQuery, ctx.query);
    const form = parseForm(z.object({ dispatchId, day: z.string().max(20).optional(), deemed: z.enum(['1']).optional() }), ctx.request.body, 'DELIVERY_DATE_INVALID');
    await recordDelivery(ports, actor, { documentId: id, dispatchId: form.dispatchId, day: form.day, deemed: form.deemed === '1' });
    ctx.status = 303;
    ctx.redirect(listUrl(q, 'delivered'));
  });
}
