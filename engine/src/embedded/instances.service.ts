import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, type CreateProcessInstanceRequest, type ProcessInstance } from '../port';
import type { EngineContext } from './engine-context';
import { parseVariables, RunFailure, type InstanceRow } from './instance-runner';
import { startBufferedAfterEnd, startInstance } from './start-events';
import { terminateInstanceTree } from './instance-termination';
import { createInstanceInOneStatement } from './single-statement';

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
    let row = await createInstanceInOneStatement(this.ctx, req);
    if (!row) row = await this.startInTransaction(req);
    if (!req.awaitCompletion) return toInstance(row, false);
    return this.awaitCompletion(String(row.key), req.requestTimeoutMs ?? 10_000);
  }

  private async startInTransaction(req: CreateProcessInstanceRequest): Promise<InstanceRow> {
    const { db, defs, clock } = this.ctx;
    const defRow = await defs.findLatest(db, req.bpmnProcessId, req.version);
    if (!defRow) throw new EngineError('NOT_FOUND', `process ${req.bpmnProcessId}${req.version ? ` version ${req.version}` : ''} is not deployed`);
    if (req.version === undefined) this.ctx.node.sawLatestDefinition(req.bpmnProcessId, String(defRow.key));
    try {
      return await this.ctx.track(db.transaction((trx) => startInstance(trx, { defs, definitionKey: String(defRow.key), variables: req.variables ?? {}, now: clock(), node: this.ctx.node })));
    } catch (err) {
      // nothing was stored: a model that breaks right at the start is the caller's problem to see
      if (err instanceof RunFailure) throw new EngineError('INVALID_ARGUMENT', `process ${req.bpmnProcessId} failed at start: ${err.message}`, { cause: err });
      throw err;
    }
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
    await this.ctx.command(processInstanceKey, async ({ trx, instance, now }) => {
      if (instance.state !== 'ACTIVE') throw new EngineError('INVALID_STATE', `process instance ${processInstanceKey} is ${instance.state}`);
      // as in Zeebe: a called child ends with its parent, never on its own
      if (instance.parent_instance_key) throw new EngineError('INVALID_STATE', `process instance ${processInstanceKey} was called by ${instance.parent_instance_key}: cancel that one`);
      await terminateInstanceTree(trx, processInstanceKey, now, 'PROCESS_TERMINATED');
      await startBufferedAfterEnd(trx, { defs: this.ctx.defs, instance, now, node: this.ctx.node });
    });
  }
}
