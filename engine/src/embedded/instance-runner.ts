import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Knex } from 'knex';
import type { Incident, Variables } from '../port';
import { evaluateFeel, FeelError } from './feel';
import type { DefinitionRepository, LoadedDefinition } from './definition.repository';
import { completeChildInParent, startPendingChildren } from './call-activities';
import { terminateOrphanChildren } from './instance-termination';
import { collectPostponed, reconcileWaits, type Postponed, type TimerRequest } from './wait-states';

/**
 * Runs one command on one process instance: a fresh bpmn-engine object recovers the stored
 * state, applies the command, and its new state plus every side-effect row are written in the
 * caller's transaction (which holds the instance row lock). The engine object is then dropped.
 */
export type Command =
  /** startEventId: the message or timer start event that fired (none start event when absent) */
  | { kind: 'start'; startEventId?: string }
  | { kind: 'complete-job'; executionId: string }
  | { kind: 'throw-error'; executionId: string; errorCode: string; errorMessage: string }
  | { kind: 'fire-timer'; executionId: string }
  | { kind: 'signal'; executionId: string; payload?: Record<string, unknown> };

export interface InstanceRow {
  key: string | number;
  definition_key: string | number;
  bpmn_process_id: string;
  version: number;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  variables: Variables | string;
  engine_state: string | null;
  start_date: Date | string;
  end_date: Date | string | null;
  parent_instance_key?: string | number | null;
  parent_execution_id?: string | null;
  parent_element_id?: string | null;
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
const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

type EventRow = { element_id: string | null; element_type: string | null; event: string; details?: string | null };
type ExecContent = { executionId: string; index?: number; isMultiInstance?: boolean; loopCardinality?: number; [k: string]: unknown };

export async function runCommand(trx: Knex.Transaction, opts: RunOptions): Promise<{ completed: boolean }> {
  const { def, instance, vars, command, now } = opts;
  const before = JSON.stringify(parseVariables(instance.engine_state === null && command.kind === 'start' ? {} : instance.variables));
  const timerRequests = new Map<string, TimerRequest>();
  const fireCallbacks: (() => void)[] = [];
  const events: EventRow[] = [];
  const typeOf = (id: string, fallback: string) => def.parsed.elements.get(id)?.type ?? fallback;

  // a job-backed element waits until its job is completed (or throws a BPMN error)
  // the outcome is applied once the whole state is resumed: a multi-instance body must be
  // listening again before one of its iterations completes
  const waitForJob = (executionId: string, callback: (err: Error | null) => void): void => {
    if (command.kind === 'complete-job' && command.executionId === executionId) fireCallbacks.push(() => callback(null));
    if (command.kind === 'throw-error' && command.executionId === executionId) {
      fireCallbacks.push(() => callback(Object.assign(new Error(command.errorMessage), { code: command.errorCode })));
    }
    // otherwise it waits: its job row is written by reconcileWaits
  };
  class JobService {
    execute(msg: { content: { executionId: string } }, callback: (err: Error | null) => void): void {
      waitForJob(msg.content.executionId, callback);
    }
  }
  const scripts = {
    register() {},
    getScript(_format: unknown, activity: { id: string }) {
      const model = def.parsed.elements.get(activity.id);
      if (model?.job) return { execute: (scope: { content: ExecContent }, cb: (err: Error | null) => void) => waitForJob(scope.content.executionId, cb) };
      const script = model?.script;
      if (!script) return undefined;
      return {
        execute(scope: { content: ExecContent }, cb: (err: Error | null, output?: unknown) => void) {
          try {
            const value = evaluateFeel(script.expression.replace(/^=/, ''), { ...vars, ...iterationLocals(activity.id, scope.content) });
            if (script.resultVariable) vars[script.resultVariable] = value;
            cb(null, value);
          } catch (err) {
            if (err instanceof FeelError) err.elementId = activity.id;
            cb(err as Error);
          }
        },
      };
    },
  };
  const iterationLocals = (elementId: string, content: ExecContent): Variables => {
    const mi = def.parsed.elements.get(elementId)?.multiInstance;
    if (!mi || !content.isMultiInstance || content.isRootScope) return {};
    return { loopCounter: Number(content.index) + 1, ...(mi.inputElement ? { [mi.inputElement]: content[mi.inputElement] ?? null } : {}) };
  };

  type TimerOwner = { id: string; executionId: string; parent?: { executionId?: string }; timerType?: string; [k: string]: unknown };
  let timerFired = false;
  const timers = {
    executing: [] as unknown[],
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    register(owner: TimerOwner) {
      // a start timer's cycle is kept by our start-event rows: inside an instance it fires once
      if (def.parsed.elements.get(owner.id)?.start) owner.repeat = undefined;
      return {
        setTimeout(callback: (...a: unknown[]) => void, _delay: number, ...args: unknown[]) {
          const executionId = owner.parent?.executionId ?? owner.executionId;
          // a cycle re-arms in the same run: only the first registration is the one firing now
          const firesNow = command.kind === 'fire-timer' ? command.executionId === executionId : command.kind === 'start' && command.startEventId === owner.id;
          if (firesNow && !timerFired) {
            timerFired = true;
            fireCallbacks.push(() => callback(...args));
          } else {
            const type = owner.timerType;
            timerRequests.set(executionId, {
              elementId: owner.id,
              timeDuration: type === 'timeDuration' ? String(owner.timeDuration) : null,
              timeDate: type === 'timeDate' ? String(owner.timeDate) : null,
              timeCycle: type === 'timeCycle' ? String(owner.timeCycle) : null,
            });
          }
          return {};
        },
        clearTimeout: () => undefined,
      };
    },
  };

  const engine = new Engine({
    name: `instance-${instance.key}`,
    moddleContext: def.parsed.moddleContext,
    Logger: silentLogger,
    timers,
    scripts,
    expressions: {
      // Zeebe convention: `=` starts a FEEL expression, anything else is a literal
      resolveExpression(expression: unknown) {
        if (typeof expression === 'string' && expression.startsWith('=')) return evaluateFeel(expression.slice(1), vars);
        return expression;
      },
    },
    extensions: {
      zeebe(activity: { id: string; type: string; behaviour: Record<string, unknown>; broker: { subscribeTmp: (...a: unknown[]) => void } }) {
        const model = def.parsed.elements.get(activity.id);
        if (model?.job && activity.type !== 'bpmn:UserTask') activity.behaviour.Service = JobService;
        const mi = model?.multiInstance;
        if (mi?.outputCollection && mi.outputElement) {
          const { outputCollection, outputElement, inputCollection } = mi;
          // as in Zeebe, the output collection exists (all null) as soon as the body starts
          activity.broker.subscribeTmp('execution', 'execute.start', (_key: string, msg: { content: ExecContent; fields?: { redelivered?: boolean } }) => {
            if (!msg.content.isRootScope || msg.fields?.redelivered) return;
            const items = evaluateFeel(inputCollection.replace(/^=/, ''), vars);
            vars[outputCollection] = new Array(Array.isArray(items) ? items.length : 0).fill(null);
          }, { noAck: true, priority: 1000 });
          // each finished iteration puts its outputElement at its index of the outputCollection
          activity.broker.subscribeTmp('execution', 'execute.completed', (_key: string, msg: { content: ExecContent }) => {
            const c = msg.content;
            if (!c.isMultiInstance || c.isRootScope || typeof c.index !== 'number') return;
            const list = Array.isArray(vars[outputCollection]) && (vars[outputCollection] as unknown[]).length === c.loopCardinality
              ? [...(vars[outputCollection] as unknown[])]
              : new Array(c.loopCardinality ?? c.index + 1).fill(null);
            list[c.index] = evaluateFeel(outputElement.replace(/^=/, ''), { ...vars, ...iterationLocals(activity.id, c) });
            vars[outputCollection] = list;
          }, { noAck: true, priority: 1000 });
        }
      },
    },
  } as unknown as ConstructorParameters<typeof Engine>[0]);

  let ended = false;
  let failure: unknown = null;
  let failedElement: string | null = null;
  engine.broker.subscribeTmp('event', 'engine.error', (_routingKey, msg) => { failure = msg.content; }, { noAck: true });
  engine.once('end', () => { ended = true; });
  const listener = new EventEmitter();
  listener.on('activity.enter', (api: { id: string; type: string }) => {
    events.push({ element_id: api.id, element_type: typeOf(api.id, api.type), event: 'ELEMENT_ENTERED' });
    const thrown = def.parsed.elements.get(api.id)?.errorThrow;
    // bpmn-engine just ends the process on an error nobody catches; Zeebe raises an incident there
    if (thrown && !thrown.caught && !failure) {
      failedElement = api.id;
      failure = Object.assign(new Error(`BPMN error "${thrown.code}" thrown by "${api.id}" is not caught`), { name: 'BpmnError' });
    }
  });
  // bpmn-engine also "leaves" elements on a path not taken, boundary events whose task ended first
  // and interrupted tasks; history records as left only what ran to its end
  const finished = new Set<string>();
  listener.on('activity.end', (api: { executionId: string }) => finished.add(api.executionId));
  listener.on('activity.leave', (api: { id: string; type: string; executionId: string }) => {
    if (finished.has(api.executionId)) events.push({ element_id: api.id, element_type: typeOf(api.id, api.type), event: 'ELEMENT_LEFT' });
  });
  listener.on('activity.error', (api: { id: string }) => { failedElement ??= api.id; });

  const fail = (err: unknown): never => {
    if (err instanceof RunFailure) throw err;
    const elementId = failedElement ?? (err instanceof FeelError ? err.elementId : null);
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

  let execution: Awaited<ReturnType<typeof engine.execute>>;
  try {
    if (command.kind === 'start' || !instance.engine_state) {
      execution = await engine.execute({ listener });
    } else {
      engine.recover(JSON.parse(instance.engine_state));
      execution = await engine.resume({ listener });
    }
  } catch (err) {
    fail(err);
  }
  const exec = execution! as unknown as { getPostponed(): Parameters<typeof collectPostponed>[1] };
  const waits = (): Postponed[] => (ended ? [] : collectPostponed(def, exec.getPostponed()));
  inEngine(() => {
    for (const fire of fireCallbacks) fire();
    if (command.kind === 'start' && command.startEventId && def.parsed.elements.get(command.startEventId)?.start?.kind === 'MESSAGE') {
      waits().find((p) => p.id === command.startEventId)?.signal({});
    }
    if (command.kind === 'signal') {
      const target = waits().find((p) => p.executionId === command.executionId);
      if (!target) throw new RunFailure(`nothing waits at execution ${command.executionId}`, null);
      target.signal(command.payload ?? {});
    }
  });
  const key = String(instance.key);
  const reconcile = (postponed: Postponed[]) =>
    reconcileWaits(trx, { def, instance, vars, now, timerRequests, postponed }).catch((err) => (err instanceof FeelError ? fail(err) : Promise.reject(err)));
  // a buffered message may complete a wait that just opened, and a called child may end at once:
  // either may open the next wait
  for (let round = 0; round < 50 && !failure && !ended; round++) {
    const postponed = waits();
    const match = await reconcile(postponed);
    if (match) {
      Object.assign(vars, match.variables);
      inEngine(() => postponed.find((p) => p.executionId === match.executionId)?.signal({ id: match.ref }));
      events.push({ element_id: match.elementId, element_type: typeOf(match.elementId, ''), event: 'MESSAGE_CORRELATED', details: JSON.stringify({ messageKey: match.messageKey, name: match.name }) });
      continue;
    }
    const done = await startPendingChildren(trx, { ...opts, postponed }).catch((err) => (err instanceof FeelError ? fail(err) : Promise.reject(err)));
    if (!done) break;
    inEngine(() => postponed.find((p) => p.executionId === done.executionId)?.signal({}));
  }
  if (failure) {
    const f = failure as { message?: string; source?: { content?: { id?: string } } };
    throw new RunFailure(f.message ?? String(failure), failedElement ?? f.source?.content?.id ?? null, { cause: failure });
  }

  if (ended) await reconcile([]);
  await terminateOrphanChildren(trx, key, waits().map((p) => p.executionId), now);
  const state = (await engine.getState()) as { definitions?: { source?: unknown }[] };
  // the definition source is re-supplied from the deployment on recover, so it is not stored per instance
  for (const d of state.definitions ?? []) delete d.source;
  await trx('engine_process_instances').where({ key }).update({
    variables: JSON.stringify(vars),
    engine_state: JSON.stringify(state),
    ...(ended ? { state: 'COMPLETED', end_date: now } : {}),
  });
  const changed = changedVariables(JSON.parse(before) as Variables, vars);
  if (changed) events.push({ element_id: null, element_type: null, event: 'VARIABLES_CHANGED', details: JSON.stringify({ variables: changed }) });
  if (ended) events.push({ element_id: instance.bpmn_process_id, element_type: 'bpmn:Process', event: 'PROCESS_COMPLETED' });
  if (events.length) await trx('engine_events').insert(events.map((e) => ({ details: null, ...e, instance_key: key, occurred_at: now })));
  if (!ended) await engine.stop();
  if (ended && instance.parent_instance_key && !opts.startedByParent) await completeChildInParent(trx, { ...opts, childVars: vars });
  return { completed: ended };
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
