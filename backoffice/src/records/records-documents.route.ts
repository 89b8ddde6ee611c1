import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import { appendAuditLog } from '@openspis/db';
import { addDispatchAddressee, canAccessFile, DomainError, listDocumentDispatches, moveDocument, PARTY_KINDS, recordDelivery, recordDispatch, removeDispatchAddressee, searchParties, type Actor, type PartyInput } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { changeDocumentParty, PARTY_EDITORS, partyEditAccess } from './document-parties.service';
import type { PageFn } from './records-centre.route';

export interface DocumentRoutesDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
}

/** Who files documents and keeps their parties: the registry office and the handlers. */
export const DOCUMENT_EDITORS: readonly string[] = PARTY_EDITORS;

const uuid = z.uuid();
const optional = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : null));
const partyForm = z.object({
  role: z.enum(['sender', 'addressee']),
  partyId: z.union([uuid, z.literal('')]).optional(),
  kind: z.enum(PARTY_KINDS).optional(),
  givenName: optional(100), familyName: optional(100), organisationName: optional(200),
  companyId: z.union([z.string().regex(/^\d{8}$/), z.literal('')]).optional().transform((v) => v || null),
  email: z.union([z.email().max(200), z.literal('')]).optional().transform((v) => v || null),
  dataBoxId: z.union([z.string().regex(/^[a-z0-9]{7}$/i), z.literal('')]).optional().transform((v) => v || null),
  street: optional(200), city: optional(100), postcode: z.union([z.string().regex(/^\d{3} ?\d{2}$/), z.literal('')]).optional().transform((v) => v || null),
});
/** Channels an outgoing document leaves by (vypravení). */
export const DISPATCH_CHANNELS = ['data-box', 'email', 'post', 'personal', 'portal'] as const;
/** The addressee's dispatch a form is for: none on a document whose only addressee was never dispatched. */
const dispatchField = z.union([uuid, z.literal('')]).optional().transform((v) => v || null);
const moveForm = z.object({ toFileReference: z.string().trim().min(1).max(100), reason: z.string().max(1000) });

/** A form that does not fit is a translated refusal, not a bare 400. */
function parseForm<T extends z.ZodType>(schema: T, value: unknown, code: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new DomainError(code, `invalid form: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return r.data;
}

/** The document and its file, for the parties screens: the registry office reaches documents it registered for other units too. */
async function documentForParties(db: Knex, ctx: Ctx, actor: Actor) {
  const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
  const doc = await db('documents').where({ id }).first();
  if (!doc) throw new AppError('NOT_FOUND');
  const file = await db('files').where({ id: doc.file_id }).first();
  if (!file) throw new AppError('NOT_FOUND');
  return { doc, file, access: await partyEditAccess(db, actor, doc, file) };
}

async function documentWithFile(db: Knex, ctx: Ctx, actor: Actor) {
  const id = parse(uuid, ctx.params.id, 'NOT_FOUND');
  const doc = await db('documents').where({ id }).first();
  if (!doc) throw new AppError('NOT_FOUND');
  const file = await db('files').where({ id: doc.file_id }).first();
  const shares: string[] = file ? await db('file_shares').where({ file_id: file.id }).pluck('org_unit') : [];
  if (!file || !canAccessFile(actor, file, shares)) throw new AppError('FORBIDDEN');
  return { doc, file };
}

/**
 * Document screens of the records UI: moving a document to another file (the history stays in
 * `document_file_moves` and the log: VyjmutiZeSpisu, VlozeniDoSpisu) and keeping its sender and
 * addressee from the parties register. Role first, then the unit (the document's file must be
 * visible to the user; the registry office may correct the parties of unsettled documents it
 * registered for other units); the use cases check both again.
 */
export function addDocumentRoutes(router: Router<AppState>, deps: DocumentRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '50kb' });
  const editor = (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!actor.roles.some((r) => DOCUMENT_EDITORS.includes(r))) throw new AppError('FORBIDDEN');
    return actor;
  };

  router.get('/documents/:id/parties', async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc, file, access } = await documentForParties(deps.db, ctx, actor);
    const q = parse(z.object({ q: z.string().trim().max(100).optional(), saved: z.enum(['1']).optional() }), ctx.query);
    // an unsent outgoing document's addressees, each with its own dispatch, added and removed here
    const dispatches = doc.direction === 'outgoing' ? await listDocumentDispatches(deps.db, doc.id) : [];
    // a document whose only addressee was never dispatched has no dispatch row yet: its own addressee stands for it
    const own = dispatches.length ? dispatches : [{ id: null, addressee: (doc.addressee_party_id ? (await deps.db('parties').where({ id: doc.addressee_party_id }).first('display_name'))?.display_name : null) ?? null, channel: doc.channel, state: 'created' }];
    const addressees = doc.direction === 'outgoing' && doc.state === 'created' && file.state === 'open'
      ? own.map((d) => ({ ...d, mayRemove: d.state === 'created' && own.length > 1 })) : null;
    const ids = [doc.sender_party_id, doc.addressee_party_id].filter(Boolean);
    const parties = ids.length ? await deps.db('parties').whereIn('id', ids) : [];
    const found = q.q ? await searchParties(deps.db, q.q, { limit: 20 }) : [];
    // NSESSS: displaying a document's metadata is an event of the transaction log
    await deps.db.transaction((trx) => appendAuditLog(trx, { actor: `user:${actor.username}`, eventType: 'Zobrazeni', objectType: 'Dokument', objectId: doc.id, occurredAt: deps.clock() }));
    deps.page(ctx, 'records-document-parties', {
      title: ctx.state.t('records:parties.title', { jid: doc.jid }), doc, file, q, found, kinds: PARTY_KINDS, fileVisible: access === 'unit', saved: q.saved === '1',
      addressees, channels: DISPATCH_CHANNELS,
      sender: parties.find((p) => p.id === doc.sender_party_id) ?? null, addressee: parties.find((p) => p.id === doc.addressee_party_id) ?? null,
    });
  });

  router.post('/documents/:id/parties', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentForParties(deps.db, ctx, actor);
    const form = parseForm(partyForm, ctx.request.body, 'PARTY_INVALID');
    let party: PartyInput | null = null;
    if (!form.partyId) {
      if (!form.kind) throw new DomainError('PARTY_INVALID', 'no kind of party');
      const named = form.kind === 'person' ? form.familyName : form.organisationName;
      if (!named) throw new DomainError('PARTY_NAME_REQUIRED', 'a party needs a family name or an organisation name');
      party = { kind: form.kind, givenName: form.givenName, familyName: form.familyName, organisationName: form.organisationName, companyId: form.companyId, email: form.email, dataBoxId: form.dataBoxId, street: form.street, city: form.city, postcode: form.postcode };
    }
    const r = await changeDocumentParty({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, role: form.role, partyId: form.partyId || null, party });
    ctx.status = 303;
    // the registry office does not see another unit's file: it comes back to the document's parties
    ctx.redirect(r.access === 'unit' ? `/records/files/${doc.file_id}` : `/records/documents/${doc.id}/parties?saved=1`);
  });

  router.post('/documents/:id/dispatch', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentWithFile(deps.db, ctx, actor);
    const form = parseForm(z.object({ dispatchId: dispatchField, day: z.string().max(20).optional(), channel: z.enum(DISPATCH_CHANNELS).optional(), dataBoxMessageId: z.string().max(40).optional() }), ctx.request.body, 'DISPATCH_DATE_INVALID');
    await recordDispatch({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, dispatchId: form.dispatchId, day: form.day, channel: form.channel, dataBoxMessageId: form.dataBoxMessageId });
    ctx.status = 303;
    ctx.redirect(`/records/files/${doc.file_id}`);
  });

  router.post('/documents/:id/delivery', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentWithFile(deps.db, ctx, actor);
    const form = parseForm(z.object({ dispatchId: dispatchField, day: z.string().max(20).optional(), deemed: z.enum(['1']).optional() }), ctx.request.body, 'DELIVERY_DATE_INVALID');
    await recordDelivery({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, dispatchId: form.dispatchId, day: form.day, deemed: form.deemed === '1' });
    ctx.status = 303;
    ctx.redirect(`/records/files/${doc.file_id}`);
  });

  // a further addressee of the parties register, with its own dispatch; back to the document's addressees
  router.post('/documents/:id/addressees', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentWithFile(deps.db, ctx, actor);
    const form = parseForm(z.object({ partyId: uuid, channel: z.union([z.enum(DISPATCH_CHANNELS), z.literal('')]).optional().transform((v) => v || null) }), ctx.request.body, 'PARTY_NOT_FOUND');
    await addDispatchAddressee({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, partyId: form.partyId, channel: form.channel });
    ctx.status = 303;
    ctx.redirect(`/records/documents/${doc.id}/parties?saved=1`);
  });

  router.post('/documents/:id/addressees/remove', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentWithFile(deps.db, ctx, actor);
    const form = parseForm(z.object({ dispatchId: uuid }), ctx.request.body, 'DISPATCH_NOT_FOUND');
    await removeDispatchAddressee({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, dispatchId: form.dispatchId });
    ctx.status = 303;
    ctx.redirect(`/records/documents/${doc.id}/parties?saved=1`);
  });

  router.post('/documents/:id/move', forms, async (ctx: Ctx) => {
    const actor = editor(ctx);
    const { doc } = await documentWithFile(deps.db, ctx, actor);
    const form = parseForm(moveForm, ctx.request.body, 'MOVE_TARGET_REQUIRED');
    const target = await deps.db('files').where({ file_reference: form.toFileReference }).first('id');
    if (!target) throw new DomainError('FILE_NOT_FOUND', `no file ${form.toFileReference}`);
    await moveDocument({ db: deps.db, clock: deps.clock }, actor, { documentId: doc.id, toFileId: target.id, reason: form.reason });
    ctx.status = 303;
    ctx.redirect(`/records/files/${target.id}`);
  });
}
