import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import {
  canAccessFile, createTypedFile, DomainError, findPlanValidOn, listClasses, openVolume, pragueDay, requireFileAccess, volumeHoldsDocuments, type Actor, type WorkersConfig,
} from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { formText, hasAny } from './page-form';
import type { PageFn } from './records-centre.route';
import { REOPENERS, SETTLERS } from './records-lifecycle.route';
import { orgUnits } from './register-options';

/** Who opens typed files and their volumes: the handlers of a unit and the administrator (the use cases check again). */
export const TYPED_FILE_OPENERS: readonly string[] = ['referent', 'vedouci', 'admin'];
/** Rows for parts on the form: enough for the typed files of the plan; blank rows are left out. */
export const PART_ROWS = 6;
const SUBJECT_MAX = 500;
const REFERENCE_MAX = 50;
const CODE_MAX = 10;
const TITLE_MAX = 200;

export interface TypedFileRoutesDeps {
  db: Knex;
  clock: () => Date;
  page: PageFn;
  actorOf: (ctx: Ctx) => Actor;
  config: WorkersConfig;
}

interface TypedFileForm {
  classCode: string;
  subject: string;
  reference: string;
  orgUnit: string;
  parts: { code: string; title: string }[];
}

const isAdmin = (actor: Actor) => actor.roles.includes('admin');


/** The classes of the plan valid today that are meant for typed files. */
async function typedClasses(db: Knex, day: string): Promise<{ code: string; title: string }[]> {
  const plan = await findPlanValidOn(db, day);
  if (!plan) return [];
  return (await listClasses(db, plan.id))
    .filter((c) => c.for_typed_files && c.disposal_code !== null && c.valid_from <= day && (!c.valid_to || c.valid_to >= day))
    .map((c) => ({ code: c.class_code, title: c.title }));
}

/** The `?typed=` messages after a successful post. */
export const TYPED_DONE = [
  'created', 'volume-opened', 'volume-existed', 'file-opened', 'file-existed', 'volume-closed', 'volume-closed-next', 'volume-reopened',
  'part-closed', 'part-reopened', 'typed-closed', 'typed-reopened',
] as const;

/** A refused form of a typed file's or a volume's page: shown again with the summary, the field's message and what was typed. */
export interface TypedFailure {
  form: 'volume-file' | 'volume-close' | 'volume-reopen' | 'part-close' | 'part-reopen' | 'typed-close' | 'typed-reopen';
  partId?: string;
  values: { subject?: string; reason?: string; next?: string; count?: string };
  errors: { target: string; message: string }[];
  fields: Record<string, string>;
}

/** Whether the lifecycle use cases let the actor handle the file (their unit's, their own, or a records role). */
function handles(actor: Actor, file: { org_unit: string | null; owner?: string | null }): boolean {
  try {
    requireFileAccess(actor, { org_unit: file.org_unit, owner: file.owner ?? null });
    return true;
  } catch {
    return false;
  }
}

interface SectionFile { id: string; kind: string; state: string; org_unit: string | null; owner?: string | null; part_id: string | null; volume_id?: string | null }

/**
 * What the file page shows of a typed file (its parts, each with its volumes, and the forms to open
 * a volume, to close and reopen a part and the typed file), of a volume (its part and typed file,
 * its files with the form to open one, the forms to close it — opening the next — and reopen it)
 * or of a file in a volume (the volume). Null for another plain file. The query's `typed=` names
 * what a post just did; `failure` is a refused form of this section.
 */
export async function typedFileSection(db: Knex, actor: Actor, file: SectionFile, query: Record<string, unknown>, failure?: TypedFailure) {
  const parsed = z.enum(TYPED_DONE).safeParse(query.typed);
  const done = parsed.success ? parsed.data : null;
  const mine = (form: TypedFailure['form'], partId?: string) => (failure && failure.form === form && failure.partId === partId ? failure : undefined);
  const handler = handles(actor, file) && canAccessFile(actor, file);
  if (file.volume_id) {
    const volume = await db('files').where({ id: file.volume_id }).first('id', 'file_reference', 'subject', 'state');
    return volume ? { inVolume: volume, done, failure } : null;
  }
  if (file.kind === 'volume' && file.part_id) {
    const part = await db('file_parts as p').join('files as t', 't.id', 'p.typed_file_id').where('p.id', file.part_id)
      .first('p.code', 'p.title', 'p.closed_at as partClosedAt', 't.id as typedId', 't.file_reference as typedReference', 't.subject as typedSubject', 't.state as typedState');
    if (!part) return null;
    const files = await db('files').where({ volume_id: file.id }).orderBy('created_at').orderBy('file_reference').select('id', 'file_reference', 'subject', 'state');
    const holdsDocuments = await volumeHoldsDocuments(db, file.id);
    const open = file.state === 'open';
    const close = mine('volume-close');
    const reopen = mine('volume-reopen');
    const newFile = mine('volume-file');
    return {
      volumeOf: part, done, failure,
      volume: {
        id: file.id, files, fileCount: files.length, holdsDocuments, partClosed: Boolean(part.partClosedAt),
        mayOpenFile: open && !holdsDocuments && hasAny(actor, TYPED_FILE_OPENERS) && handler,
        mayClose: open && hasAny(actor, SETTLERS) && handler,
        mayOpenNext: part.typedState === 'open' && !part.partClosedAt,
        mayReopen: file.state === 'closed' && part.typedState === 'open' && !part.partClosedAt && hasAny(actor, REOPENERS) && handler,
        fileForm: { subject: newFile?.values.subject ?? '', error: newFile?.fields['volume-file-subject'] },
        closeForm: { reason: close?.values.reason ?? '', next: close?.values.next ?? '', error: close?.fields['volume-close-reason'], nextError: close?.fields['volume-close-next'] },
        reopenForm: { reason: reopen?.values.reason ?? '', error: reopen?.fields['volume-reopen-reason'] },
      },
    };
  }
  if (file.kind !== 'typed') return null;
  const parts = await db('file_parts').where({ typed_file_id: file.id }).orderBy('created_at').orderBy('code');
  const volumes = parts.length ? await db('files').whereIn('part_id', parts.map((p) => p.id)).orderBy('created_at').orderBy('file_reference').select('id', 'part_id', 'file_reference', 'subject', 'state') : [];
  const open = file.state === 'open';
  const typedClose = mine('typed-close');
  const typedReopen = mine('typed-reopen');
  return {
    fileId: file.id,
    done, failure,
    mayOpenVolume: open && hasAny(actor, TYPED_FILE_OPENERS) && handler,
    mayCloseTyped: open && hasAny(actor, SETTLERS) && handler,
    mayReopenTyped: file.state === 'closed' && hasAny(actor, REOPENERS) && handler,
    closeForm: { reason: typedClose?.values.reason ?? '', error: typedClose?.fields['typed-close-reason'] },
    reopenForm: { reason: typedReopen?.values.reason ?? '', error: typedReopen?.fields['typed-reopen-reason'] },
    parts: parts.map((p) => {
      const own = volumes.filter((v) => v.part_id === p.id);
      const closed = Boolean(p.closed_at);
      const partClose = mine('part-close', p.id);
      const partReopen = mine('part-reopen', p.id);
      return {
        id: p.id, code: p.code, title: p.title, volumeCount: own.length, closed, closedAt: p.closed_at,
        retention: p.disposal_code ? `${p.disposal_code}/${p.retention_years}` : null,
        volumes: own,
        mayOpenVolume: !closed && open && hasAny(actor, TYPED_FILE_OPENERS) && handler,
        mayClose: !closed && open && hasAny(actor, SETTLERS) && handler,
        mayReopen: closed && open && hasAny(actor, REOPENERS) && handler,
        closeForm: { reason: partClose?.values.reason ?? '', error: partClose?.fields[`part-close-reason-${p.id}`] },
        reopenForm: { reason: partReopen?.values.reason ?? '', error: partReopen?.fields[`part-reopen-reason-${p.id}`] },
      };
    }),
  };
}

/**
 * Typed files in the back-office: the form that opens one with its parts (`GET`/`POST
 * /records/typed-files`), and opening a volume of a part from the file page. The records router
 * has checked the session, a records role and the Origin; each route checks its role and the
 * file's unit, and the use cases check both again and write the transaction log.
 */
export function addTypedFileRoutes(router: Router<AppState>, deps: TypedFileRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const ports = { db: deps.db, clock: deps.clock, config: deps.config };
  const opener = (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!hasAny(actor, TYPED_FILE_OPENERS)) throw new AppError('FORBIDDEN', `${actor.username} may not open typed files`);
    return actor;
  };
  const showForm = async (ctx: Ctx, actor: Actor, values: TypedFileForm, errors: { target: string; message: string }[] = [], status = 200) => {
    const fields = Object.fromEntries(errors.map((e) => [e.target, e.message]));
    const rows = Array.from({ length: PART_ROWS }, (_, i) => ({
      n: i + 1, code: values.parts[i]?.code ?? '', title: values.parts[i]?.title ?? '',
      codeError: fields[`part-code-${i + 1}`], titleError: fields[`part-title-${i + 1}`],
    }));
    ctx.status = status;
    deps.page(ctx, 'records-typed-file-new', {
      title: ctx.state.t('records:typed.new.title'), values, rows, errors, fields,
      classes: await typedClasses(deps.db, pragueDay(deps.clock())),
      units: isAdmin(actor) ? await orgUnits(deps.db) : null, ownUnit: actor.orgUnit,
      limits: { subject: SUBJECT_MAX, reference: REFERENCE_MAX, code: CODE_MAX, title: TITLE_MAX },
    });
  };

  router.get('/typed-files/new', async (ctx: Ctx) => {
    const actor = opener(ctx);
    await showForm(ctx, actor, { classCode: '', subject: '', reference: '', orgUnit: actor.orgUnit ?? '', parts: [] });
  });

  router.post('/typed-files', forms, async (ctx: Ctx) => {
    const actor = opener(ctx);
    const t = ctx.state.t;
    const body = ctx.request.body;
    const values: TypedFileForm = {
      classCode: formText(body, 'classCode'), subject: formText(body, 'subject'), reference: formText(body, 'reference'),
      orgUnit: isAdmin(actor) ? formText(body, 'orgUnit') : actor.orgUnit ?? '',
      parts: Array.from({ length: PART_ROWS }, (_, i) => ({ code: formText(body, `part-code-${i + 1}`), title: formText(body, `part-title-${i + 1}`) })),
    };
    const errors: { target: string; message: string }[] = [];
    const err = (target: string, key: string, opts?: Record<string, unknown>) => errors.push({ target, message: t(`records:typed.errors.${key}`, opts) });
    const classes = await typedClasses(deps.db, pragueDay(deps.clock()));
    if (!classes.some((c) => c.code === values.classCode)) err('classCode', 'classRequired');
    if (!values.subject) err('subject', 'subjectRequired');
    else if (values.subject.length > SUBJECT_MAX) err('subject', 'tooLong', { max: SUBJECT_MAX });
    if (!values.reference) err('reference', 'referenceRequired');
    else if (values.reference.length > REFERENCE_MAX || !/^[\p{L}\p{N}._-]+(?:\/[\p{L}\p{N}._-]+)*$/u.test(values.reference)) err('reference', 'referenceInvalid', { max: REFERENCE_MAX });
    if (isAdmin(actor) && !(await orgUnits(deps.db)).some((u) => u.code === values.orgUnit)) err('orgUnit', 'unitRequired');
    // a part's code defaults to its row number; a code goes into its volumes' references
    const parts = values.parts.map((p, i) => ({ ...p, n: i + 1 })).filter((p) => p.code || p.title);
    parts.forEach((p) => {
      if (!p.title) err(`part-title-${p.n}`, 'partTitleRequired', { n: p.n });
      else if (p.title.length > TITLE_MAX) err(`part-title-${p.n}`, 'tooLong', { max: TITLE_MAX });
      if (p.code && (p.code.length > CODE_MAX || !/^[\p{L}\p{N}]+$/u.test(p.code))) err(`part-code-${p.n}`, 'partCodeInvalid', { n: p.n, max: CODE_MAX });
    });
    const withCodes = parts.map((p) => ({ code: p.code || String(p.n), title: p.title }));
    const seen = new Set<string>();
    withCodes.forEach((p, i) => {
      if (seen.has(p.code)) err(`part-code-${parts[i].n}`, 'partCodeRepeated', { n: parts[i].n });
      seen.add(p.code);
    });
    if (!parts.length) err('part-title-1', 'partsRequired');
    if (errors.length) return showForm(ctx, actor, values, errors, 400);
    try {
      const created = await createTypedFile(ports, actor, { classCode: values.classCode, subject: values.subject, reference: values.reference, orgUnit: values.orgUnit || null, parts: withCodes });
      ctx.status = 303;
      return ctx.redirect(`/records/files/${created.fileId}?typed=created`);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'FORBIDDEN') throw e;
      if (e.code === 'FILE_REFERENCE_TAKEN') {
        // the same form sent twice: the typed file the first one opened
        const existing = await deps.db('files').where({ file_reference: values.reference }).first('id', 'kind', 'subject', 'created_by');
        if (existing && existing.kind === 'typed' && existing.subject === values.subject && existing.created_by === `user:${actor.username}`) {
          ctx.status = 303;
          return ctx.redirect(`/records/files/${existing.id}?typed=created`);
        }
      }
      const target = e.code === 'FILE_REFERENCE_TAKEN' ? 'reference' : e.code === 'FILE_ACCESS_DENIED' ? 'orgUnit' : 'classCode';
      errors.push({ target, message: t(`records:errors.${e.code}`, { defaultValue: t('records:errors.generic') }) });
      return showForm(ctx, actor, values, errors, e.code === 'FILE_REFERENCE_TAKEN' ? 409 : 400);
    }
  });

  router.post('/typed-files/:id/parts/:partId/volumes', forms, async (ctx: Ctx) => {
    const actor = opener(ctx);
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const partId = parse(z.uuid(), ctx.params.partId, 'NOT_FOUND');
    const typed = await deps.db('files').where({ id, kind: 'typed' }).first();
    const part = typed ? await deps.db('file_parts').where({ id: partId, typed_file_id: id }).first('id') : null;
    if (!typed || !part) throw new AppError('NOT_FOUND');
    const shares: string[] = await deps.db('file_shares').where({ file_id: id }).pluck('org_unit');
    if (!canAccessFile(actor, typed, shares)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not handle typed file ${id}`);
    const subject = formText(ctx.request.body, 'subject');
    const expected = z.coerce.number().int().min(0).max(100000).safeParse(formText(ctx.request.body, 'volumes'));
    if (!subject || subject.length > SUBJECT_MAX) throw new DomainError('VOLUME_SUBJECT_REQUIRED', 'a volume needs a subject');
    const r = await openVolume(ports, actor, { partId, subject, expectedVolumes: expected.success ? expected.data : undefined });
    ctx.status = 303;
    ctx.redirect(`/records/files/${id}?typed=${r.created ? 'volume-opened' : 'volume-existed'}#part-${partId}`);
  });
}
