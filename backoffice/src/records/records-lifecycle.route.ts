import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import {
  cancelDocument, canAccessFile, closeFile, DomainError, isCreator, mayShareFile, reopenFile, requireFileAccess, settleRecordDocument, shareFile,
  SETTLEMENT_KINDS, unshareFile,
  type Actor, type CloseFileProblems, type SettlementKind,
} from '@openspis/workers';
import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError } from '../app-error';
import { parse, type AppState, type Ctx } from '../http';
import { fieldError, formText, hasAny, type FormErrors } from './page-form';
import { DOCUMENT_EDITORS } from './records-documents.route';

/** settleRecordDocument and closeFile: the handlers (the use cases let the administrator too). */
export const SETTLERS: readonly string[] = ['referent', 'vedouci', 'admin'];
/** reopenFile: the same. */
export const REOPENERS: readonly string[] = ['vedouci', 'referent', 'admin'];
/** shareFile and unshareFile: the handlers and the administrator; the use case then lets only the file's own unit (not one it is shared with). */
export const SHARERS: readonly string[] = ['referent', 'vedouci', 'admin'];
/** cancelDocument: whoever registers or creates documents; the use case then lets only the document's creator (or the registry office, see below). */
export const CANCELLERS: readonly string[] = DOCUMENT_EDITORS;
/** cancelDocument: who cancels a document the system registered by itself (no person created it). */
const SYSTEM_DOCUMENT_CANCELLERS: readonly string[] = ['podatelna', 'admin'];
export const SETTLEMENT_METHODS = Object.keys(SETTLEMENT_KINDS) as SettlementKind[];
const TEXT_MAX = 500;
const DONE = ['settled', 'cancelled', 'closed', 'reopened', 'shared', 'unshared'] as const;
const UNIT_MAX = 50;

/** A refused form of the file page: shown again with an error summary, the field messages and what was typed. */
export interface LifecycleFailure extends FormErrors {
  form: 'settle' | 'cancel' | 'close' | 'reopen' | 'share' | 'handler';
  documentId?: string;
  values: { method?: string; note?: string; reason?: string; orgUnit?: string; handler?: string };
  /** why the file could not be closed, per document id */
  documentProblems: Record<string, string[]>;
}

export interface LifecycleRoutesDeps {
  db: Knex;
  clock: () => Date;
  actorOf: (ctx: Ctx) => Actor;
  showFile: (ctx: Ctx, fileId: string, opts: { logView: boolean; failure?: LifecycleFailure; status?: number }) => Promise<void>;
}

interface JournalRow { document_id: string; reference_number: string | null; jid: string; settled_by?: string | null; [k: string]: unknown }
interface DocumentState { id: string; state: string; direction: string; created_by: string | null }
interface FileRow { id: string; state: string; org_unit: string | null; owner?: string | null; kind?: string }

/** Whether the lifecycle use cases let the actor handle the file (their unit's, their own, or a records role). */
function handles(actor: Actor, file: FileRow): boolean {
  try {
    requireFileAccess(actor, { org_unit: file.org_unit, owner: file.owner ?? null } as Parameters<typeof requireFileAccess>[1]);
    return true;
  } catch {
    return false;
  }
}

/** As cancelDocument decides: the creator, or for what the system registered by itself (portal, data box) the registry office. */
function mayCancelAs(actor: Actor, createdBy: string | null): boolean {
  return isCreator(actor, createdBy) || ((createdBy ?? '').startsWith('system:') && hasAny(actor, SYSTEM_DOCUMENT_CANCELLERS));
}

/** Incoming and internal documents are settled; an outgoing one is done when it is dispatched (or settled without dispatch by cancelling it). */
function settleable(doc: DocumentState): boolean {
  return doc.direction !== 'outgoing' && ['registered', 'created'].includes(doc.state);
}

/**
 * What the file page offers: per document settle and cancel, per file close or reopen — each only
 * when the use case would let this user do it in this state — and the refused form's messages.
 */
export function lifecycleActions(actor: Actor, file: FileRow, rows: JournalRow[], docs: DocumentState[], failure?: LifecycleFailure) {
  const open = file.state === 'open';
  const handler = hasAny(actor, SETTLERS) && handles(actor, file);
  const mine = (form: LifecycleFailure['form'], id?: string) => (failure && failure.form === form && failure.documentId === id ? failure : undefined);
  const documents = rows.map((row) => {
    const doc = docs.find((d) => d.id === row.document_id);
    const settle = mine('settle', row.document_id);
    const cancel = mine('cancel', row.document_id);
    const lc = {
      maySettle: Boolean(open && handler && doc && settleable(doc)),
      mayCancel: Boolean(open && doc && ['registered', 'created'].includes(doc.state) && hasAny(actor, CANCELLERS) && mayCancelAs(actor, doc.created_by)),
      settledBy: typeof row.settled_by === 'string' ? row.settled_by.replace(/^user:/, '') : null,
      settleOpen: Boolean(settle), method: settle?.values.method ?? '', note: settle?.values.note ?? '',
      methodError: settle?.fields[`settle-method-${row.document_id}`], noteError: settle?.fields[`settle-note-${row.document_id}`],
      cancelOpen: Boolean(cancel), reason: cancel?.values.reason ?? '', reasonError: cancel?.fields[`cancel-reason-${row.document_id}`],
      problems: failure?.documentProblems[row.document_id] ?? [],
    };
    return { ...row, lc };
  });
  const close = mine('close');
  const reopen = mine('reopen');
  const share = mine('share');
  return {
    documents,
    file: {
      // a volume, a part and a typed file close and reopen by their own forms (records-volumes.route)
      mayClose: open && handler && (file.kind ?? 'file') === 'file',
      mayReopen: file.state === 'closed' && (file.kind ?? 'file') === 'file' && hasAny(actor, REOPENERS) && handles(actor, file),
      mayAct: documents.some((d) => d.lc.maySettle || d.lc.mayCancel),
      settlementMethods: SETTLEMENT_METHODS,
      failure,
      closeForm: { reason: close?.values.reason ?? '', error: close?.fields['close-reason'] },
      reopenForm: { reason: reopen?.values.reason ?? '', error: reopen?.fields['reopen-reason'] },
      mayShare: hasAny(actor, SHARERS) && mayShareFile(actor, file),
      shareForm: { orgUnit: share?.values.orgUnit ?? '', error: share?.fields['share-unit'] },
    },
  };
}

/** The `?done=` message after a successful post, if the query names one. */
export function doneMessage(ctx: Ctx): string | null {
  const done = z.enum(DONE).safeParse(ctx.query.done);
  return done.success ? ctx.state.t(`records:lifecycle.done.${done.data}`) : null;
}

export function newFailure(form: LifecycleFailure['form'], documentId: string | undefined, values: LifecycleFailure['values']): LifecycleFailure {
  return { form, documentId, values, errors: [], fields: {}, documentProblems: {} };
}

/** Refusals the file page shows itself; a missing object or a refused role or unit goes to the error page. */
function shownOnPage(err: unknown): err is DomainError {
  return err instanceof DomainError && err.code !== 'FORBIDDEN' && err.code !== 'FILE_ACCESS_DENIED' && !err.code.endsWith('_NOT_FOUND');
}

function statusOf(err: DomainError): number {
  return err.kind === 'business' ? 409 : 400;
}

/**
 * Settlement (vyřízení) and storno of documents, closure (uzavření) and reopening of files, from
 * the file page. Each post checks the role and the user's access to the file before it reads the
 * form (the Origin and the session are checked by the records router, the body size here); bad
 * input shows the file page again with an error summary and changes nothing; the use cases check
 * everything again and write the transaction log.
 */
export function addLifecycleRoutes(router: Router<AppState>, deps: LifecycleRoutesDeps): void {
  const forms = bodyParser({ enableTypes: ['form'], formLimit: '10kb' });
  const ports = { db: deps.db, clock: deps.clock };

  const fileFor = async (ctx: Ctx, actor: Actor, fileId: string, handler: boolean): Promise<FileRow> => {
    const file = await deps.db('files').where({ id: fileId }).first();
    if (!file) throw new AppError('NOT_FOUND');
    const shares: string[] = await deps.db('file_shares').where({ file_id: file.id }).pluck('org_unit');
    if (!canAccessFile(actor, file, shares) || (handler && !handles(actor, file))) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not handle file ${file.id}`);
    return file;
  };
  const documentFor = async (ctx: Ctx, actor: Actor, handler: boolean) => {
    const id = parse(z.uuid(), ctx.params.id, 'NOT_FOUND');
    const doc = await deps.db('documents').where({ id }).first('id', 'file_id');
    if (!doc || !doc.file_id) throw new AppError('NOT_FOUND');
    return { doc, file: await fileFor(ctx, actor, doc.file_id, handler) };
  };
  const role = (ctx: Ctx, roles: readonly string[]) => {
    const actor = deps.actorOf(ctx);
    if (!hasAny(actor, roles)) throw new AppError('FORBIDDEN', `${actor.username} needs one of ${roles.join(', ')}`);
    return actor;
  };
  const done = (ctx: Ctx, fileId: string, what: (typeof DONE)[number], anchor = '') => {
    ctx.status = 303;
    ctx.redirect(`/records/files/${fileId}?done=${what}${anchor}`);
  };
  /**
   * The end of every form of the page: with field errors the page comes back (400) and nothing runs;
   * else the use case runs, and a refusal the page shows stands beside `field` (unless `explain` puts
   * it elsewhere) with the page again (409 for a business rule, else 400). True when it ran.
   */
  const attempt = async (ctx: Ctx, fileId: string, f: LifecycleFailure, field: string, run: () => Promise<unknown>, explain?: (err: DomainError) => Promise<boolean>): Promise<boolean> => {
    if (f.errors.length) {
      await deps.showFile(ctx, fileId, { logView: false, failure: f, status: 400 });
      return false;
    }
    try {
      await run();
      return true;
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const t = ctx.state.t;
      if (!(await explain?.(err))) fieldError(f, field, t(`records:errors.${err.code}`, { defaultValue: t('records:errors.generic') }));
      await deps.showFile(ctx, fileId, { logView: false, failure: f, status: statusOf(err) });
      return false;
    }
  };
  /** A reason typed into a form: at most TEXT_MAX characters, and when `required` not empty. */
  const checkReason = (ctx: Ctx, f: LifecycleFailure, field: string, reason: string, required: boolean) => {
    const t = ctx.state.t;
    if (required && !reason) fieldError(f, field, t('records:lifecycle.errors.reasonRequired'));
    else if (reason.length > TEXT_MAX) fieldError(f, field, t('records:lifecycle.errors.tooLong', { max: TEXT_MAX }));
  };

  router.post('/documents/:id/settle', forms, async (ctx: Ctx) => {
    const actor = role(ctx, SETTLERS);
    const { doc, file } = await documentFor(ctx, actor, true);
    const t = ctx.state.t;
    const values = { method: formText(ctx.request.body, 'method'), note: formText(ctx.request.body, 'note') };
    const f = newFailure('settle', doc.id, values);
    if (!SETTLEMENT_METHODS.includes(values.method as SettlementKind)) fieldError(f, `settle-method-${doc.id}`, t('records:lifecycle.errors.methodRequired'));
    if (values.note.length > TEXT_MAX) fieldError(f, `settle-note-${doc.id}`, t('records:lifecycle.errors.tooLong', { max: TEXT_MAX }));
    const settled = await attempt(ctx, file.id, f, `settle-method-${doc.id}`, () =>
      settleRecordDocument(ports, actor, { documentId: doc.id, method: values.method as SettlementKind, note: values.note || null }));
    if (settled) done(ctx, file.id, 'settled', `#doc-${doc.id}`);
  });

  router.post('/documents/:id/cancel', forms, async (ctx: Ctx) => {
    const actor = role(ctx, CANCELLERS);
    const { doc, file } = await documentFor(ctx, actor, false);
    const values = { reason: formText(ctx.request.body, 'reason') };
    const f = newFailure('cancel', doc.id, values);
    checkReason(ctx, f, `cancel-reason-${doc.id}`, values.reason, true);
    if (await attempt(ctx, file.id, f, `cancel-reason-${doc.id}`, () => cancelDocument(ports, actor, { documentId: doc.id, reason: values.reason }))) {
      done(ctx, file.id, 'cancelled', `#doc-${doc.id}`);
    }
  });

  router.post('/files/:id/close', forms, async (ctx: Ctx) => {
    const actor = role(ctx, SETTLERS);
    const file = await fileFor(ctx, actor, parse(z.uuid(), ctx.params.id, 'NOT_FOUND'), true);
    const values = { reason: formText(ctx.request.body, 'reason') };
    const f = newFailure('close', undefined, values);
    checkReason(ctx, f, 'close-reason', values.reason, false);
    const incomplete = async (err: DomainError) => {
      if (err.code !== 'FILE_INCOMPLETE') return false;
      await explainIncomplete(deps.db, f, file.id, (err as DomainError & { problems: CloseFileProblems }).problems, ctx.state.t);
      return true;
    };
    if (await attempt(ctx, file.id, f, 'close-reason', () => closeFile(ports, actor, { fileId: file.id, reason: values.reason || null }), incomplete)) done(ctx, file.id, 'closed');
  });

  router.post('/files/:id/reopen', forms, async (ctx: Ctx) => {
    const actor = role(ctx, REOPENERS);
    const file = await fileFor(ctx, actor, parse(z.uuid(), ctx.params.id, 'NOT_FOUND'), true);
    const values = { reason: formText(ctx.request.body, 'reason') };
    const f = newFailure('reopen', undefined, values);
    checkReason(ctx, f, 'reopen-reason', values.reason, true);
    if (await attempt(ctx, file.id, f, 'reopen-reason', () => reopenFile(ports, actor, { fileId: file.id, reason: values.reason }))) done(ctx, file.id, 'reopened');
  });

  /** The file for sharing: one the user sees, and whose own unit they belong to (or an administrator). */
  const sharedFileFor = async (ctx: Ctx, actor: Actor) => {
    const file = await fileFor(ctx, actor, parse(z.uuid(), ctx.params.id, 'NOT_FOUND'), false);
    if (!mayShareFile(actor, file)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not share file ${file.id}`);
    return file;
  };

  router.post('/files/:id/share', forms, async (ctx: Ctx) => {
    const actor = role(ctx, SHARERS);
    const file = await sharedFileFor(ctx, actor);
    const t = ctx.state.t;
    const values = { orgUnit: formText(ctx.request.body, 'orgUnit') };
    const f = newFailure('share', undefined, values);
    if (!values.orgUnit) fieldError(f, 'share-unit', t('records:lifecycle.errors.unitRequired'));
    else if (values.orgUnit.length > UNIT_MAX) fieldError(f, 'share-unit', t('records:errors.SHARE_UNIT_INVALID'));
    if (await attempt(ctx, file.id, f, 'share-unit', () => shareFile(ports, actor, { fileId: file.id, orgUnit: values.orgUnit }))) done(ctx, file.id, 'shared', '#share-heading');
  });

  router.post('/files/:id/unshare', forms, async (ctx: Ctx) => {
    const actor = role(ctx, SHARERS);
    const file = await sharedFileFor(ctx, actor);
    const orgUnit = formText(ctx.request.body, 'orgUnit');
    // withdrawing a share that is not there (any more) changes nothing
    if (orgUnit && orgUnit.length <= UNIT_MAX) await unshareFile(ports, actor, { fileId: file.id, orgUnit });
    done(ctx, file.id, 'unshared', '#share-heading');
  });
}

/** The closure's refusal per document: each message in the summary links to the document's row, and stands in it. */
async function explainIncomplete(db: Knex, f: LifecycleFailure, fileId: string, problems: CloseFileProblems, t: Ctx['state']['t']): Promise<void> {
  const rows: JournalRow[] = await db('journal').where({ file_id: fileId }).select('document_id', 'reference_number', 'jid');
  const idOf = (label: string) => rows.find((r) => r.reference_number === label || r.jid === label)?.document_id;
  const add = (label: string, message: string) => {
    const id = idOf(label);
    f.errors.push({ target: id ? `doc-${id}` : 'close-reason', message: `${label}: ${message}` });
    if (id) (f.documentProblems[id] ??= []).push(message);
  };
  for (const label of problems.unsettled) add(label, t('records:lifecycle.problems.unsettled'));
  for (const label of problems.withoutComponents) add(label, t('records:lifecycle.problems.withoutComponents'));
  for (const p of problems.notOutputFormat) add(p.document, t('records:lifecycle.problems.notOutputFormat', { component: p.component }));
}
