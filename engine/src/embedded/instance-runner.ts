import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import type { Knex } from 'knex';
import type { Variables } from '../port';
import { evaluateFeel, FeelError } from './feel';
import type { LoadedDefinition } from './definition.repository';
import { reconcileWaits, type TimerRequest, type Postponed } from './wait-states';

/**
 * Runs one command on one process instance: a fresh bpmn-engine object recovers the stored
 * state, applies the command, and its new state plus every side-effect row are written in the
 * caller's transaction (which holds the instance row lock). The engine object is then dropped.
 */
export type Command =
  | { kind: 'start' }
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
}

/** The run broke inside the model (a FEEL condition, no outgoing flow, ...): becomes an incident. */
export class RunFailure extends Error {
  constructor(message: string, readonly elementId: string | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunFailure';
  }
}

export function parseVariables(raw: Variables | string | null | undefined): Variables {
  if (!raw) return {};
  return typeof raw === 'string' ? (JSON.parse(raw) as Variables) : { ...raw };
}

// bpmn-engine's own debug logger is noisy and untyped; the adapter logs what matters itself
const silentLogger = () => ({ debug() {}, error() {}, warn() {} });

export async function runCommand(
  trx: Knex.Transaction,
  opts: { def: LoadedDefinition; instance: InstanceRow; vars: Variables; command: Command; now: Date },
): Promise<{ completed: boolean }> {
  const { def, instance, vars, command, now } = opts;
  const timerRequests = new Map<string, TimerRequest>();
  const fireCallbacks: (() => void)[] = [];
  const events: { element_id: string | null; element_type: string | null; event: string }[] = [];

  class JobService {
    constructor(private readonly activity: { id: string }) {}
    execute(msg: { content: { executionId: string } }, callback: (err: Error | null) => void): void {
      const executionId = msg.content.executionId;
      if (command.kind === 'complete-job' && command.executionId === executionId) return callback(null);
      if (command.kind === 'throw-error' && command.executionId === executionId) {
        return callback(Object.assign(new Error(command.errorMessage), { code: command.errorCode }));
      }
      // otherwise the task waits: its job row is written by reconcileWaits
    }
  }

  type TimerOwner = { id: string; executionId: string; parent?: { executionId?: string }; timerType?: string; [k: string]: unknown };
  const timers = {
    executing: [] as unknown[],
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    register(owner: TimerOwner) {
      return {
        setTimeout(callback: (...a: unknown[]) => void, _delay: number, ...args: unknown[]) {
          const executionId = owner.parent?.executionId ?? owner.executionId;
          if (command.kind === 'fire-timer' && command.executionId === executionId) fireCallbacks.push(() => callback(...args));
          else {
            const type = owner.timerType;
            timerRequests.set(executionId, {
              elementId: owner.id,
              timeDuration: type === 'timeDuration' ? String(owner.timeDuration) : null,
              timeDate: type === 'timeDate' ? String(owner.timeDate) : null,
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
    expressions: {
      // Zeebe convention: `=` starts a FEEL expression, anything else is a literal
      resolveExpression(expression: unknown) {
        if (typeof expression === 'string' && expression.startsWith('=')) return evaluateFeel(expression.slice(1), vars);
        return expression;
      },
    },
    extensions: {
      zeebe(activity: { id: string; type: string; behaviour: Record<string, unknown> }) {
        const model = def.parsed.elements.get(activity.id);
        if (model?.job && activity.type !== 'bpmn:UserTask') activity.behaviour.Service = JobService;
      },
    },
  } as unknown as ConstructorParameters<typeof Engine>[0]);

  let ended = false;
  let failure: unknown = null;
  let failedElement: string | null = null;
  engine.broker.subscribeTmp('event', 'engine.error', (_routingKey, msg) => { failure = msg.content; }, { noAck: true });
  engine.once('end', () => { ended = true; });
  const listener = new EventEmitter();
  listener.on('activity.enter', (api: { id: string; type: string }) => events.push({ element_id: api.id, element_type: api.type, event: 'ELEMENT_ENTERED' }));
  listener.on('activity.leave', (api: { id: string; type: string; content?: { discardSequence?: unknown } }) => {
    // elements on a path not taken are "left" by bpmn-engine too; history only wants what ran
    if (!api.content?.discardSequence) events.push({ element_id: api.id, element_type: api.type, event: 'ELEMENT_LEFT' });
  });
  listener.on('activity.error', (api: { id: string }) => { failedElement = api.id; });

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
  const reconcile = (exec: { getPostponed(): Postponed[] }) =>
    reconcileWaits(trx, { def, instance, vars, now, timerRequests, execution: exec }).catch((err) => (err instanceof FeelError ? fail(err) : Promise.reject(err)));

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
  const exec = execution! as unknown as { getPostponed(): Postponed[] };
  inEngine(() => {
    for (const fire of fireCallbacks) fire();
    if (command.kind === 'signal') {
      const target = exec.getPostponed().find((p) => p.executionId === command.executionId);
      if (!target) throw new RunFailure(`nothing waits at execution ${command.executionId}`, null);
      target.signal(command.payload ?? {});
    }
  });
  // a buffered message may complete a wait that just opened, which may open the next one
  for (let round = 0; round < 50 && !failure && !ended; round++) {
    const match = await reconcile(exec);
    if (!match) break;
    Object.assign(vars, match.variables);
    inEngine(() => exec.getPostponed().find((p) => p.executionId === match.executionId)?.signal({ id: match.ref }));
    events.push({ element_id: null, element_type: null, event: `MESSAGE_CORRELATED:${match.messageKey}` });
  }
  if (failure) {
    const f = failure as { message?: string; source?: { content?: { id?: string } } };
    throw new RunFailure(f.message ?? String(failure), failedElement ?? f.source?.content?.id ?? null, { cause: failure });
  }

  const key = String(instance.key);
  if (ended) await reconcile({ getPostponed: () => [] });
  const state = (await engine.getState()) as { definitions?: { source?: unknown }[] };
  // the definition source is re-supplied from the deployment on recover, so it is not stored per instance
  for (const d of state.definitions ?? []) delete d.source;
  await trx('engine_process_instances').where({ key }).update({
    variables: JSON.stringify(vars),
    engine_state: JSON.stringify(state),
    ...(ended ? { state: 'COMPLETED', end_date: now } : {}),
  });
  if (ended) events.push({ element_id: instance.bpmn_process_id, element_type: 'bpmn:Process', event: 'PROCESS_COMPLETED' });
  if (events.length) await trx('engine_events').insert(events.map((e) => ({ ...e, instance_key: key, occurred_at: now })));
  if (!ended) await engine.stop();
  return { completed: ended };
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

/** Variables a job or user task sees: the instance's plus its input mappings. */
export function inputVariables(vars: Variables, inputs: { source: string; target: string }[]): Variables {
  const out = { ...vars };
  for (const i of inputs) out[i.target] = evaluateFeel(i.source.replace(/^=/, ''), vars);
  return out;
}
