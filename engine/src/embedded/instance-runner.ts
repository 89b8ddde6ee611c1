import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Knex } from 'knex';
import type { ActivatedJob, Incident, JobStream, Variables } from '../port';
import { evaluateFeel, FeelError, timerDueAt } from './feel';
import type { DefinitionRepository, LoadedDefinition } from './definition.repository';
import { completeChildInParent, startPendingChildren } from './call-activities';
import { terminateOrphanChildren } from './instance-termination';
import { catchesWithin, throwToCaller, type ThrownError } from './error-propagation';
import { startBufferedAfterEnd } from './start-events';
import { around, isEmpty, noScopes, propagate, pruneScopes, viewOf, type ScopeEnvironment, type Scopes } from './variable-scopes';
import { attachScopes, legacyIterationLocals } from './scope-hooks';
import { collectPostponed, pendingRowWrites, reconcileWaits, type PendingRows, type Postponed, type TimerRequest } from './wait-states';
import { afterCommit, type CachedEngine, type LiveEngineCache, type NodeRuntime } from './node-runtime';
import { insertSql, NeedsTransaction, updateSql, writeAll, type Cte, type Sql, type Written } from './command-writes';
import { definitionOptions } from './compiled-context';

/**
 * Runs one command on one process instance: a bpmn-engine object in the stored state applies the
 * command, and its new state plus every side-effect row are written in the caller's transaction
 * (which holds the instance row lock). The object is this node's live one when the stored state
 * is exactly what it last saved; otherwise a fresh one recovers the stored state. It is kept for
 * the next command (see NodeRuntime) unless the instance ended or the command failed.
 */
export type Command =
  /** startEventId: the message or timer start event that fired (none start event when absent) */
  | { kind: 'start'; startEventId?: string }
  /** variables: the job's result, set as its output mappings say (or propagated when it has none) */
  | { kind: 'complete-job'; executionId: string; variables?: Variables }
  | { kind: 'throw-error'; executionId: string; errorCode: string; errorMessage: string }
  | { kind: 'fire-timer'; executionId: string }
  /** variables: a user task's or a message's, set like a job's result */
  | { kind: 'signal'; executionId: string; payload?: Record<string, unknown>; variables?: Variables };

export interface InstanceRow {
  key: string | number;
  definition_key: string | number;
  bpmn_process_id: string;
  version: number;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  variables: Variables | string;
  engine_state: string | null;
  /** new on every write of the row (a sequence): equal means the row is still that write */
  revision?: string | number;
  start_date: Date | string;
  end_date: Date | string | null;
  parent_instance_key?: string | number | null;
  parent_execution_id?: string | null;
  parent_element_id?: string | null;
  /** the correlation key of the message that started the instance */
  start_correlation_key?: string | null;
}

export interface RunOptions {
  def: LoadedDefinition;
  defs: DefinitionRepository;
  instance: InstanceRow;
  /** the instance's variables, mutated by the run and persisted with it */
  vars: Variables;
  command: Command;
  now: Date;
  /** set when the parent's own run starts this child: the parent takes the result itself */
  startedByParent?: boolean;
  /** this node's live engines and job wake-ups; without it every command recovers from the stored state */
  node?: NodeRuntime;
  /**
   * Commit as one statement of its own, with no transaction (see single-statement.ts): the
   * command's writes plus the caller's guard. A command that would have to read first throws
   * NeedsTransaction before anything is written.
   */
  single?: SingleStatement;
}

export interface SingleStatement {
  /** the CTE `saved` that writes the instance row and returns its revision */
  saved(stored: Record<string, unknown>): Sql;
  /** further CTEs that come right after `saved` (they may refer to it) */
  ctes: Cte[];
  /** an SQL condition over those CTEs: unless it holds the statement aborts (CHECK_FAILED) and writes nothing */
  check: { sql: string; bindings: unknown[] };
}

/** The run broke inside the model (a FEEL condition, no outgoing flow, ...): becomes an incident. */
export class RunFailure extends Error {
  /** the instance the failure belongs to, when not the one the command ran on (a parent of a called child) */
  instanceKey: string | null = null;
  constructor(message: string, readonly elementId: string | null, options?: { cause?: unknown; errorType?: Incident['errorType'] }) {
    super(message, options);
    this.name = 'RunFailure';
    this.errorType = options?.errorType ?? null;
  }
  readonly errorType: Incident['errorType'] | null;
}

export function parseVariables(raw: Variables | string | null | undefined): Variables {
  if (!raw) return {};
  return typeof raw === 'string' ? (JSON.parse(raw) as Variables) : { ...raw };
}

// bpmn-engine's own debug logger is noisy and untyped; the adapter logs what matters itself
const silent = { debug() {}, error() {}, warn() {} };
const silentLogger = () => silent;

type EventRow = { element_id: string | null; element_type: string | null; event: string; details?: string | null };
type ExecContent = { executionId: string; index?: number; isMultiInstance?: boolean; loopCardinality?: number; [k: string]: unknown };

/** What one command run collects; the live engine's callbacks write into the current one. */
interface CommandRun {
  vars: Variables;
  timerRequests: Map<string, TimerRequest>;
  events: EventRow[];
  failure: unknown;
  failedElement: string | null;
  /** executions that ran to their end in this command (history records only those as left) */
  finished: Set<string>;
  /** a BPMN error that no catch event of this instance catches (it may travel to the caller) */
  thrown: (ThrownError & { elementId: string }) | null;
  /** the engine's time of this command */
  now: Date;
}

type TimerDefinition = { type: string; _getTimers(msg: { content: Record<string, unknown> }): ResolvedTimer };
type ResolvedTimer = { expireAt?: Date; timeout?: number; timerType?: 'timeDuration' | 'timeDate' | 'timeCycle'; [k: string]: unknown };

/**
 * bpmn-engine decides with the wall clock whether a timer is due when the timer starts or resumes:
 * a timeDate it finds past completes at once, without the timer row the engine's clock would
 * fire. Here the engine's clock decides that too (the same due time as the stored row), so a
 * timeDate that is still ahead on the engine's clock waits, whatever the wall clock says.
 */
function onEngineClock(ed: TimerDefinition, now: () => Date): void {
  const resolve = ed._getTimers;
  ed._getTimers = function (msg) {
    const timers = resolve.call(this, msg);
    if (!(timers.expireAt instanceof Date)) return timers;
    const at = now();
    // a resumed timer keeps the expiry it was given when it started
    if (!('expireAt' in msg.content) && timers.timerType) timers.expireAt = timerDueAt(at, { [timers.timerType]: String(timers[timers.timerType]) });
    timers.timeout = timers.expireAt.getTime() - at.getTime();
    return timers;
  };
}

type TimerOwner = { id: string; executionId: string; parent?: { executionId?: string }; timerType?: string; [k: string]: unknown };
type Execution = { getPostponed(): Parameters<typeof collectPostponed>[1] };

/**
 * One bpmn-engine object with the callbacks the adapter gives it. A job-backed task or a timer
 * leaves its callback here when it starts waiting; a later command (on this object while it stays
 * live in the node's cache, or on a freshly recovered one, whose resume re-registers every wait)
 * calls it.
 */
export class LiveInstance implements CachedEngine {
  readonly engine: Engine;
  readonly listener = new EventEmitter();
  execution: Execution | null = null;
  ended = false;
  stateJson = '';
  /** the row as this object's last command wrote it (revision included); null until that write returned */
  row: InstanceRow | null = null;
  /** executionId → elementId of what our rows were last reconciled with; null until the first reconcile */
  reconciled: Map<string, string> | null = null;
  readonly jobCallbacks = new Map<string, (err: Error | null) => void>();
  readonly timerCallbacks = new Map<string, { elementId: string; fire: () => void }>();
  run: CommandRun = LiveInstance.newRun({});
  /** the local variable scopes (variable-scopes.ts), stored with the engine state */
  scopes: Scopes = noScopes();

  static newRun(vars: Variables, now = new Date()): CommandRun {
    return { vars, timerRequests: new Map(), events: [], failure: null, failedElement: null, finished: new Set(), thrown: null, now };
  }

  constructor(readonly def: LoadedDefinition, instanceKey: string) {
    // the callbacks below outlive this command: they reach the current run through these
    const currentRun = () => this.run;
    const { jobCallbacks, timerCallbacks } = this;
    const elements = def.parsed.elements;
    const typeOf = (id: string, fallback: string) => elements.get(id)?.type ?? fallback;
    // a job-backed element waits until its job is completed (or throws a BPMN error)
    const waitForJob = (executionId: string, callback: (err: Error | null) => void): void => {
      jobCallbacks.set(executionId, callback);
    };
    class JobService {
      execute(msg: { content: { executionId: string } }, callback: (err: Error | null) => void): void {
        waitForJob(msg.content.executionId, callback);
      }
    }
    const scopes = () => this.scopes;
    // what an element sees: the root, the scopes around it and its own
    const chainAt = (content: ExecContent, env: ScopeEnvironment) => [content.executionId, ...around(this.scopes, content, env)];
    const viewAt = (elementId: string, content: ExecContent | undefined, env: ScopeEnvironment): Variables => {
      const vars = currentRun().vars;
      if (!content?.executionId) return vars;
      const view = viewOf(vars, this.scopes, chainAt(content, env));
      const mi = elements.get(elementId)?.multiInstance;
      const legacy = mi && content.isMultiInstance && !content.isRootScope && !this.scopes.locals[content.executionId];
      return legacy ? { ...view, ...legacyIterationLocals(mi, content) } : view;
    };
    const scripts = {
      register() {},
      getScript(_format: unknown, activity: { id: string }) {
        const model = elements.get(activity.id);
        if (model?.job) return { execute: (scope: { content: ExecContent }, cb: (err: Error | null) => void) => waitForJob(scope.content.executionId, cb) };
        const script = model?.script;
        if (!script) return undefined;
        return {
          execute(scope: { content: ExecContent; environment: ScopeEnvironment }, cb: (err: Error | null, output?: unknown) => void) {
            try {
              const c = scope.content;
              const value = evaluateFeel(script.expression.replace(/^=/, ''), viewAt(activity.id, c, scope.environment));
              if (script.resultVariable) propagate(currentRun().vars, scopes(), chainAt(c, scope.environment), { [script.resultVariable]: value });
              cb(null, value);
            } catch (err) {
              if (err instanceof FeelError) err.elementId = activity.id;
              cb(err as Error);
            }
          },
        };
      },
    };
    const timers = {
      executing: [] as unknown[],
      setTimeout: () => ({}),
      clearTimeout: () => undefined,
      register(owner: TimerOwner) {
        // a start timer's cycle is kept by our start-event rows: inside an instance it fires once
        if (elements.get(owner.id)?.start) owner.repeat = undefined;
        return {
          setTimeout(callback: (...a: unknown[]) => void, _delay: number, ...args: unknown[]) {
            const executionId = owner.parent?.executionId ?? owner.executionId;
            timerCallbacks.set(executionId, { elementId: owner.id, fire: () => callback(...args) });
            const type = owner.timerType;
            currentRun().timerRequests.set(executionId, {
              elementId: owner.id,
              timeDuration: type === 'timeDuration' ? String(owner.timeDuration) : null,
              timeDate: type === 'timeDate' ? String(owner.timeDate) : null,
              timeCycle: type === 'timeCycle' ? String(owner.timeCycle) : null,
            });
            return {};
          },
          clearTimeout: () => undefined,
        };
      },
    };

    this.engine = new Engine({
      name: `instance-${instanceKey}`,
      ...definitionOptions(def.parsed.moddleContext),
      Logger: silentLogger,
      timers,
      scripts,
      expressions: {
        // Zeebe convention: `=` starts a FEEL expression, anything else is a literal
        resolveExpression(expression: unknown, from?: { content?: ExecContent & { id?: string }; environment?: ScopeEnvironment }) {
          if (typeof expression === 'string' && expression.startsWith('=')) {
            const content = from?.content;
            return evaluateFeel(expression.slice(1), viewAt(content?.id ?? '', content, from?.environment));
          }
          return expression;
        },
      },
      extensions: {
        zeebe(activity: { id: string; type: string; behaviour: Record<string, unknown>; broker: { subscribeTmp: (...a: unknown[]) => void } }) {
          const model = elements.get(activity.id);
          if (model?.job && activity.type !== 'bpmn:UserTask') activity.behaviour.Service = JobService;
          if (model) attachScopes(activity as unknown as Parameters<typeof attachScopes>[0], model, { vars: () => currentRun().vars, scopes });
          for (const ed of (activity as unknown as { eventDefinitions?: TimerDefinition[] }).eventDefinitions ?? []) {
            if (ed.type === 'bpmn:TimerEventDefinition') onEngineClock(ed, () => currentRun().now);
          }
        },
      },
    } as unknown as ConstructorParameters<typeof Engine>[0]);

    this.engine.broker.subscribeTmp('event', 'engine.error', (_routingKey, msg) => { currentRun().failure = msg.content; }, { noAck: true });
    this.engine.once('end', () => { this.ended = true; });
    const listener = this.listener;
    listener.on('activity.enter', (api: { id: string; type: string }) => {
      const run = currentRun();
      run.events.push({ element_id: api.id, element_type: typeOf(api.id, api.type), event: 'ELEMENT_ENTERED' });
      const thrown = elements.get(api.id)?.errorThrow;
      // bpmn-engine just ends the process on an error nobody catches; Zeebe raises an incident there
      if (thrown && !thrown.caught && !run.failure) LiveInstance.uncaught(run, { code: thrown.code, message: `BPMN error "${thrown.code}"`, elementId: api.id });
    });
    // bpmn-engine also "leaves" elements on a path not taken, boundary events whose task ended first
    // and interrupted tasks; history records as left only what ran to its end
    listener.on('activity.end', (api: { executionId: string }) => currentRun().finished.add(api.executionId));
    listener.on('activity.leave', (api: { id: string; type: string; executionId: string }) => {
      if (currentRun().finished.has(api.executionId)) currentRun().events.push({ element_id: api.id, element_type: typeOf(api.id, api.type), event: 'ELEMENT_LEFT' });
    });
    listener.on('activity.error', (api: { id: string }) => { currentRun().failedElement ??= api.id; });
  }

  /** stops the run at a BPMN error nobody in this instance catches */
  static uncaught(run: CommandRun, thrown: ThrownError & { elementId: string }): void {
    run.thrown = thrown;
    run.failedElement = thrown.elementId;
    run.failure = Object.assign(new Error(`BPMN error "${thrown.code}" thrown by "${thrown.elementId}" is not caught`), { name: 'BpmnError' });
  }

  /** what bpmn-engine waits for now, flattened */
  waits(): Postponed[] {
    return this.ended || !this.execution ? [] : collectPostponed(this.def, this.execution.getPostponed(), this.scopes);
  }

  /**
   * A job's, user task's, message's or called instance's variables arrive at the element waiting
   * at this execution: through its output mappings into the scopes around it, or without output
   * mappings propagated from the element itself (a name its input mappings made local stays
   * local to it, and ends with it), as in Zeebe.
   */
  setResult(executionId: string, variables: Variables): void {
    const vars = this.run.vars;
    // no local scopes (the common case): the element is known from the last reconcile, no need to walk the waits
    let known = isEmpty(this.scopes) ? this.reconciled?.get(executionId) : undefined;
    if (known && this.def.parsed.elements.get(known)?.multiInstance) known = undefined;
    const wait = known ? { id: known, enclosing: [] as string[], locals: {} } : this.waits().find((p) => p.executionId === executionId);
    const model = wait && this.def.parsed.elements.get(wait.id);
    if (!wait || !model) return mergeResult(vars, [], variables);
    if (model.outputs.length) {
      const scope = { ...viewOf(vars, this.scopes, [executionId, ...wait.enclosing]), ...wait.locals, ...variables };
      const out: Variables = {};
      for (const o of model.outputs) out[o.target] = evaluateFeel(o.source.replace(/^=/, ''), scope);
      return propagate(vars, this.scopes, wait.enclosing, out);
    }
    const local = new Set(model.inputs.map((i) => i.target));
    propagate(vars, this.scopes, [executionId, ...wait.enclosing], Object.fromEntries(Object.entries(variables).filter(([name]) => !local.has(name))));
  }

  /** fires the timer waiting at this execution (the one that fires now is no timer to store) */
  fireTimer(executionId: string | undefined): void {
    if (!executionId) return;
    const timer = this.timerCallbacks.get(executionId);
    if (!timer) return;
    this.timerCallbacks.delete(executionId);
    // a cycle re-arms under the same execution id while it fires: that registration is stored again
    this.run.timerRequests.delete(executionId);
    timer.fire();
  }

  /** forgets callbacks of executions that no longer wait */
  prune(waiting: Postponed[]): void {
    const ids = new Set(waiting.map((p) => p.executionId));
    for (const id of this.jobCallbacks.keys()) if (!ids.has(id)) this.jobCallbacks.delete(id);
    for (const id of this.timerCallbacks.keys()) if (!ids.has(id)) this.timerCallbacks.delete(id);
  }
}

/**
 * completed: the instance ended in this run; row: the instance row as the run left it; thrown: (only
 * when started by its parent) a BPMN error the instance does not catch, for the parent to handle
 */
export async function runCommand(trx: Knex.Transaction | Knex, opts: RunOptions): Promise<{ completed: boolean; row: InstanceRow; thrown?: ThrownError }> {
  const { def, instance, vars, command, now, single } = opts;
  const key = String(instance.key);
  // called children and their callers, and instances started by a correlated message, read in
  // between (so trx is a transaction wherever they are)
  if (single && (hasCallActivities(def) || instance.parent_instance_key || instance.start_correlation_key)) throw new NeedsTransaction('call activities or message start');
  // in a transaction: the outermost one, whose commit makes the writes visible; none: committed when written
  const committing = single ? null : (trx as Knex.Transaction);
  const before = JSON.stringify(parseVariables(instance.engine_state === null && command.kind === 'start' ? {} : instance.variables));
  const cache = opts.node?.live as LiveEngineCache<LiveInstance> | undefined;
  const cached = command.kind !== 'start' && instance.engine_state ? cache?.take(key, instance.engine_state) ?? null : null;
  const live = cached && cached.def === def ? cached : new LiveInstance(def, key);
  const run = (live.run = LiveInstance.newRun(vars, now));
  const typeOf = (id: string, fallback: string) => def.parsed.elements.get(id)?.type ?? fallback;

  const fail = (err: unknown): never => {
    if (err instanceof RunFailure) throw err;
    const elementId = run.failedElement ?? (err instanceof FeelError ? err.elementId : null);
    throw new RunFailure((err as Error)?.message ?? String(err), elementId, { cause: err });
  };
  // only what happens inside bpmn-engine (or a FEEL evaluation) is a model failure; database errors propagate as they are
  const inEngine = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return fail(err);
    }
  };

  if (!live.execution) {
    try {
      if (command.kind === 'start' || !instance.engine_state) {
        live.execution = (await live.engine.execute({ listener: live.listener })) as unknown as Execution;
        // a new instance has no rows yet
        live.reconciled = new Map();
      } else {
        const saved = JSON.parse(instance.engine_state) as { scopes?: Scopes };
        live.scopes = saved.scopes ?? noScopes();
        live.engine.recover(saved);
        live.execution = (await live.engine.resume({ listener: live.listener })) as unknown as Execution;
      }
    } catch (err) {
      fail(err);
    }
  }
  // the outcome is applied once the whole state is there: a multi-instance body must be listening
  // again before one of its iterations completes
  inEngine(() => {
    if ((command.kind === 'complete-job' || command.kind === 'signal') && command.variables) live.setResult(command.executionId, command.variables);
    if (command.kind === 'complete-job' || command.kind === 'throw-error') {
      const callback = live.jobCallbacks.get(command.executionId);
      live.jobCallbacks.delete(command.executionId);
      if (callback) callback(command.kind === 'complete-job' ? null : Object.assign(new Error(command.errorMessage), { code: command.errorCode }));
      // an error from a called instance is thrown at the call activity
      else if (command.kind === 'throw-error') live.waits().find((p) => p.executionId === command.executionId)?.fail(command.errorCode, command.errorMessage);
    }
    if (command.kind === 'fire-timer') live.fireTimer(command.executionId);
    const start = command.kind === 'start' && command.startEventId ? def.parsed.elements.get(command.startEventId)?.start : undefined;
    if (command.kind === 'start' && start?.kind === 'TIMER') {
      live.fireTimer([...live.timerCallbacks].find(([, t]) => t.elementId === command.startEventId)?.[0]);
    }
    if (command.kind === 'start' && start?.kind === 'MESSAGE') {
      live.waits().find((p) => p.id === command.startEventId)?.signal({});
    }
    if (command.kind === 'signal') {
      const target = live.waits().find((p) => p.executionId === command.executionId);
      if (!target) throw new RunFailure(`nothing waits at execution ${command.executionId}`, null);
      target.signal(command.payload ?? {});
    }
  });
  const pending: PendingRows = { jobs: [], tasks: [], subs: [], timers: [] };
  // one statement: the rows of waits that closed are updated in it too
  const closures: Cte[] | undefined = single ? [] : undefined;
  const reconcile = async (postponed: Postponed[]) => {
    const match = await reconcileWaits(trx, { def, instance, vars, now, timerRequests: run.timerRequests, postponed, previous: live.reconciled, command, pending, deferWrites: closures })
      .catch((err) => (err instanceof FeelError ? fail(err) : Promise.reject(err)));
    live.reconciled = new Map(postponed.map((p) => [p.executionId, p.id]));
    return match;
  };
  // a buffered message may complete a wait that just opened, and a called child may end at once:
  // either may open the next wait
  // the waits of the last round, when nothing ran in the engine since they were listed
  let unchanged: Postponed[] | null = null;
  for (let round = 0; round < 50 && !run.failure && !live.ended; round++) {
    const postponed = live.waits();
    const match = await reconcile(postponed);
    if (match) {
      inEngine(() => live.setResult(match.executionId, match.variables));
      inEngine(() => postponed.find((p) => p.executionId === match.executionId)?.signal({ id: match.ref }));
      run.events.push({ element_id: match.elementId, element_type: typeOf(match.elementId, ''), event: 'MESSAGE_CORRELATED', details: JSON.stringify({ messageKey: match.messageKey, name: match.name }) });
      continue;
    }
    const done = await startPendingChildren(trx as Knex.Transaction, { ...opts, postponed }).catch((err) => (err instanceof FeelError ? fail(err) : Promise.reject(err)));
    if (!done) {
      unchanged = postponed;
      break;
    }
    const call = postponed.find((p) => p.executionId === done.executionId);
    if (!done.thrown) inEngine(() => {
      if (done.result) live.setResult(done.executionId, done.result);
      call?.signal({});
    });
    else if (catchesWithin(def, call?.id, done.thrown.code)) inEngine(() => call?.fail(done.thrown!.code, done.thrown!.message));
    else LiveInstance.uncaught(run, { ...done.thrown, elementId: call?.id ?? '' });
  }
  if (run.thrown && (opts.startedByParent || instance.parent_instance_key)) {
    const { code, message } = run.thrown;
    // (when no caller catches it either, the incident below rolls this back)
    if (run.events.length) await (trx as Knex.Transaction)('engine_events').insert(run.events.map((e) => ({ details: null, ...e, instance_key: key, occurred_at: now })));
    // started within its parent's run: the parent takes the error itself
    if (opts.startedByParent) return { completed: false, row: instance, thrown: { code, message } };
    if (await throwToCaller(trx as Knex.Transaction, { ...opts, error: { code, message } })) {
      return { completed: false, row: { ...instance, state: 'TERMINATED', end_date: now } };
    }
  }
  if (run.failure) {
    const f = run.failure as { message?: string; source?: { content?: { id?: string } } };
    throw new RunFailure(f.message ?? String(run.failure), run.failedElement ?? f.source?.content?.id ?? null, { cause: run.failure });
  }

  const ended = live.ended;
  if (ended) await reconcile([]);
  const waiting = unchanged && !ended ? unchanged : live.waits();
  if (hasCallActivities(def)) await terminateOrphanChildren(trx as Knex.Transaction, key, waiting.map((p) => p.executionId), now);
  if (ended) live.scopes = noScopes();
  else pruneScopes(live.scopes, new Set(waiting.map((p) => p.executionId)));
  const stateJson = await storedState(live.engine, live.scopes);
  const stored = { variables: JSON.stringify(vars), engine_state: stateJson, ...(ended ? { state: 'COMPLETED' as const, end_date: now } : {}) };
  const { events } = run;
  const changed = changedVariables(JSON.parse(before) as Variables, vars);
  if (changed) events.push({ element_id: null, element_type: null, event: 'VARIABLES_CHANGED', details: JSON.stringify({ variables: changed }) });
  if (ended) events.push({ element_id: instance.bpmn_process_id, element_type: 'bpmn:Process', event: 'PROCESS_COMPLETED' });
  const waitingIds = new Set(waiting.map((p) => p.executionId));
  const pushed = opts.node ? pushToLocalWorkers(opts.node, pending, waitingIds, { def, instance, vars, now }) : [];
  // one statement: the new wait rows, the state, the history (each round trip costs more than the statement)
  const writes: Cte[] = [
    { name: 'saved', ...(single ? single.saved(stored) : updateSql('engine_process_instances', stored, { key }, 'returning "revision"')) },
    ...(single?.ctes ?? []),
    ...pendingRowWrites(pending, waitingIds, now),
    ...(closures ?? []),
    ...(events.length ? [{ name: 'history', ...insertSql('engine_events', events.map((e) => ({ details: null, ...e, instance_key: key, occurred_at: now }))) }] : []),
  ];
  let written: Written;
  try {
    written = await writeAll(trx, writes, single?.check);
  } catch (err) {
    for (const p of pushed) p.stream.release();
    throw err;
  }
  const newJobs = written.jobs;
  if (opts.node && newJobs.length) opts.node.jobsCreated(committing, newJobs.filter((j) => j.state === 'ACTIVATABLE').map((j) => j.type));
  for (const p of pushed) {
    const row = newJobs.find((j) => j.execution_id === p.job.elementInstanceKey.slice(key.length + 1));
    // a job that was already there (a recovered engine re-executes its task) stays as it is
    if (!row) {
      p.stream.release();
      continue;
    }
    const job = { ...p.job, jobKey: String(row.key) };
    opts.node!.rememberJob(job.jobKey, { instanceKey: key, executionId: row.execution_id, elementId: p.job.elementId });
    if (committing) afterCommit(committing, () => p.stream.deliver(job), () => p.stream.release());
    else p.stream.deliver(job);
  }
  if (ended && instance.parent_instance_key && !opts.startedByParent) await completeChildInParent(trx as Knex.Transaction, { ...opts, childVars: vars });
  if (ended && instance.start_correlation_key) await startBufferedAfterEnd(trx as Knex.Transaction, opts);
  const row = { ...instance, ...stored, revision: written.revision ?? undefined };
  if (!ended && cache) {
    // kept for the next command on this instance, valid only while the stored state is this one
    live.prune(waiting);
    live.stateJson = stateJson;
    live.row = row;
    live.run = LiveInstance.newRun({});
    cache.put(key, live);
  }
  return { completed: ended, row: { ...row, variables: { ...vars } } };
}

/**
 * Job push: a new job whose type a local worker streams, with room, is made already activated for
 * that worker and handed over after the commit. Its variables are the ones this command leaves.
 */
function pushToLocalWorkers(
  node: NodeRuntime, pending: PendingRows, waiting: Set<string>,
  ctx: { def: LoadedDefinition; instance: InstanceRow; vars: Variables; now: Date },
): { stream: JobStream; job: ActivatedJob }[] {
  const out: { stream: JobStream; job: ActivatedJob }[] = [];
  const key = String(ctx.instance.key);
  for (const row of pending.jobs) {
    const executionId = row.execution_id as string;
    if (!waiting.has(executionId)) continue;
    const model = ctx.def.parsed.elements.get(row.element_id as string);
    let variables: Variables;
    try {
      variables = inputVariables(ctx.vars, model?.inputs ?? [], row.local_variables as string | null);
    } catch {
      continue; // an input mapping that fails is reported by a normal activation
    }
    const stream = node.reserveStream(row.type as string);
    if (!stream) continue;
    const deadline = new Date(ctx.now.getTime() + stream.timeout);
    Object.assign(row, { state: 'ACTIVATED', deadline, worker: stream.worker });
    out.push({
      stream,
      job: {
        jobKey: '', type: row.type as string, processInstanceKey: key, processDefinitionKey: String(ctx.instance.definition_key),
        bpmnProcessId: ctx.instance.bpmn_process_id, elementId: row.element_id as string, elementInstanceKey: `${key}:${executionId}`,
        retries: row.retries as number, deadline: deadline.toISOString(), customHeaders: { ...(model?.job?.headers ?? {}) }, variables,
      },
    });
  }
  return out;
}

type EngineInternals = {
  name: string;
  execution: { state: string; stopped: boolean; environment: { getState(): unknown }; definitions: { getState(): unknown }[] } | null;
};
let engineVersion: string | undefined;

/**
 * bpmn-engine's getState() without the definition source (re-supplied from the deployment on
 * recover, so not stored per instance). getState() serializes the whole source every time just
 * for us to drop it, so the same object is built here from the same parts, in the same order.
 */
async function storedState(engine: Engine, scopes: Scopes): Promise<string> {
  const withScopes = isEmpty(scopes) ? {} : { scopes };
  const e = engine as unknown as EngineInternals;
  if (engineVersion === undefined || !e.execution) {
    const state = (await engine.getState()) as { engineVersion?: string; definitions?: { source?: unknown }[] };
    engineVersion = state.engineVersion;
    for (const d of state.definitions ?? []) delete d.source;
    return JSON.stringify({ ...state, ...withScopes });
  }
  const x = e.execution;
  return JSON.stringify({
    name: e.name, state: x.state, stopped: x.stopped, engineVersion,
    environment: x.environment.getState(), definitions: x.definitions.map((d) => d.getState()), ...withScopes,
  });
}

const callActivityFlags = new WeakMap<LoadedDefinition, boolean>();
export function hasCallActivities(def: LoadedDefinition): boolean {
  let has = callActivityFlags.get(def);
  if (has === undefined) {
    has = [...def.parsed.elements.values()].some((m) => m.calledElement);
    callActivityFlags.set(def, has);
  }
  return has;
}

function changedVariables(before: Variables, after: Variables): Variables | null {
  const changed: Variables = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(before[name]) !== JSON.stringify(value)) changed[name] = value;
  }
  return Object.keys(changed).length ? changed : null;
}

/** Zeebe semantics: without output mappings job variables merge into the process scope. */
export function mergeResult(vars: Variables, outputs: { source: string; target: string }[], result: Variables | undefined): void {
  if (!result) return;
  if (!outputs.length) {
    Object.assign(vars, result);
    return;
  }
  const scope = { ...vars, ...result };
  for (const o of outputs) vars[o.target] = evaluateFeel(o.source.replace(/^=/, ''), scope);
}

/** Variables a job or user task sees: the instance's, its own locals, plus its input mappings. */
export function inputVariables(vars: Variables, inputs: { source: string; target: string }[], locals?: Variables | string | null): Variables {
  const out = { ...vars, ...parseVariables(locals ?? null) };
  const scope = { ...out };
  for (const i of inputs) out[i.target] = evaluateFeel(i.source.replace(/^=/, ''), scope);
  return out;
}
