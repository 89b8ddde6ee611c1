import type { Knex } from 'knex';
import type { Variables } from '../port';
import type { LoadedDefinition } from './definition.repository';
import { FeelError, resolveList, resolveString, timerDueAt } from './feel';
import type { Command, InstanceRow } from './instance-runner';
import { localsOf, noScopes, type Scopes } from './variable-scopes';
import { insertSql, NeedsTransaction, updateSql, type Cte } from './command-writes';

/**
 * Keeps our rows in step with what bpmn-engine waits for after a command. Inserts are keyed by
 * (instance, execution id) and ignore conflicts: a recovered engine re-executes waiting tasks, and
 * that must not create a second job, task, timer or subscription.
 */
export interface TimerRequest { elementId: string; timeDuration: string | null; timeDate: string | null; timeCycle: string | null }
/** a wait of bpmn-engine, flattened out of subprocesses and multi-instance bodies */
export interface Postponed {
  id: string;
  executionId: string;
  type: string;
  signal(payload: unknown): void;
  /** ends the wait with a BPMN error (a call activity whose called instance threw it) */
  fail(code: string, message: string): void;
  /** variables only this execution sees: a multi-instance iteration's inputElement and loopCounter */
  locals: Variables;
  /** the body of a multi-instance activity (its iterations carry the work) */
  isLoopBody: boolean;
  /** execution ids around it, innermost first (its local variable scopes, see variable-scopes) */
  enclosing: string[];
}

interface ApiLike {
  id: string;
  executionId: string;
  type: string;
  content?: Record<string, unknown> & { parent?: { executionId?: string; path?: { executionId?: string }[] } };
  owner?: { execution?: { getPostponed?(): ApiLike[] } };
  signal(payload: unknown): void;
  sendApiMessage(action: string, content?: unknown): void;
}

/**
 * bpmn-engine lists only the top-level waits of a process; what waits inside a subprocess or a
 * multi-instance iteration hangs below them. Iterations get their inputElement as a local.
 */
export function collectPostponed(def: LoadedDefinition, roots: ApiLike[], scopes: Scopes = noScopes()): Postponed[] {
  const out: Postponed[] = [];
  const seen = new Set<string>();
  const iterationLocals = new Map<string, Variables>();
  const inherited = (api: ApiLike): Variables => {
    const parent = api.content?.parent;
    const ids = [parent?.executionId, ...(parent?.path ?? []).map((p) => p.executionId)];
    for (const id of ids) if (id && iterationLocals.has(id)) return iterationLocals.get(id)!;
    return {};
  };
  // the executions a wait sits in are the ones we came through: subprocesses, bodies, iterations
  const visit = (api: ApiLike, outer: string[]) => {
    if (typeof api.executionId !== 'string' || seen.has(api.executionId)) return;
    seen.add(api.executionId);
    const model = def.parsed.elements.get(api.id);
    const content = api.content ?? {};
    let locals = inherited(api);
    const mi = model?.multiInstance;
    // an iteration's parent is its own multi-instance body; the body's parent is the process or a subprocess
    const isLoopBody = !!mi && (content.parent as { id?: string } | undefined)?.id !== api.id;
    if (mi && content.isMultiInstance === true && !isLoopBody) {
      locals = { ...locals, loopCounter: Number(content.index) + 1 };
      if (mi.inputElement) locals[mi.inputElement] = content[mi.inputElement] ?? null;
      iterationLocals.set(api.executionId, locals);
    }
    const direct = (content.parent as { executionId?: string } | undefined)?.executionId;
    const around = direct && direct !== api.executionId && direct !== outer[0] ? [direct, ...outer] : outer;
    const scoped = localsOf(scopes, [api.executionId, ...around]);
    if (Object.keys(scoped).length) locals = { ...locals, ...scoped };
    out.push({
      id: api.id, executionId: api.executionId, type: api.type, signal: (payload) => api.signal(payload), locals, enclosing: around,
      fail: (code, message) => api.sendApiMessage('error', { message, code, name: 'BpmnError' }),
      isLoopBody,
    });
    // only subprocesses and multi-instance bodies hold waits of their own (an event's definitions
    // are part of the event's wait)
    if (model?.type === 'bpmn:SubProcess' || mi) for (const child of api.owner?.execution?.getPostponed?.() ?? []) visit(child, [api.executionId, ...around]);
  };
  for (const root of roots) visit(root, []);
  return out;
}
type Row = Record<string, unknown>;
/** wait rows made during a command, written together with the instance's new state */
export interface PendingRows { jobs: Row[]; tasks: Row[]; subs: Row[]; timers: Row[]; resolveIncidentsOf?: string }

const ON_CONFLICT = 'on conflict ("instance_key", "execution_id") do nothing';

/**
 * Adds to `parts` the CTEs that write the pending rows. A wait that opened and closed again within
 * the same command leaves its job or user task as CANCELED (as if written and closed at once) and
 * no timer or subscription. A recovered engine re-executes waiting tasks, so a row already there
 * wins (on conflict do nothing).
 */
export function pendingRowWrites(pending: PendingRows, waiting: Set<string>, now: Date): Cte[] {
  const open = (r: Row) => waiting.has(r.execution_id as string);
  const out: Cte[] = [];
  const jobs = pending.jobs.map((r) => (open(r) ? r : { ...r, state: 'CANCELED' }));
  const tasks = pending.tasks.map((r) => (open(r) ? r : { ...r, state: 'CANCELED', completion_date: now }));
  const subs = pending.subs.filter(open);
  const timers = pending.timers.filter(open);
  if (jobs.length) out.push({ name: 'new_jobs', ...insertSql('engine_jobs', jobs, `${ON_CONFLICT} returning "key", "execution_id", "type", "state"`) });
  if (tasks.length) out.push({ name: 'new_tasks', ...insertSql('engine_user_tasks', tasks, ON_CONFLICT) });
  if (subs.length) out.push({ name: 'new_subs', ...insertSql('engine_message_subscriptions', subs, ON_CONFLICT) });
  if (timers.length) out.push({ name: 'new_timers', ...insertSql('engine_timers', timers, ON_CONFLICT) });
  if (pending.resolveIncidentsOf) {
    out.push({ name: 'resolved', ...updateSql('engine_incidents', { state: 'RESOLVED', resolved_at: now }, { instance_key: pending.resolveIncidentsOf, state: 'ACTIVE' }) });
  }
  return out;
}

export interface BufferedMatch { executionId: string; elementId: string; ref: string; name: string; messageKey: string; variables: Variables }

const OPEN_JOB_STATES = ['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'ERROR_THROWN'];

export async function reconcileWaits(
  trx: Knex.Transaction | Knex,
  ctx: {
    def: LoadedDefinition; instance: InstanceRow; vars: Variables; now: Date; timerRequests: Map<string, TimerRequest>; postponed: Postponed[];
    /** executionId → elementId of the waits our rows were last reconciled with in this node (a live engine); null: unknown, compare with the rows */
    previous?: Map<string, string> | null;
    command?: Command;
    /** the new rows are added here; the caller writes them with the instance's new state */
    pending: PendingRows;
    /**
     * no transaction (a command committed as one statement): the closing writes are added here as
     * CTEs instead of run, and what needs a read (a buffered message) throws NeedsTransaction
     */
    deferWrites?: Cte[];
  },
): Promise<BufferedMatch | null> {
  const { def, vars, now } = ctx;
  const instanceKey = String(ctx.instance.key);
  // gateways waiting for a join have no execution id of their own; nothing of ours hangs on them
  const postponed = ctx.postponed;
  const waiting = postponed.map((p) => p.executionId);
  const previous = ctx.previous ?? null;

  if (previous) {
    // a live engine knows what waited before this command: close only what stopped waiting, on
    // the tables its elements have rows in
    const now_ = new Set(waiting);
    // the command's own wait was closed by its caller (job completed, timer row deleted)
    const own = ctx.command && (ctx.command.kind === 'complete-job' || ctx.command.kind === 'throw-error' || ctx.command.kind === 'fire-timer') ? ctx.command.executionId : null;
    const closed = { jobs: [] as string[], tasks: [] as string[], timers: [] as string[], subs: [] as string[] };
    for (const [executionId, elementId] of previous) {
      if (now_.has(executionId) || executionId === own) continue;
      const model = def.parsed.elements.get(elementId);
      if (!model) continue;
      if (model.job && model.type !== 'bpmn:UserTask') closed.jobs.push(executionId);
      if (model.userTask) closed.tasks.push(executionId);
      if (model.timer) closed.timers.push(executionId);
      if (model.message) closed.subs.push(executionId);
    }
    const closing: { name: string; query: Knex.QueryBuilder }[] = [];
    if (closed.jobs.length) closing.push({ name: `closed_jobs_${ctx.deferWrites?.length ?? 0}`, query: trx('engine_jobs').where({ instance_key: instanceKey }).whereIn('execution_id', closed.jobs).whereIn('state', OPEN_JOB_STATES).update({ state: 'CANCELED' }) });
    if (closed.tasks.length) closing.push({ name: `closed_tasks_${ctx.deferWrites?.length ?? 0}`, query: trx('engine_user_tasks').where({ instance_key: instanceKey, state: 'CREATED' }).whereIn('execution_id', closed.tasks).update({ state: 'CANCELED', completion_date: now }) });
    if (closed.timers.length) closing.push({ name: `closed_timers_${ctx.deferWrites?.length ?? 0}`, query: trx('engine_timers').where({ instance_key: instanceKey }).whereIn('execution_id', closed.timers).delete() });
    if (closed.subs.length) closing.push({ name: `closed_subs_${ctx.deferWrites?.length ?? 0}`, query: trx('engine_message_subscriptions').where({ instance_key: instanceKey }).whereIn('execution_id', closed.subs).delete() });
    if (ctx.deferWrites) ctx.deferWrites.push(...closing);
    else for (const c of closing) await c.query;
  } else {
    if (ctx.deferWrites) throw new NeedsTransaction('waits compared with their rows');
    // closed: whatever bpmn-engine no longer waits for (completed, interrupted by a boundary, process ended)
    await trx('engine_jobs').where({ instance_key: instanceKey }).whereIn('state', OPEN_JOB_STATES).whereNotIn('execution_id', waiting).update({ state: 'CANCELED' });
    await trx('engine_user_tasks').where({ instance_key: instanceKey, state: 'CREATED' }).whereNotIn('execution_id', waiting).update({ state: 'CANCELED', completion_date: now });
    await trx('engine_timers').where({ instance_key: instanceKey }).whereNotIn('execution_id', waiting).delete();
    await trx('engine_message_subscriptions').where({ instance_key: instanceKey }).whereNotIn('execution_id', waiting).delete();
  }
  if (!postponed.length) {
    // nothing waits any more: what was stuck is over
    ctx.pending.resolveIncidentsOf = instanceKey;
    return null;
  }

  // what already has its row: with a live engine, every wait that was there before; otherwise ask the tables
  let has: (table: 'jobs' | 'tasks' | 'subs' | 'timers', executionId: string) => boolean;
  if (previous) {
    has = (table, executionId) => table !== 'timers' && previous.has(executionId);
  } else {
    const known = async (table: string) =>
      new Set((await trx(table).where({ instance_key: instanceKey }).whereIn('execution_id', waiting).select('execution_id')).map((r: { execution_id: string }) => r.execution_id));
    // sequential on purpose: PGlite has one connection, and the transaction owns it
    const sets = {
      jobs: await known('engine_jobs'),
      tasks: await known('engine_user_tasks'),
      subs: await known('engine_message_subscriptions'),
      timers: await known('engine_timers'),
    };
    has = (table, executionId) => sets[table].has(executionId);
  }

  const { jobs: jobRows, tasks: taskRows, subs: subRows, timers: timerRows } = ctx.pending;
  const newSubs: { executionId: string; elementId: string; ref: string; name: string; correlationKey: string }[] = [];
  for (const p of postponed) {
    const model = def.parsed.elements.get(p.id);
    if (!model || p.isLoopBody) continue;
    const scope = Object.keys(p.locals).length ? { ...vars, ...p.locals } : vars;
    const localVariables = Object.keys(p.locals).length ? JSON.stringify(p.locals) : null;
    try {
      if (model.job && model.type !== 'bpmn:UserTask' && !has('jobs', p.executionId)) {
        // Zeebe evaluates a FEEL type and retries when the job is created
        const type = resolveString(model.job.type, scope);
        if (!type) throw new FeelError(model.job.type, `job type of "${p.id}" evaluated to nothing: ${model.job.type}`);
        const retries = Number(resolveString(model.job.retries, scope) ?? 3);
        if (!Number.isInteger(retries) || retries < 0) throw new FeelError(model.job.retries, `job retries of "${p.id}" are not a whole number: ${model.job.retries}`);
        jobRows.push({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, type, retries,
          state: 'ACTIVATABLE', custom_headers: JSON.stringify(model.job.headers), local_variables: localVariables,
        });
      }
      if (model.userTask && !has('tasks', p.executionId)) {
        const u = model.userTask;
        const priority = Number(resolveString(u.priority, scope) ?? 50);
        taskRows.push({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, name: model.name, state: 'CREATED',
          assignee: resolveString(u.assignee, scope),
          candidate_groups: JSON.stringify(resolveList(u.candidateGroups, scope)),
          candidate_users: JSON.stringify(resolveList(u.candidateUsers, scope)),
          form_id: u.formId, due_date: resolveString(u.dueDate, scope), follow_up_date: resolveString(u.followUpDate, scope),
          priority: Number.isFinite(priority) ? priority : 50, creation_date: now, local_variables: localVariables,
        });
      }
      if (model.message && !has('subs', p.executionId)) {
        const correlationKey = resolveString(model.message.correlationKey, scope) ?? '';
        subRows.push({
          instance_key: instanceKey, element_id: p.id, execution_id: p.executionId, message_ref: model.message.ref,
          message_name: model.message.name, correlation_key: correlationKey,
        });
        newSubs.push({ executionId: p.executionId, elementId: p.id, ref: model.message.ref, name: model.message.name, correlationKey });
      }
      const timer = ctx.timerRequests.get(p.executionId);
      if (timer && !has('timers', p.executionId)) {
        timerRows.push({ instance_key: instanceKey, element_id: timer.elementId, execution_id: p.executionId, due_at: timerDueAt(now, timer) });
      }
    } catch (err) {
      if (err instanceof FeelError) err.elementId ??= p.id;
      throw err;
    }
  }
  // a message published before the instance reached its catch event waits in the buffer
  if (newSubs.length && ctx.deferWrites) throw new NeedsTransaction('buffered messages');
  for (const sub of newSubs) {
    const message = await trx('engine_messages')
      .where({ name: sub.name, correlation_key: sub.correlationKey })
      .whereNull('correlated_at').where('expires_at', '>', now)
      .orderBy('key').forUpdate().skipLocked().first();
    if (!message) continue;
    await trx('engine_messages').where({ key: message.key }).update({ correlated_at: now });
    const variables = typeof message.variables === 'string' ? JSON.parse(message.variables) : message.variables;
    return { executionId: sub.executionId, elementId: sub.elementId, ref: sub.ref, name: sub.name, messageKey: String(message.key), variables: variables ?? {} };
  }
  return null;
}
