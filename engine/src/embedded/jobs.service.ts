import { EngineError, type ActivateJobsRequest, type ActivatedJob, type FailJobRequest, type ThrowJobErrorRequest, type Variables } from '../port';
import type { CommandScope, EngineContext } from './engine-context';
import { inputVariables, mergeResult, parseVariables, runCommand, RunFailure } from './instance-runner';

interface JobRow {
  key: string | number;
  instance_key: string | number;
  element_id: string;
  execution_id: string;
  type: string;
  retries: number;
  state: string;
  deadline: Date | string | null;
  custom_headers: Record<string, string> | string;
  error_message: string | null;
  local_variables: Variables | string | null;
}

/** Jobs of service tasks: activation with lock timeout, completion, failure with retries, BPMN errors. */
export class JobsService {
  constructor(private readonly ctx: EngineContext) {}

  async activateJobs(req: ActivateJobsRequest): Promise<ActivatedJob[]> {
    const { db, clock, defs } = this.ctx;
    if (req.maxJobsToActivate < 1) return [];
    return this.ctx.track(db.transaction(async (trx) => {
      const now = clock();
      // an ACTIVATED job whose lock expired is handed out again (its worker is presumed dead)
      const rows = (await trx('engine_jobs')
        .where({ type: req.type })
        .where((q) => q.where({ state: 'ACTIVATABLE' }).orWhere((q2) => q2.where({ state: 'ACTIVATED' }).where('deadline', '<', now)))
        .where((q) => q.whereNull('backoff_until').orWhere('backoff_until', '<=', now))
        .orderBy('key').limit(req.maxJobsToActivate).forUpdate().skipLocked()) as JobRow[];
      if (!rows.length) return [];
      const deadline = new Date(now.getTime() + req.timeout);
      await trx('engine_jobs').whereIn('key', rows.map((r) => r.key)).update({ state: 'ACTIVATED', deadline, worker: req.worker });
      const instances = await trx('engine_process_instances').whereIn('key', rows.map((r) => r.instance_key));
      const byKey = new Map(instances.map((i) => [String(i.key), i]));
      const jobs: ActivatedJob[] = [];
      for (const r of rows) {
        const instance = byKey.get(String(r.instance_key));
        const def = await defs.load(trx, String(instance.definition_key));
        const model = def.parsed.elements.get(r.element_id);
        jobs.push({
          jobKey: String(r.key), type: r.type, processInstanceKey: String(r.instance_key), processDefinitionKey: String(instance.definition_key),
          bpmnProcessId: instance.bpmn_process_id, elementId: r.element_id, elementInstanceKey: `${r.instance_key}:${r.execution_id}`,
          retries: r.retries, deadline: deadline.toISOString(),
          customHeaders: typeof r.custom_headers === 'string' ? JSON.parse(r.custom_headers) : r.custom_headers,
          variables: inputVariables(parseVariables(instance.variables), model?.inputs ?? [], r.local_variables),
        });
      }
      return jobs;
    }));
  }

  /** Locks the instance, then re-reads the job under that lock. */
  private async onJob<T>(jobKey: string, fn: (scope: CommandScope, job: JobRow) => Promise<T>): Promise<T> {
    const found = (await this.ctx.db('engine_jobs').where({ key: jobKey }).first()) as JobRow | undefined;
    if (!found) throw new EngineError('NOT_FOUND', `job ${jobKey} not found`);
    return this.ctx.command(String(found.instance_key), async (scope) => {
      const job = (await scope.trx('engine_jobs').where({ key: jobKey }).first()) as JobRow;
      return fn(scope, job);
    });
  }

  private static requireOpen(job: JobRow, scope: CommandScope): void {
    // a completed, canceled or incident-parked job cannot be completed again (that is what makes completion idempotent)
    if (scope.instance.state !== 'ACTIVE' || !['ACTIVATED', 'ACTIVATABLE'].includes(job.state)) {
      throw new EngineError('NOT_FOUND', `job ${job.key} is not active (state ${job.state})`);
    }
  }

  async completeJob(jobKey: string, variables?: Variables): Promise<void> {
    let failedJob: JobRow | null = null;
    try {
      await this.onJob(jobKey, async (scope, job) => {
        JobsService.requireOpen(job, scope);
        failedJob = job;
        const model = scope.def.parsed.elements.get(job.element_id);
        mergeResult(scope.vars, model?.outputs ?? [], variables);
        await scope.trx('engine_jobs').where({ key: jobKey }).update({ state: 'COMPLETED', deadline: null });
        await runCommand(scope.trx, { ...scope, command: { kind: 'complete-job', executionId: job.execution_id } });
      });
    } catch (err) {
      if (!(err instanceof RunFailure) || !failedJob) throw err;
      const job = failedJob as JobRow;
      await this.ctx.recordRunFailure(String(job.instance_key), err, { elementId: job.element_id, jobKey });
    }
  }

  async failJob(jobKey: string, req: FailJobRequest): Promise<void> {
    const retries = Math.max(0, req.retries);
    const incident = await this.onJob(jobKey, async (scope, job) => {
      JobsService.requireOpen(job, scope);
      const { trx, now } = scope;
      if (req.variables) {
        Object.assign(scope.vars, req.variables);
        await trx('engine_process_instances').where({ key: scope.instance.key }).update({ variables: JSON.stringify(scope.vars) });
      }
      const message = req.errorMessage ?? 'job failed';
      if (retries > 0) {
        const backoffUntil = req.retryBackOff ? new Date(now.getTime() + req.retryBackOff) : null;
        await trx('engine_jobs').where({ key: jobKey }).update({ state: 'ACTIVATABLE', retries, deadline: null, worker: null, backoff_until: backoffUntil, error_message: message });
        return null;
      }
      await trx('engine_jobs').where({ key: jobKey }).update({ state: 'FAILED', retries: 0, deadline: null, error_message: message });
      return this.ctx.insertIncident(trx, now, { instanceKey: String(job.instance_key), elementId: job.element_id, jobKey, errorType: 'JOB_NO_RETRIES', errorMessage: message });
    });
    if (incident) this.ctx.log?.warn({ jobKey, incidentKey: incident }, 'job out of retries: incident created');
  }

  async throwJobError(jobKey: string, req: ThrowJobErrorRequest): Promise<void> {
    let open: JobRow | null = null;
    try {
      await this.onJob(jobKey, async (scope, job) => {
        JobsService.requireOpen(job, scope);
        open = job;
        const { trx, now } = scope;
        const model = scope.def.parsed.elements.get(job.element_id);
        const caught = model?.caughtErrorCodes.some((c) => c === '*' || c === req.errorCode);
        if (req.variables) Object.assign(scope.vars, req.variables);
        if (!caught) {
          // bpmn-engine would fail the whole instance on an uncaught error: park the job instead
          const message = `BPMN error "${req.errorCode}" not caught${req.errorMessage ? `: ${req.errorMessage}` : ''}`;
          await trx('engine_process_instances').where({ key: scope.instance.key }).update({ variables: JSON.stringify(scope.vars) });
          await trx('engine_jobs').where({ key: jobKey }).update({ state: 'ERROR_THROWN', deadline: null, error_message: message });
          await this.ctx.insertIncident(trx, now, { instanceKey: String(job.instance_key), elementId: job.element_id, jobKey, errorType: 'UNHANDLED_ERROR_EVENT', errorMessage: message });
          return;
        }
        await trx('engine_jobs').where({ key: jobKey }).update({ state: 'ERROR_CAUGHT', deadline: null, error_message: req.errorMessage ?? req.errorCode });
        await runCommand(trx, { ...scope, command: { kind: 'throw-error', executionId: job.execution_id, errorCode: req.errorCode, errorMessage: req.errorMessage ?? req.errorCode } });
      });
    } catch (err) {
      if (!(err instanceof RunFailure) || !open) throw err;
      const job = open as JobRow;
      await this.ctx.recordRunFailure(String(job.instance_key), err, { elementId: job.element_id, jobKey });
    }
  }

  async updateJobRetries(jobKey: string, retries: number): Promise<void> {
    if (!Number.isInteger(retries) || retries < 0) throw new EngineError('INVALID_ARGUMENT', 'retries must be a non-negative integer');
    await this.onJob(jobKey, async ({ trx }, job) => {
      if (['COMPLETED', 'CANCELED', 'ERROR_CAUGHT'].includes(job.state)) throw new EngineError('NOT_FOUND', `job ${jobKey} is not active (state ${job.state})`);
      await trx('engine_jobs').where({ key: jobKey }).update({ retries });
    });
  }
}
