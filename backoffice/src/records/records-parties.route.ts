import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import { appendAuditLog } from '@openspis/db';
import { canAccessFile, DomainError, mergeParties, PARTY_MERGERS, type Actor, type PartyRow } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { countPartyDocuments, listParties, listPartyDocuments } from './parties-register.repository';
import type { PageFn } from './records-centre.route';

export interface PartiesRoutesDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
}

/** Who reads the parties register: every records role (each already sees senders and addressees in the journal it may search). */
export const PARTY_REGISTER_USERS: readonly string[] = ['podatelna', 'referent', 'vedouci', 'spisovna', 'posuzovatel', 'admin'];
const PAGE_SIZE = 25;

const uuid = z.uuid();
const pageNumber = z.coerce.number().int().min(1).max(100000).optional();
const listQuery = z.object({ q: z.string().trim().max(100).optional(), page: pageNumber });
const detailQuery = z.object({ page: pageNumber, mq: z.string().trim().max(100).optional(), merged: z.coerce.number().int().min(0).max(10_000_000).optional() });

interface Summary { target: string; message: string }

function pager(ctx: Ctx, page: number, hasNext: boolean) {
  const link = (p: number) => {
    const params = new URLSearchParams(ctx.querystring);
    params.set('page', String(p));
    params.delete('lang');
    return `${ctx.path}?${params.toString()}`;
  };
  return { page, prev: page > 1 ? link(page - 1) : null, next: hasNext ? link(page + 1) : null };
}

/** Street, postcode and city as one line ('' when none is known). */
const addressOf = (p: PartyRow) => [p.street, [p.postcode, p.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');

const mayMerge = (actor: Actor) => actor.roles.some((r) => (PARTY_MERGERS as readonly string[]).includes(r));

/**
 * The parties register (jmenný rejstřík): the list with an accent-insensitive search, a party with
 * the documents it sent or received (those the user may see), and the merge of a duplicate into
 * the party kept, with a confirmation step (registry office and administrator; `mergeParties`
 * moves the documents and journal rows and logs both parties). Displaying a party's data is logged
 * (Zobrazeni, Subjekt). Server-rendered forms, no JavaScript needed.
 */
export function addPartiesRoutes(router: Router<AppState>, deps: PartiesRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const user = (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!actor.roles.some((r) => PARTY_REGISTER_USERS.includes(r))) throw new AppError('FORBIDDEN', `${actor.username} does not use the parties register`);
    return actor;
  };
  const merger = (ctx: Ctx) => {
    const actor = user(ctx);
    if (!mayMerge(actor)) throw new AppError('FORBIDDEN', `${actor.username} may not merge parties`);
    return actor;
  };
  const partyOf = async (ctx: Ctx): Promise<PartyRow> => {
    const party = await deps.db('parties').where({ id: parse(uuid, ctx.params.id, 'NOT_FOUND') }).first();
    if (!party) throw new AppError('NOT_FOUND');
    return party;
  };
  const logViewed = (actor: Actor, ids: string[]) => deps.db.transaction(async (trx) => {
    for (const id of ids) await appendAuditLog(trx, { actor: `user:${actor.username}`, eventType: 'Zobrazeni', objectType: 'Subjekt', objectId: id, occurredAt: deps.clock() });
  });

  router.get('/parties', async (ctx: Ctx) => {
    user(ctx);
    const q = parse(listQuery, ctx.query);
    const result = await listParties(deps.db, q.q ?? '', q.page ?? 1, PAGE_SIZE);
    deps.page(ctx, 'records-parties', { title: ctx.state.t('records:register.title'), q, rows: result.rows, pager: pager(ctx, result.page, result.hasNext) });
  });

  /** A party's page; after a refused merge shown again (unlogged) with the error summary. */
  const showParty = async (ctx: Ctx, party: PartyRow, opts: { logView: boolean; errors?: Summary[]; mq?: string; status?: number }) => {
    const actor = deps.actorOf(ctx);
    const q = parse(detailQuery, ctx.query);
    const documents = await listPartyDocuments(deps.db, actor, party.id, q.page ?? 1, PAGE_SIZE);
    const mergedInto = party.merged_into ? await deps.db('parties').where({ id: party.merged_into }).first('id', 'display_name') : null;
    const mq = opts.mq ?? q.mq ?? '';
    const canMerge = mayMerge(actor) && !party.merged_into;
    const candidates = canMerge && mq ? (await listParties(deps.db, mq, 1, 20)).rows.filter((p) => p.id !== party.id) : [];
    if (opts.logView) await logViewed(actor, [party.id]);
    if (opts.status) ctx.status = opts.status;
    deps.page(ctx, 'records-party', {
      title: ctx.state.t('records:register.partyTitle', { name: party.display_name }), party, address: addressOf(party), mergedInto, canMerge, mq, candidates,
      rows: documents.rows.map((r) => ({ ...r, fileVisible: Boolean(r.file_id) && canAccessFile(actor, { org_unit: r.org_unit }) })),
      pager: pager(ctx, documents.page, documents.hasNext), merged: opts.errors ? undefined : q.merged, errors: opts.errors, mergeError: opts.errors?.[0]?.message,
    });
  };

  router.get('/parties/:id', async (ctx: Ctx) => {
    user(ctx);
    await showParty(ctx, await partyOf(ctx), { logView: true });
  });

  /** The confirmation step of a merge: both parties side by side, what will happen, one checkbox. */
  const showConfirmation = async (ctx: Ctx, keep: PartyRow, duplicate: PartyRow, opts: { logView: boolean; error?: string; status?: number }) => {
    if (opts.logView) await logViewed(deps.actorOf(ctx), [keep.id, duplicate.id]);
    if (opts.status) ctx.status = opts.status;
    deps.page(ctx, 'records-party-merge', {
      title: ctx.state.t('records:register.merge.title'), keep, duplicate, keepAddress: addressOf(keep), duplicateAddress: addressOf(duplicate),
      keepDocuments: await countPartyDocuments(deps.db, keep.id), duplicateDocuments: await countPartyDocuments(deps.db, duplicate.id),
      errors: opts.error ? [{ target: 'merge-confirm', message: opts.error }] : undefined, confirmError: opts.error,
    });
  };

  /** A duplicate that can be merged into `keep`, or the message why not. */
  const duplicateFor = async (ctx: Ctx, keep: PartyRow, id: unknown): Promise<PartyRow | string> => {
    const t = ctx.state.t;
    const parsed = uuid.safeParse(id);
    const duplicate = parsed.success ? await deps.db('parties').where({ id: parsed.data }).first() : undefined;
    if (!duplicate) return t('records:register.merge.chooseDuplicate');
    if (duplicate.id === keep.id) return t('records:errors.PARTY_MERGE_SAME');
    if (keep.merged_into || duplicate.merged_into) return t('records:errors.PARTY_ALREADY_MERGED');
    return duplicate;
  };

  router.get('/parties/:id/merge', async (ctx: Ctx) => {
    merger(ctx);
    const keep = await partyOf(ctx);
    const duplicate = await duplicateFor(ctx, keep, ctx.query.duplicate);
    if (typeof duplicate === 'string') return showParty(ctx, keep, { logView: false, errors: [{ target: 'mq', message: duplicate }], status: 400 });
    await showConfirmation(ctx, keep, duplicate, { logView: true });
  });

  router.post('/parties/:id/merge', forms, async (ctx: Ctx) => {
    const actor = merger(ctx);
    const keep = await partyOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const duplicate = await duplicateFor(ctx, keep, body.duplicateId);
    if (typeof duplicate === 'string') return showParty(ctx, keep, { logView: false, errors: [{ target: 'mq', message: duplicate }], status: 400 });
    if (body.confirm !== 'yes') return showConfirmation(ctx, keep, duplicate, { logView: false, error: ctx.state.t('records:register.merge.confirmRequired'), status: 400 });
    let moved: number;
    try {
      ({ documents: moved } = await mergeParties(deps.db, actor, { keepId: keep.id, duplicateId: duplicate.id }, deps.clock()));
    } catch (err) {
      // merged meanwhile by someone else: say so on the party's page
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN') throw err;
      const t = ctx.state.t;
      return showParty(ctx, keep, { logView: false, errors: [{ target: 'mq', message: t(`records:errors.${err.code}`, { defaultValue: t('records:errors.generic') }) }], status: 409 });
    }
    ctx.status = 303;
    ctx.redirect(`/records/parties/${keep.id}?merged=${moved}`);
  });
}
