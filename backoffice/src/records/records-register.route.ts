import { randomUUID } from 'node:crypto';
import multer from '@koa/multer';
import type Router from '@koa/router';
import { canAccessFile, DomainError, pragueDay, registerRecord, searchParties, type Actor, type RegisterRecordResult, type PartyRow, type WorkersConfig } from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { formatBytes } from '../public/submit-submission.service';
import type { PageFn } from './records-centre.route';
import { checkComponents, MAX_COMPONENTS, type CheckedComponent, type ComponentRefusal, type UploadedPart } from './register-components';
import { claimFormKey, completeFormKey, releaseFormKey } from './registration-form-key.repository';
import { isUuid, partyFieldNames, pragueTime, readValues, type FieldErrors, type Values } from './register-form';
import { readIncoming, readOwn, type RegisterKind } from './register-input';
import { formOptions, type FormOptions } from './register-options';

export interface RegisterRoutesDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
  config: WorkersConfig;
  /** largest accepted component (`UPLOAD_MAX_BYTES`) */
  uploadMaxBytes: number;
}

/** Who registers received documents: the registry office (podatelna) and the administrator. */
export const REGISTRY_DESK: readonly string[] = ['podatelna', 'admin'];
/** Who creates own documents (vlastní dokumenty) in files: the handlers and the administrator. */
export const OWN_DOCUMENT_AUTHORS: readonly string[] = ['referent', 'vedouci', 'admin'];

const INCOMING_FIELDS = ['formKey', 'channel', 'form', 'receivedDate', 'receivedTime', 'senderReference', 'senderReferenceDate', 'subject', 'attachmentsCount', 'attachmentsKind',
  'fileMode', 'classCode', 'fileReference', 'orgUnit', 'handler', 'action', ...partyFieldNames('sender')];
const OWN_FIELDS = ['formKey', 'direction', 'channel', 'form', 'subject', 'fileMode', 'classCode', 'fileReference', 'orgUnit', 'action', ...partyFieldNames('addressee')];

/** A refusal of registerRecord that belongs to a field of the form: shown there, nothing was written. */
const SERVICE_FIELD: Record<string, [field: string, key: string]> = {
  FILE_NOT_FOUND: ['fileReference', 'fileNotFound'],
  FILE_ACCESS_DENIED: ['fileReference', 'fileNotFound'],
  FILE_NOT_OPEN: ['fileReference', 'fileNotOpen'],
  TYPED_FILE_NEEDS_VOLUME: ['fileReference', 'typedFile'],
  FILE_CLASS_NOT_FOUND: ['classCode', 'classCodeInvalid'],
  FILE_CLASS_NOT_LEAF: ['classCode', 'classCodeInvalid'],
  SUBJECT_REQUIRED: ['subject', 'subjectRequired'],
  PARTY_NOT_FOUND: ['@party', 'partyNotFound'],
};

const COMPONENT_ERROR: Record<ComponentRefusal['reason'], string> = {
  'too-many': 'componentsTooMany', 'too-large': 'componentTooLarge', 'not-allowed': 'componentNotAllowed', mismatch: 'componentMismatch',
};

function requireRole(actor: Actor, roles: readonly string[]): Actor {
  if (!actor.roles.some((r) => roles.includes(r))) throw new AppError('FORBIDDEN', `${actor.username} may not register this kind of document`);
  return actor;
}

/**
 * Registration screens of the records UI: "Zaevidovat doručený dokument" for the registry office
 * (a letter handed in at the counter or come by post, an e-mail or a data message received outside
 * the portal) and "Nový vlastní dokument" for the handlers (an outgoing letter or an internal
 * document in a file of their unit). Both are server-rendered multipart forms that work without
 * JavaScript; the party search is a submit button of the same form, so what was typed stays.
 * registerRecord does the work in one transaction (numbers, journal, file, components, receipt
 * confirmation, transaction log: Zalozeni, VlozeniDoSpisu); a refused form is shown again with
 * the values and a message at each field, and nothing is written.
 */
export function addRegisterRoutes(router: Router<AppState>, deps: RegisterRoutesDeps): void {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: deps.uploadMaxBytes + 1, files: MAX_COMPONENTS + 1, fields: 60, fieldSize: 10_000, parts: MAX_COMPONENTS + 61 },
  });
  const ports = { db: deps.db, clock: deps.clock, config: deps.config };
  // what multer refused of a request's upload (a per-request map: requests run concurrently)
  const uploadRefusals = new WeakMap<Ctx, string>();

  /** The multipart body; a refused upload (too large, too many) becomes an error of the components field. */
  const receive = async (ctx: Ctx, next: () => Promise<unknown>) => {
    if (!ctx.is('multipart/form-data')) throw new AppError('BAD_REQUEST', 'expected multipart/form-data');
    try {
      await upload.array('components', MAX_COMPONENTS + 1)(ctx as never, async () => undefined);
    } catch (err) {
      const e = err as { name?: string; code?: string };
      if (e.name !== 'MulterError') throw err;
      uploadRefusals.set(ctx, e.code === 'LIMIT_FILE_SIZE' ? 'too-large' : e.code === 'LIMIT_FILE_COUNT' || e.code === 'LIMIT_UNEXPECTED_FILE' ? 'too-many' : 'form');
    }
    await next();
  };

  /** `{ senderEmail: … }` → `{ Email: … }` for the party partial */
  const unprefixed = (o: Record<string, string>, role: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith(role)).map(([k, val]) => [k.slice(role.length), val]));

  const show = async (ctx: Ctx, kind: RegisterKind, actor: Actor, v: Values, errors: FieldErrors, extra: { found?: PartyRow[]; searched?: boolean; status?: number } = {}) => {
    const t = ctx.state.t;
    const options: FormOptions = await formOptions(deps.db, actor, deps.clock());
    const messages = Object.fromEntries(Object.entries(errors).map(([field, e]) => [field, t(`register:errors.${e.key}`, { max: MAX_COMPONENTS, maxSize: formatBytes(deps.uploadMaxBytes), ...(e.values ?? {}) })]));
    const role = kind === 'incoming' ? 'sender' : 'addressee';
    const chosenId = v[`${role}PartyId`];
    const chosen = chosenId && isUuid(chosenId) ? await deps.db('parties').where({ id: chosenId }).whereNull('merged_into').first() : null;
    deps.page(ctx, kind === 'incoming' ? 'records-register' : 'records-own-document', {
      title: t(kind === 'incoming' ? 'register:incoming.title' : 'register:own.title'),
      v, errors: messages, summary: Object.entries(messages).map(([field, message]) => ({ href: field === 'formKey' ? null : `#${field}`, message })),
      ...options, maxSize: formatBytes(deps.uploadMaxBytes), maxComponents: MAX_COMPONENTS,
      today: pragueDay(deps.clock()),
      party: { role, chosen, found: extra.found ?? [], searched: !!extra.searched, v: unprefixed(v, role), errors: unprefixed(messages, role) },
      fileOwnUnit: kind === 'own' && !!actor.orgUnit && !actor.roles.includes('admin') ? actor.orgUnit : null,
    });
    ctx.status = extra.status ?? (Object.keys(errors).length ? 400 : 200);
  };

  const blank = (kind: RegisterKind, ctx: Ctx): Values => {
    const now = deps.clock();
    const q = parse(z.object({ file: z.string().trim().max(100).optional() }), ctx.query);
    const base: Values = { formKey: randomUUID(), fileMode: q.file ? 'existing' : 'new', fileReference: q.file ?? '' };
    return kind === 'incoming'
      ? { ...base, channel: 'post', form: 'analog', receivedDate: pragueDay(now), receivedTime: pragueTime(now), senderKind: 'person' }
      : { ...base, direction: 'outgoing', channel: 'post', form: 'electronic', addresseeKind: 'person' };
  };

  const post = (kind: RegisterKind) => async (ctx: Ctx) => {
    const actor = requireRole(deps.actorOf(ctx), kind === 'incoming' ? REGISTRY_DESK : OWN_DOCUMENT_AUTHORS);
    const v = readValues(ctx.request.body, kind === 'incoming' ? INCOMING_FIELDS : OWN_FIELDS);
    const role = kind === 'incoming' ? 'sender' : 'addressee';
    // the party search and dropping the chosen party only show the form again
    if (v.action === `search-${role}`) {
      const errors: FieldErrors = {};
      if (!v[`${role}Query`]) errors[`${role}Query`] = { key: 'searchEmpty' };
      const found = v[`${role}Query`] ? await searchParties(deps.db, v[`${role}Query`].slice(0, 100), { limit: 20 }) : [];
      return show(ctx, kind, actor, v, errors, { found, searched: !!v[`${role}Query`], status: 200 });
    }
    if (v.action === `clear-${role}`) return show(ctx, kind, actor, { ...v, [`${role}PartyId`]: '' }, {});

    const errors: FieldErrors = {};
    const read = kind === 'incoming' ? await readIncoming(deps.db, actor, v, errors, deps.clock()) : await readOwn(deps.db, actor, v, errors, deps.clock());
    const refusal = uploadRefusals.get(ctx);
    const files = (Array.isArray(ctx.request.files) ? ctx.request.files : []) as UploadedPart[];
    let components: CheckedComponent[] = [];
    if (refusal) errors.components = { key: refusal === 'too-large' ? 'componentsTooLarge' : refusal === 'too-many' ? 'componentsTooMany' : 'formTooLarge' };
    else {
      const checked = checkComponents(files, deps.uploadMaxBytes);
      if ('refusal' in checked) errors.components = { key: COMPONENT_ERROR[checked.refusal.reason], values: { ...checked.refusal, claimed: 'claimed' in checked.refusal ? checked.refusal.claimed.toUpperCase() : '' } };
      else components = checked.components;
    }
    if (Object.keys(errors).length || !read) return show(ctx, kind, actor, v, errors);

    // one registration per filled-in form: a second post of it (a double click, a reload) leads to the first one's document
    const formKey = isUuid(v.formKey) ? v.formKey : null;
    if (formKey) {
      const claim = await claimFormKey(deps.db, formKey, actor.username, deps.clock());
      if (claim.state === 'done') {
        ctx.status = 303;
        return ctx.redirect(`/records/registered/${claim.documentId}`);
      }
      if (claim.state === 'pending') return show(ctx, kind, actor, v, { formKey: { key: 'alreadySubmitted' } }, { status: 409 });
    }
    let r: RegisterRecordResult;
    try {
      r = await registerRecord(ports, actor, { ...read, components, form: read.form ?? (components.length ? 'electronic' : 'analog') });
    } catch (err) {
      if (formKey) await releaseFormKey(deps.db, formKey);
      const field = err instanceof DomainError ? SERVICE_FIELD[err.code] : undefined;
      if (!field) throw err;
      ctx.state.log.info({ code: (err as DomainError).code }, 'registration refused');
      const name = field[0] === '@party' ? `${role}PartyId` : field[0];
      return show(ctx, kind, actor, v, { [name]: { key: field[1] } }, { status: (err as DomainError).kind === 'business' ? 409 : 400 });
    }
    if (formKey) await completeFormKey(deps.db, formKey, r.documentId);
    ctx.status = 303;
    ctx.redirect(`/records/registered/${r.documentId}`);
  };

  router.get('/register', async (ctx: Ctx) => {
    const actor = requireRole(deps.actorOf(ctx), REGISTRY_DESK);
    await show(ctx, 'incoming', actor, blank('incoming', ctx), {});
  });
  router.post('/register', receive, post('incoming'));

  router.get('/own', async (ctx: Ctx) => {
    const actor = requireRole(deps.actorOf(ctx), OWN_DOCUMENT_AUTHORS);
    await show(ctx, 'own', actor, blank('own', ctx), {});
  });
  router.post('/own', receive, post('own'));

  // the confirmation: for whom registered the document, and for whoever may see its file
  router.get('/registered/:id', async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const entry = await deps.db('journal').where({ document_id: id }).first();
    if (!entry) throw new AppError('NOT_FOUND');
    const file = await deps.db('files').where({ id: entry.file_id }).first();
    const shares: string[] = await deps.db('file_shares').where({ file_id: entry.file_id }).pluck('org_unit');
    const fileVisible = !!file && canAccessFile(actor, file, shares);
    const doc = await deps.db('documents').where({ id }).first('created_by', 'direction');
    if (!fileVisible && doc?.created_by !== `user:${actor.username}`) throw new AppError('FORBIDDEN');
    const components = await deps.db('components').where({ document_id: id }).whereNull('derivation').orderBy('created_at').select('file_name', 'media_type', 'size');
    const receipt = await deps.db('receipt_confirmations').where({ document_id: id }).first('recipient', 'channel');
    deps.page(ctx, 'records-registered', {
      title: ctx.state.t('register:done.title'), entry, fileVisible, components, receipt,
      journalUrl: `/records/journal?${new URLSearchParams({ referenceNumber: entry.reference_number })}`,
      again: doc?.direction === 'incoming' ? '/records/register' : `/records/own?file=${encodeURIComponent(entry.file_reference ?? '')}`,
    });
  });
}
