import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import {
  canAccessFile, classificationDay, DomainError, findPlanValidOn, formatRetention, listClasses, mayReclassifyFile, reclassifyFile, RECLASSIFIERS,
  RECLASSIFY_REASON_MAX, type Actor, type CaseFileRow,
} from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { fieldError, formText, hasAny, type FormErrors } from './page-form';

/** reclassifyFile: the administrator, the records centre and heads of units (the use case then lets a head only their unit's open files). */
export const RECLASSIFY_ROLES: readonly string[] = RECLASSIFIERS;
/** who sees every unit's files and corrects any file's class */
const RECORDS_ROLES: readonly string[] = ['admin', 'spisovna'];
const CLASS_CODE_MAX = 50;
const RESULTS = ['changed', 'unchanged'] as const;

/** A refused change of class: shown again on the file page with an error summary, the field messages and what was typed. */
export interface ReclassifyFailure extends FormErrors {
  values: { classCode: string; reason: string };
}

export interface ReclassifyRoutesDeps {
  db: Knex;
  clock: () => Date;
  actorOf: (ctx: Ctx) => Actor;
  showFile: (ctx: Ctx, fileId: string, opts: { logView: boolean; reclassify?: ReclassifyFailure; status?: number }) => Promise<void>;
}

/**
 * What the file page's "change of class" section needs: whether the user may use it, the leaf
 * classes of the plan the file belongs to (the plan valid on the day it was opened), what was typed
 * and the messages of a refused form, and the message after a change.
 */
export async function reclassifySection(db: Knex, ctx: Ctx, actor: Actor, file: CaseFileRow, failure?: ReclassifyFailure) {
  if (!mayReclassifyFile(actor, file)) return { may: false };
  const day = classificationDay(file);
  const plan = await findPlanValidOn(db, day);
  const all = plan ? await listClasses(db, plan.id) : [];
  const parents = new Set(all.map((c) => c.parent_id).filter(Boolean));
  const classes = all
    .filter((c) => c.disposal_code && c.retention_years !== null && !c.for_typed_files && !parents.has(c.id))
    .filter((c) => c.valid_from <= day && (!c.valid_to || c.valid_to >= day))
    .map((c) => ({ code: c.class_code, title: c.title, retention: formatRetention({ disposalCode: c.disposal_code!, retentionYears: c.retention_years! }) }));
  const result = z.enum(RESULTS).safeParse(ctx.query.reclassified);
  return {
    may: true,
    closed: file.state === 'closed',
    plan: plan ? `${plan.identifier}, ${day}` : day,
    classes,
    classCode: failure?.values.classCode ?? file.class_code ?? '',
    reason: failure?.values.reason ?? '',
    classError: failure?.fields['reclassify-class'],
    reasonError: failure?.fields['reclassify-reason'],
    failure,
    done: failure || !result.success ? null : ctx.state.t(`records:reclassify.${result.data === 'changed' ? 'done' : 'unchanged'}`, { code: file.class_code }),
  };
}

/** The field a refusal of the use case is about. */
const fieldOf = (code: string) => (code.startsWith('REASON_') ? 'reclassify-reason' : 'reclassify-class');

/**
 * `POST /records/files/:id/reclassify` — změna spisového znaku from the file page. The role and the
 * user's right to this file are checked before the form is read (the session and Origin by the records
 * router); bad input and a refusal of the use case show the file page again with an error summary
 * and change nothing; `reclassifyFile` checks everything again and writes the log.
 */
export function addReclassifyRoutes(router: Router<AppState>, deps: ReclassifyRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });

  router.post('/files/:id/reclassify', forms, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!hasAny(actor, RECLASSIFY_ROLES)) throw new AppError('FORBIDDEN', `${actor.username} needs one of ${RECLASSIFY_ROLES.join(', ')}`);
    const file: CaseFileRow | undefined = await deps.db('files').where({ id: parse(z.uuid(), ctx.params.id, 'NOT_FOUND') }).first();
    if (!file) throw new AppError('NOT_FOUND');
    const shares: string[] = await deps.db('file_shares').where({ file_id: file.id }).pluck('org_unit');
    // a head of unit corrects only the files of their own unit, not those shared with it
    if (!canAccessFile(actor, file, shares) || (!hasAny(actor, RECORDS_ROLES) && (!file.org_unit || file.org_unit !== actor.orgUnit))) {
      throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not change the class of file ${file.id}`);
    }
    const t = ctx.state.t;
    const values = { classCode: formText(ctx.request.body, 'classCode'), reason: formText(ctx.request.body, 'reason') };
    const f: ReclassifyFailure = { values, errors: [], fields: {} };
    if (!values.classCode) fieldError(f, 'reclassify-class', t('records:errors.FILE_CLASS_REQUIRED'));
    else if (values.classCode.length > CLASS_CODE_MAX) fieldError(f, 'reclassify-class', t('records:errors.FILE_CLASS_NOT_FOUND'));
    if (!values.reason) fieldError(f, 'reclassify-reason', t('records:lifecycle.errors.reasonRequired'));
    else if (values.reason.length > RECLASSIFY_REASON_MAX) fieldError(f, 'reclassify-reason', t('records:lifecycle.errors.tooLong', { max: RECLASSIFY_REASON_MAX }));
    if (f.errors.length) return deps.showFile(ctx, file.id, { logView: false, reclassify: f, status: 400 });
    let changed: boolean;
    try {
      ({ changed } = await reclassifyFile({ db: deps.db, clock: deps.clock }, actor, { fileId: file.id, classCode: values.classCode, reason: values.reason }));
    } catch (err) {
      if (!(err instanceof DomainError) || ['FORBIDDEN', 'FILE_ACCESS_DENIED', 'FILE_NOT_FOUND'].includes(err.code)) throw err;
      // a file whose page has no such form (closed for a head of unit, in the records centre): the records error page says why
      if (!mayReclassifyFile(actor, (await deps.db('files').where({ id: file.id }).first()) as CaseFileRow)) throw err;
      fieldError(f, fieldOf(err.code), t(`records:errors.${err.code}`, { defaultValue: t('records:errors.generic') }));
      return deps.showFile(ctx, file.id, { logView: false, reclassify: f, status: err.kind === 'business' ? 409 : 400 });
    }
    ctx.status = 303;
    ctx.redirect(`/records/files/${file.id}?reclassified=${changed ? 'changed' : 'unchanged'}#reclassify-heading`);
  });
}
