import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import {
  canAccessFile, closePart, closeTypedFile, closeVolume, DomainError, openVolumeFile, reopenPart, reopenTypedFile, reopenVolume, type Actor, type WorkersConfig,
} from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { formText } from './page-form';
import { REOPENERS, SETTLERS } from './records-lifecycle.route';
import { TYPED_FILE_OPENERS, type TypedFailure } from './records-typed-files.route';

const TEXT_MAX = 500;

export interface VolumeRoutesDeps {
  db: Knex;
  clock: () => Date;
  config: WorkersConfig;
  actorOf: (ctx: Ctx) => Actor;
  showFile: (ctx: Ctx, fileId: string, opts: { logView: boolean; typedFailure?: TypedFailure; status?: number }) => Promise<void>;
}

/** The names a refusal lists (open files, volumes or parts), for its message. */
function listed(err: DomainError): string {
  const e = err as DomainError & { openFiles?: string[]; openVolumes?: string[]; openParts?: string[] };
  return (e.openFiles ?? e.openVolumes ?? e.openParts ?? []).join(', ');
}

interface Action {
  roles: readonly string[];
  form: TypedFailure['form'];
  /** the field a refusal of the use case is shown at */
  target: (partId?: string) => string;
  /** reads the form: the values kept for the page, and the field errors of bad input */
  read: (body: unknown, t: Ctx['state']['t'], partId?: string) => { values: TypedFailure['values']; errors: { target: string; message: string }[] };
  run: (actor: Actor, ids: { fileId: string; partId?: string }, values: TypedFailure['values']) => Promise<string>;
}

const reasonField = (target: string, required: boolean) => (body: unknown, t: Ctx['state']['t']) => {
  const reason = formText(body, 'reason');
  const errors = [];
  if (required && !reason) errors.push({ target, message: t('records:lifecycle.errors.reasonRequired') });
  else if (reason.length > TEXT_MAX) errors.push({ target, message: t('records:lifecycle.errors.tooLong', { max: TEXT_MAX }) });
  return { values: { reason }, errors };
};

/**
 * The lifecycle of typed files on their pages: opening a file (spis) in a volume (díl), closing a
 * volume (and opening the part's next one) and reopening it, closing and reopening a part
 * (součást) and the typed file. Each post checks the role and the user's unit before it reads the
 * form (the records router has checked the session and the Origin); bad input and a refusal of the
 * use case show the file page again with an error summary and change nothing; the use cases check
 * everything again and write the transaction log in the same transaction.
 */
export function addVolumeRoutes(router: Router<AppState>, deps: VolumeRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const ports = { db: deps.db, clock: deps.clock, config: deps.config };

  const route = (path: string, kind: 'volume' | 'typed' | 'part', action: Action) => router.post(path, forms, async (ctx: Ctx) => {
    const actor = deps.actorOf(ctx);
    if (!actor.roles.some((r) => action.roles.includes(r))) throw new AppError('FORBIDDEN', `${actor.username} needs one of ${action.roles.join(', ')}`);
    const fileId = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const partId = kind === 'part' ? parse(z.uuid(), ctx.params.partId, 'NOT_FOUND') : undefined;
    const file = await deps.db('files').where({ id: fileId, kind: kind === 'volume' ? 'volume' : 'typed' }).first();
    if (!file || (partId && !(await deps.db('file_parts').where({ id: partId, typed_file_id: fileId }).first('id')))) throw new AppError('NOT_FOUND');
    const shares: string[] = await deps.db('file_shares').where({ file_id: file.id }).pluck('org_unit');
    if (!canAccessFile(actor, file, shares)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not handle ${file.id}`);
    const t = ctx.state.t;
    const { values, errors } = action.read(ctx.request.body, t, partId);
    const failure = (status: number): Promise<void> => deps.showFile(ctx, fileId, {
      logView: false, status, typedFailure: { form: action.form, partId, values, errors, fields: Object.fromEntries(errors.map((e) => [e.target, e.message])) },
    });
    if (errors.length) return failure(400);
    let done: string;
    try {
      done = await action.run(actor, { fileId, partId }, values);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN' || err.code === 'FILE_ACCESS_DENIED' || err.code.endsWith('_NOT_FOUND')) throw err;
      errors.push({ target: action.target(partId), message: t(`records:errors.${err.code}`, { list: listed(err), defaultValue: t('records:errors.generic') }) });
      return failure(err.kind === 'business' ? 409 : 400);
    }
    ctx.status = 303;
    ctx.redirect(`/records/files/${fileId}?typed=${done}`);
  });

  route('/volumes/:id/files', 'volume', {
    roles: TYPED_FILE_OPENERS, form: 'volume-file', target: () => 'volume-file-subject',
    read: (body, t) => {
      const subject = formText(body, 'subject');
      const errors = [];
      if (!subject) errors.push({ target: 'volume-file-subject', message: t('records:typed.volume.errors.subjectRequired') });
      else if (subject.length > TEXT_MAX) errors.push({ target: 'volume-file-subject', message: t('records:lifecycle.errors.tooLong', { max: TEXT_MAX }) });
      return { values: { subject, count: formText(body, 'files') }, errors };
    },
    run: async (actor, { fileId }, values) => {
      // the count of files the form saw: a form sent twice opens one file
      const seen = z.coerce.number().int().min(0).max(100000).safeParse(values.count);
      const r = await openVolumeFile(ports, actor, { volumeId: fileId, subject: values.subject!, expectedFiles: seen.success ? seen.data : undefined });
      return r.created ? 'file-opened' : 'file-existed';
    },
  });

  route('/volumes/:id/close', 'volume', {
    roles: SETTLERS, form: 'volume-close', target: () => 'volume-close-reason',
    read: (body, t) => {
      const r = reasonField('volume-close-reason', false)(body, t);
      const next = formText(body, 'next');
      if (next.length > TEXT_MAX) r.errors.push({ target: 'volume-close-next', message: t('records:lifecycle.errors.tooLong', { max: TEXT_MAX }) });
      return { values: { ...r.values, next }, errors: r.errors };
    },
    run: async (actor, { fileId }, values) => {
      const r = await closeVolume(ports, actor, { volumeId: fileId, reason: values.reason || null, nextSubject: values.next || null });
      return r.next ? 'volume-closed-next' : 'volume-closed';
    },
  });

  route('/volumes/:id/reopen', 'volume', {
    roles: REOPENERS, form: 'volume-reopen', target: () => 'volume-reopen-reason', read: reasonField('volume-reopen-reason', true),
    run: async (actor, { fileId }, values) => (await reopenVolume(ports, actor, { volumeId: fileId, reason: values.reason! }), 'volume-reopened'),
  });

  route('/typed-files/:id/parts/:partId/close', 'part', {
    roles: SETTLERS, form: 'part-close', target: (partId) => `part-close-reason-${partId}`,
    read: (body, t, partId) => reasonField(`part-close-reason-${partId}`, false)(body, t),
    run: async (actor, { fileId, partId }, values) => (await closePart(ports, actor, { typedFileId: fileId, partId: partId!, reason: values.reason || null }), 'part-closed'),
  });

  route('/typed-files/:id/parts/:partId/reopen', 'part', {
    roles: REOPENERS, form: 'part-reopen', target: (partId) => `part-reopen-reason-${partId}`,
    read: (body, t, partId) => reasonField(`part-reopen-reason-${partId}`, true)(body, t),
    run: async (actor, { fileId, partId }, values) => (await reopenPart(ports, actor, { typedFileId: fileId, partId: partId!, reason: values.reason! }), 'part-reopened'),
  });

  route('/typed-files/:id/close', 'typed', {
    roles: SETTLERS, form: 'typed-close', target: () => 'typed-close-reason', read: reasonField('typed-close-reason', false),
    run: async (actor, { fileId }, values) => (await closeTypedFile(ports, actor, { typedFileId: fileId, reason: values.reason || null }), 'typed-closed'),
  });

  route('/typed-files/:id/reopen', 'typed', {
    roles: REOPENERS, form: 'typed-reopen', target: () => 'typed-reopen-reason', read: reasonField('typed-reopen-reason', true),
    run: async (actor, { fileId }, values) => (await reopenTypedFile(ports, actor, { typedFileId: fileId, reason: values.reason! }), 'typed-reopened'),
  });
}
