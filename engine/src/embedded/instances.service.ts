import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, type CreateProcessInstanceRequest, type ProcessInstance } from '../port';
import type { EngineContext } from './engine-context';
import { parseVariables, runCommand, RunFailure, type InstanceRow } from './instance-runner';

function toInstance(r: InstanceRow, withVariables: boolean): ProcessInstance {
  return {
    processInstanceKey: String(r.key), processDefinitionKey: String(r.definition_key), bpmnProcessId: r.bpmn_process_id,
    version: r.version, state: r.state, startDate: new Date(r.start_date).toISOString(),
    endDate: r.end_date ? new Date(r.end_date).toISOString() : null,
    ...(withVariables ? { variables: parseVariables(r.variables) } : {}),
  };
}

/** Starting, reading and cancelling process instances. */
export class InstancesService {
  constructor(private readonly ctx: EngineContext) {}

  async createProcessInstance(req: CreateProcessInstanceRequest): Promise<ProcessInstance> {
    const { db, defs, clock } = this.ctx;
    const defRow = await defs.findLatest(db, req.bpmnProcessId, req.version);
    if (!defRow) throw new EngineError('NOT_FOUND', `process ${req.bpmnProcessId}${req.version ? ` version ${req.version}` : ''} is not deployed`);
    let row: InstanceRow;
    try {
      row = await this.ctx.track(db.transaction(async (trx) => {
        const now = clock();
        const vars = { ...(req.variables ?? {}) };
        const [inserted] = (await trx('engine_process_instances').insert({
          definition_key: defRow.key, bpmn_process_id: defRow.bpmn_process_id, version: defRow.version, state: 'ACTIVE',
          variables: JSON.stringify(vars), engine_state: null, start_date: now,
        }).returning('*')) as InstanceRow[];
        const def = await defs.load(trx, String(defRow.key));
        await runCommand(trx, { def, instance: inserted, vars, now, command: { kind: 'start' } });
        return (await trx('engine_process_instances').where({ key: inserted.key }).first()) as InstanceRow;
      }));
    } catch (err) {
      // nothing was stored: a model that breaks right at the start is the caller's problem to see
      if (err instanceof RunFailure) throw new EngineError('INVALID_ARGUMENT', `process ${req.bpmnProcessId} failed at start: ${err.message}`, { cause: err });
      throw err;
    }
    if (!req.awaitCompletion) return toInstance(row, false);
    return this.awaitCompletion(String(row.key), req.requestTimeoutMs ?? 10_000);
  }

  private async awaitCompletion(key: string, timeoutMs: number): Promise<ProcessInstance> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const instance = await this.getProcessInstance(key);
      if (instance && instance.state !== 'ACTIVE') return instance;
      if (Date.now() > until) throw new EngineError('INVALID_STATE', `process instance ${key} did not complete within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  async getProcessInstance(processInstanceKey: string): Promise<ProcessInstance | null> {
    if (!/^\d+$/.test(processInstanceKey)) return null;
    const row = (await this.ctx.db('engine_process_instances').where({ key: processInstanceKey }).first()) as InstanceRow | undefined;
    return row ? toInstance(row, true) : null;
  }

  async cancelProcessInstance(processInstanceKey: string): Promise<void> {
    if (!/^\d+$/.test(processInstanceKey)) throw new EngineError('NOT_FOUND', `process instance ${processInstanceKey} not found`);
    // no bpmn-engine run needed: the instance is over, so its stored state is only history
    await this.ctx.command(processInstanceKey, async ({ trx, instance, now }) => {
      if (instance.state !== 'ACTIVE') throw new EngineError('INVALID_STATE', `process instance ${processInstanceKey} is ${instance.state}`);
      const key = processInstanceKey;
      await trx('engine_process_instances').where({ key }).update({ state: 'TERMINATED', end_date: now });
      await trx('engine_jobs').where({ instance_key: key }).whereIn('state', ['ACTIVATABLE', 'ACTIVATED', 'FAILED', 'ERROR_THROWN']).update({ state: 'CANCELED' });
      await trx('engine_user_tasks').where({ instance_key: key, state: 'CREATED' }).update({ state: 'CANCELED', completion_date: now });
      await trx('engine_timers').where({ instance_key: key }).delete();
      await trx('engine_message_subscriptions').where({ instance_key: key }).delete();
      await trx('engine_incidents').where({ instance_key: key, state: 'ACTIVE' }).update({ state: 'RESOLVED', resolved_at: now });
      await trx('engine_events').insert({ instance_key: key, element_id: instance.bpmn_process_id, element_type: 'bpmn:Process', event: 'PROCESS_TERMINATED', occurred_at: now });
    });
  }
}
