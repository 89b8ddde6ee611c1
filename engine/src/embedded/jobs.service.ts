import { EngineError, type ActivateJobsRequest, type ActivatedJob, type FailJobRequest, type ThrowJobErrorRequest, type Variables } from '../port';
import type { CommandScope, EngineContext } from './engine-context';
import { inputVariables, parseVariables, runCommand, RunFailure } from './instance-runner';
import { catchesWithin, throwToCaller } from './error-propagation';
import { completeJobInOneStatement } from './single-statement';

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

type ActivatedRow = JobRow & { definition_key: string | number; bpmn_process_id: string; instance_variables: Variables | string };

/** Jobs of service tasks: activation with lock timeout, completion, failure with retries, BPMN errors. */
export class JobsService {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * One statement: picks the activatable jobs (an ACTIVATED job whose lock expired counts: its
   * worker is presumed dead), skipping rows another node is locking, marks them ACTIVATED and
   * returns them with their instance's variables.
   */
  async activateJobs(req: ActivateJobsRequest): Promise<ActivatedJob[]> {
    const { db, clock, defs } = this.ctx;
    if (req.maxJobsToActivate < 1) return [];
    const now = clock();
    const deadline = new Date(now.getTime() + req.timeout);
    // a knex query runs again on every then(): track a promise of it, not the query itself
    const result = await this.ctx.track(Promise.resolve(db.raw(`
      with picked as (
        select key from engine_jobs
        where type = ? and (state = 'ACTIVATABLE' or (state = 'ACTIVATED' and deadline < ?))
          and (backoff_until is null or backoff_until <= ?)
        order by key limit ? for update skip locked
      ), activated as (
        update engine_jobs j set state = 'ACTIVATED', deadline = ?, worker = ?
        from picked where j.key = picked.key
        returning j.*
      )
      select a.*, i.definition_key, i.bpmn_process_id, i.variables as instance_variables
      from activated a join engine_process_instances i on i.key = a.instance_key
      order by a.key`, [req.type, now, now, req.maxJobsToActivate, deadline, req.worker])));
    const rows = (Array.isArray(result) ? result : (result as { rows: ActivatedRow[] }).rows) as ActivatedRow[];
    const jobs: ActivatedJob[] = [];
    for (const r of rows) {
      const def = await defs.load(db, String(r.definition_key));
      const model = def.parsed.elements.get(r.element_id);
      this.ctx.node.rememberJob(String(r.key), { instanceKey: String(r.instance_key), executionId: r.execution_id, elementId: r.element_id });
      jobs.push({
        jobKey: String(r.key), type: r.type, processInstanceKey: String(r.instance_key), processDefinitionKey: String(r.definition_key),
        bpmnProcessId: r.bpmn_process_id, elementId: r.element_id, elementInstanceKey: `${r.instance_key}:${r.execution_id}`,
        retries: r.retries, deadline: deadline.toISOString(),
        customHeaders: typeof r.custom_headers === 'string' ? JSON.parse(r.custom_headers) : r.custom_headers,
        variables: inputVariables(parseVariables(r.instance_variables), model?.inputs ?? [], r.local_variables),
      });
    }
    return jobs;
  }

  /** Locks the instance of the job, then runs fn under that lock. */
  private async onJobInstance<T>(jobKey: string, fn: (scope: CommandScope) => Promise<T>): Promise<T> {
    let instanceKey = this.ctx.node.instanceOfJob(jobKey);
    if (!instanceKey) {
      const found = (await this.ctx.db('engine_jobs').where({ key: jobKey }).first('instance_key')) as { instance_key: string | number } | undefined;
      if (!found) throw new EngineError('NOT_FOUND', `job ${jobKey} not found`);
      instanceKey = String(found.instance_key);
    }
    return this.ctx.command(instanceKey, fn);
  }

  /** Locks the instance, then re-reads the job under that lock. */
  private onJob<T>(jobKey: string, fn: (scope: CommandScope, job: JobRow) => Promise<T>): Promise<T> {
    return this.onJobInstance(jobKey, async (scope) => {
      const job = (await scope.trx('engine_jobs').where({ key: jobKey }).first()) as JobRow | undefined;
      if (!job) throw new EngineError('NOT_FOUND', `job ${jobKey} not found`);
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
    if (await completeJobInOneStatement(this.ctx, jobKey, variables)) return;
    let failedJob: JobRow | null = null;
    try {
      await this.onJobInstance(jobKey, async (scope) => {
        const { trx } = scope;
        // closing the job under the instance lock is what makes completion idempotent
        const [job] = scope.instance.state === 'ACTIVE'
          ? ((await trx('engine_jobs').where({ key: jobKey }).whereIn('state', ['ACTIVATED', 'ACTIVATABLE'])
            .update({ state: 'COMPLETED', deadline: null }).returning('*')) as JobRow[])
          : [];
        if (!job) {
          const found = (await trx('engine_jobs').where({ key: jobKey }).first()) as JobRow | undefined;
          if (!found) throw new EngineError('NOT_FOUND', `job ${jobKey} not found`);
          JobsService.requireOpen(found, scope);
          throw new EngineError('NOT_FOUND', `job ${jobKey} is not active (state ${found.state})`);
        }
        failedJob = job;
        await runCommand(trx, { ...scope, command: { kind: 'complete-job', executionId: job.execution_id, variables } });
      });
      this.ctx.node.forgetJob(jobKey);
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
      // as in Zeebe: local to the job's task, so the next attempt sees them and they end with the task
      const locals = req.variables ? { local_variables: JSON.stringify({ ...parseVariables(job.local_variables), ...req.variables }) } : {};
      const message = req.errorMessage ?? 'job failed';
      if (retries > 0) {
        const backoffUntil = req.retryBackOff ? new Date(now.getTime() + req.retryBackOff) : null;
        await trx('engine_jobs').where({ key: jobKey }).update({ state: 'ACTIVATABLE', retries, deadline: null, worker: null, backoff_until: backoffUntil, error_message: message, ...locals });
        return null;
      }
      await trx('engine_jobs').where({ key: jobKey }).update({ state: 'FAILED', retries: 0, deadline: null, error_message: message, ...locals });
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
        const caught = catchesWithin(scope.def, job.element_id, req.errorCode);
        if (req.variables) Object.assign(scope.vars, req.variables);
        if (!caught && scope.instance.parent_instance_key) {
          const error = { code: req.errorCode, message: req.errorMessage ?? req.errorCode };
          // a caller catches it: this instance was terminated, its job closed by the error
          if (await throwToCaller(trx, { ...scope, error })) {
            await trx('engine_jobs').where({ key: jobKey }).update({ state: 'ERROR_CAUGHT', deadline: null, error_message: error.message });
            return;
          }
        }
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

  /** One row, without the instance lock: completion and activation lock the same row, so each sees the other's write. */
  async updateJobTimeout(jobKey: string, timeout: number): Promise<void> {
    if (!Number.isInteger(timeout) || timeout < 1) throw new EngineError('INVALID_ARGUMENT', 'timeout must be a positive whole number of milliseconds');
    const { db, clock } = this.ctx;
    const updated = await this.ctx.track(Promise.resolve(db('engine_jobs').where({ key: jobKey, state: 'ACTIVATED' })
      .update({ deadline: new Date(clock().getTime() + timeout) }).returning('key')));
    if (!updated.length) throw new EngineError('NOT_FOUND', `job ${jobKey} is not activated`);
  }

  async updateJobRetries(jobKey: string, retries: number): Promise<void> {
    if (!Number.isInteger(retries) || retries < 0) throw new EngineError('INVALID_ARGUMENT', 'retries must be a non-negative integer');
    await this.onJob(jobKey, async ({ trx }, job) => {
      if (['COMPLETED', 'CANCELED', 'ERROR_CAUGHT'].includes(job.state)) throw new EngineError('NOT_FOUND', `job ${jobKey} is not active (state ${job.state})`);
      await trx('engine_jobs').where({ key: jobKey }).update({ retries });
    });
  }
}
