import path from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import multer from '@koa/multer';
import type Router from '@koa/router';
import { appendAuditLog } from '@openspis/db';
import {
  createDisposalProposal, downloadFileSip, downloadProposalSips, DomainError, findProposal, handOverFiles, importArchiveDecision, listArchiveLists,
  pragueYear, listCentreFiles, listDueFiles, listProposalFiles, listProposals, setDisposalHold, type Actor, type ImportResult, type WorkersConfig,
} from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';

export type PageFn = (ctx: Ctx, view: string, data: Record<string, unknown>) => void;

export interface CentreDeps {
  db: Knex;
  clock: () => Date;
  config: WorkersConfig;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
}

/** The records centre (spisovna) runs it; the assessor (posuzovatel) reads proposals and their SIPs. */
const CENTRE = ['spisovna', 'admin'];
const ASSESSORS = ['spisovna', 'posuzovatel', 'admin'];
const DECISION_MAX_BYTES = 5 * 1024 * 1024;

function requireRoles(ctx: Ctx, actor: Actor, roles: readonly string[]): void {
  if (!actor.roles.some((r) => roles.includes(r))) throw new AppError('FORBIDDEN', `${actor.username} needs one of ${roles.join(', ')}`);
}

const uuid = z.uuid();
const pageNumber = z.coerce.number().int().min(1).max(100000).optional();
const centreQuery = z.object({
  state: z.enum(['in-records-centre', 'in-disposal']).optional().or(z.literal('')),
  due: z.enum(['1']).optional().or(z.literal('')),
  held: z.enum(['1']).optional().or(z.literal('')),
  done: z.coerce.number().int().min(0).max(100000).optional(),
  page: pageNumber,
});
const handOverBody = z.object({
  fileId: z.union([uuid, z.array(uuid).max(500)]).optional(),
  storageUnit: z.string().trim().max(100).optional(),
});
const holdBody = z.object({ action: z.enum(['hold', 'release']), reason: z.string().max(2000).optional() });

function pager(ctx: Ctx, page: number, hasNext: boolean) {
  const link = (p: number) => {
    const params = new URLSearchParams(ctx.querystring);
    params.set('page', String(p));
    return `${ctx.path}?${params.toString()}`;
  };
  return { page, prev: page > 1 ? link(page - 1) : null, next: hasNext ? link(page + 1) : null };
}

function download(ctx: Ctx, file: { fileName: string; content: Uint8Array }): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Disposition', `attachment; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
  ctx.type = 'application/zip';
  ctx.body = Buffer.from(file.content);
}

/**
 * Records-centre screens, all server-rendered forms that work without JavaScript: files in the
 * records centre with their disposal year and holds, hand-over of closed files, disposal proposals
 * with the SIP download, the assessor's view of a proposal, and the import of the archive's
 * decision. Each route checks the role first; the use cases check it again and log every change.
 */
export function addRecordsCentreRoutes(router: Router<AppState>, deps: CentreDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '200kb' });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: DECISION_MAX_BYTES + 1, files: 1, fields: 5, parts: 6 } });
  const ports = { db: deps.db, clock: deps.clock, config: deps.config };
  const t = (ctx: Ctx) => ctx.state.t;

  router.get('/centre', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, CENTRE);
    const q = parse(centreQuery, ctx.query);
    const year = pragueYear(deps.clock());
    const state = q.state || 'in-records-centre';
    const result = await listCentreFiles(deps.db, { state, dueBy: q.due ? year : undefined, held: q.held ? true : undefined, page: q.page ?? 1, pageSize: 25 });
    const due = (await listDueFiles(deps.db, year)).length;
    deps.page(ctx, 'records-centre', { title: t(ctx)('records:centre.title'), q: { ...q, state }, year, due, rows: result.rows, pager: pager(ctx, q.page ?? 1, result.hasNext), done: q.done });
  });

  router.get('/centre/handover', async (ctx: Ctx) => {
    requireRoles(ctx, deps.actorOf(ctx), CENTRE);
    const q = parse(z.object({ page: pageNumber }), ctx.query);
    const result = await listCentreFiles(deps.db, { state: 'closed', page: q.page ?? 1, pageSize: 50 });
    deps.page(ctx, 'records-handover', { title: t(ctx)('records:handover.title'), rows: result.rows, pager: pager(ctx, q.page ?? 1, result.hasNext) });
  });

  router.post('/centre/handover', forms, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, CENTRE);
    const body = parse(handOverBody, ctx.request.body);
    const fileIds = body.fileId === undefined ? [] : Array.isArray(body.fileId) ? body.fileId : [body.fileId];
    const r = await handOverFiles(ports, actor, { fileIds, storageUnit: body.storageUnit || null });
    ctx.status = 303;
    ctx.redirect(`/records/centre?done=${r.handedOver}`);
  });

  router.post('/centre/proposals', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, CENTRE);
    const r = await createDisposalProposal(ports, actor);
    ctx.status = 303;
    ctx.redirect(`/records/centre/proposals/${r.proposalId}`);
  });

  router.get('/centre/proposals', async (ctx: Ctx) => {
    requireRoles(ctx, deps.actorOf(ctx), ASSESSORS);
    deps.page(ctx, 'records-proposals', { title: t(ctx)('records:proposals.title'), rows: await listProposals(deps.db) });
  });

  router.get('/centre/proposals/:id', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, ASSESSORS);
    const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
    const proposal = await findProposal(deps.db, id);
    if (!proposal) throw new AppError('NOT_FOUND');
    const all = await listProposalFiles(deps.db, id);
    const files = all.filter((f) => !f.withdrawn_at);
    const withdrawn = all.filter((f) => f.withdrawn_at);
    // NSESSS: displaying an entity is an event of the transaction log
    await deps.db.transaction((trx) => appendAuditLog(trx, { actor: `user:${actor.username}`, eventType: 'Zobrazeni', objectType: 'SkartacniNavrh', objectId: id, occurredAt: deps.clock() }));
    const mayExport = actor.roles.some((r) => CENTRE.includes(r));
    deps.page(ctx, 'records-proposal', {
      title: t(ctx)('records:proposal.title', { identifier: proposal.identifier }), proposal, files, withdrawn, mayExport,
      counts: { A: files.filter((f) => f.disposal_code === 'A').length, S: files.filter((f) => f.disposal_code === 'S').length, V: files.filter((f) => f.disposal_code === 'V').length },
    });
  });

  router.post('/centre/proposals/:id/sip', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, CENTRE);
    const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
    download(ctx, await downloadProposalSips(ports, actor, { proposalId: id }));
  });

  router.post('/centre/files/:id/sip', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, ASSESSORS);
    const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
    download(ctx, await downloadFileSip(ports, actor, { fileId: id }));
  });

  const decisionsPage = async (ctx: Ctx, result: ImportResult | null) => {
    deps.page(ctx, 'records-decisions', { title: t(ctx)('records:decisions.title'), lists: await listArchiveLists(deps.db), result, maxMb: DECISION_MAX_BYTES / 1024 / 1024 });
  };

  router.get('/centre/decisions', async (ctx: Ctx) => {
    requireRoles(ctx, deps.actorOf(ctx), CENTRE);
    await decisionsPage(ctx, null);
  });

  router.post('/centre/decisions', async (ctx: Ctx, next) => {
    requireRoles(ctx, deps.actorOf(ctx), CENTRE);
    try {
      await upload.single('decision')(ctx, next);
    } catch (err) {
      if ((err as { code?: string }).code === 'LIMIT_FILE_SIZE') throw new DomainError('DECISION_TOO_LARGE', 'the list is too large');
      if ((err as { name?: string }).name === 'MulterError') throw new DomainError('DECISION_FILE_MISSING', 'the form does not fit');
      throw err;
    }
  }, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    const file = (ctx as unknown as { file?: { buffer: Buffer; size: number } }).file;
    if (!file || file.size === 0) throw new DomainError('DECISION_FILE_MISSING', 'no file uploaded');
    if (file.size > DECISION_MAX_BYTES) throw new DomainError('DECISION_TOO_LARGE', 'the list is too large');
    const result = await importArchiveDecision(ports, actor, { xml: file.buffer, outDir: path.join(deps.config.dataDir, 'sip'), format: 'zip' });
    await decisionsPage(ctx, result);
  });

  router.post('/files/:id/hold', forms, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    requireRoles(ctx, actor, CENTRE);
    const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
    const body = parse(holdBody, ctx.request.body);
    await setDisposalHold(ports, actor, { fileId: id, hold: body.action === 'hold', reason: body.reason ?? null });
    ctx.status = 303;
    ctx.redirect(`/records/files/${id}`);
  });
}
