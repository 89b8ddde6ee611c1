import type { Knex } from 'knex';
import { EngineError, type Incident, type JobLogger, type Variables } from '../port';
import type { DefinitionRepository, LoadedDefinition } from './definition.repository';
import { FeelError } from './feel';
import { parseVariables, RunFailure, type InstanceRow } from './instance-runner';
import type { NodeRuntime } from './node-runtime';

export type EngineLogger = JobLogger & { debug?(obj: object, msg?: string): void };

export interface CommandScope {
  trx: Knex.Transaction;
  instance: InstanceRow;
  def: LoadedDefinition;
  /** the instance's variables, mutable: runCommand persists them */
  vars: Variables;
  now: Date;
  defs: DefinitionRepository;
  node: NodeRuntime;
}

/** bpmn-engine reports a thrown BPMN error that nothing caught as an error named BpmnError. */
function isBpmnError(cause: unknown): boolean {
  const c = cause as { name?: string; type?: string; source?: unknown; inner?: { name?: string } } | null;
  return !!c && (c.name === 'BpmnError' || c.type === 'BpmnError' || c.inner?.name === 'BpmnError');
}

/** What every part of the embedded engine shares. */
export class EngineContext {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly db: Knex,
    readonly defs: DefinitionRepository,
    readonly clock: () => Date,
    readonly log: EngineLogger | undefined,
    readonly node: NodeRuntime,
  ) {}

  /** Remembers a running command so that stop() can wait for it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const done = () => this.inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Locks the instance row for the rest of the transaction: one command per instance at a time, on any node. */
  async lockInstance(trx: Knex.Transaction, instanceKey: string, opts: { skipLocked?: boolean } = {}): Promise<CommandScope | null> {
    let q = trx('engine_process_instances').where({ key: instanceKey }).forUpdate();
    if (opts.skipLocked) q = q.skipLocked();
    const instance = (await q.first()) as InstanceRow | undefined;
    if (!instance) return null;
    const def = await this.defs.load(trx, String(instance.definition_key));
    return { trx, instance, def, vars: parseVariables(instance.variables), now: this.clock(), defs: this.defs, node: this.node };
  }

  /** Runs fn in a transaction holding the instance lock; NOT_FOUND when there is no such instance. */
  command<T>(instanceKey: string, fn: (scope: CommandScope) => Promise<T>): Promise<T> {
    return this.track(
      this.db.transaction(async (trx) => {
        const scope = await this.lockInstance(trx, instanceKey);
        if (!scope) throw new EngineError('NOT_FOUND', `process instance ${instanceKey} not found`);
        return fn(scope);
      }),
    );
  }

  /**
   * A command failed inside the model and was rolled back: record an incident (in a new
   * transaction) so that a person can fix the cause and resolve it. When a job's completion broke
   * the run, the job is parked (retries 0) and resolving the incident hands it out again.
   */
  async recordRunFailure(instanceKey: string, failure: RunFailure, ctx: { elementId: string; jobKey?: string }): Promise<string> {
    const errorType: Incident['errorType'] = failure.errorType ?? (failure.cause instanceof FeelError
      ? 'EXTRACT_VALUE_ERROR'
      : isBpmnError(failure.cause) ? 'UNHANDLED_ERROR_EVENT'
        : /condition|outbound|flow/i.test(failure.message) ? 'CONDITION_ERROR' : 'UNKNOWN');
    const key = await this.command(instanceKey, async ({ trx, now }) => {
      if (ctx.jobKey) await trx('engine_jobs').where({ key: ctx.jobKey }).update({ state: 'FAILED', retries: 0, error_message: failure.message });
      return this.insertIncident(trx, now, {
        instanceKey: failure.instanceKey ?? instanceKey, elementId: failure.elementId ?? ctx.elementId, jobKey: ctx.jobKey ?? null, errorType, errorMessage: failure.message,
      });
    });
    this.log?.warn({ processInstanceKey: instanceKey, elementId: ctx.elementId, jobKey: ctx.jobKey, incidentKey: key, errorType }, `incident: ${failure.message}`);
    return key;
  }

  async insertIncident(
    trx: Knex.Transaction,
    now: Date,
    i: { instanceKey: string; elementId: string; jobKey: string | null; errorType: Incident['errorType']; errorMessage: string },
  ): Promise<string> {
    const [row] = await trx('engine_incidents').insert({
      instance_key: i.instanceKey, element_id: i.elementId, job_key: i.jobKey, error_type: i.errorType,
      error_message: i.errorMessage, state: 'ACTIVE', creation_time: now,
    }).returning('key');
    const incidentKey = String(typeof row === 'object' ? row.key : row);
    await trx('engine_events').insert({
      instance_key: i.instanceKey, element_id: i.elementId, element_type: null, event: 'INCIDENT_CREATED', occurred_at: now,
      details: JSON.stringify({ incidentKey, errorType: i.errorType, errorMessage: i.errorMessage }),
    });
    return incidentKey;
  }
}
