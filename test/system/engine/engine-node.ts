/**
 * One engine node for the multi-node and crash tests, run as a child process (`node --import tsx`):
 * an embedded engine polling timers plus job workers, on the PostgreSQL schema the test made.
 *
 * The job handler applies its effect idempotently: under an advisory lock on the job's
 * elementInstanceKey it looks for an earlier application and, when there is none, records one and
 * bumps the instance's counter, all in one transaction. A job re-delivered after a crash therefore
 * changes nothing, provided the engine keeps the elementInstanceKey stable and never makes a second
 * job for the same element execution — which is what the tests check.
 *
 * Environment: DATABASE_URL, SYSTEM_SCHEMA, NODE_ID, JOB_TIMEOUT_MS, HANDLER_MAX_DELAY_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory from 'knex';
import { createEmbeddedEngine, startJobWorkers, type EnginePort, type JobHandler } from '@openspis/engine';

const nodeId = process.env.NODE_ID ?? 'node';
const db = knexFactory({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  searchPath: [process.env.SYSTEM_SCHEMA!],
  pool: { min: 0, max: 8 },
});
const maxDelay = Number(process.env.HANDLER_MAX_DELAY_MS ?? 20);
const log = {
  info() {},
  warn() {},
  error(obj: object, msg?: string) { process.stderr.write(`${nodeId} ${msg ?? ''} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}\n`); },
  child() { return log; },
};

const engine = createEmbeddedEngine({ db, nodeId, log, timerPollIntervalMs: 100 });

/** Records every successful completion, so the test can tell a job completed twice. */
const reporting: EnginePort = Object.create(engine, {
  completeJob: {
    value: async (jobKey: string, variables?: Record<string, unknown>) => {
      await engine.completeJob(jobKey, variables);
      await db('system_completions').insert({ job_key: jobKey, node_id: nodeId });
    },
  },
});

const handlers: JobHandler[] = ['system.step-first', 'system.step-second', 'system.step-third'].map((type) => ({
  type,
  async handle(job) {
    await db('system_attempts').insert({ job_key: job.jobKey, element_instance_key: job.elementInstanceKey, node_id: nodeId });
    await sleep(Math.random() * maxDelay);
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [job.elementInstanceKey]);
      const seen = await trx('system_effects').where({ element_instance_key: job.elementInstanceKey }).first();
      if (seen) return;
      await trx('system_effects').insert({ element_instance_key: job.elementInstanceKey, instance_key: job.processInstanceKey, element_id: job.elementId, node_id: nodeId });
      // the test records the instance's counter after starting it; a node may apply the first effect before that
      await trx('system_counters').insert({ instance_key: job.processInstanceKey, effects: 1 }).onConflict('instance_key').merge({ effects: trx.raw('system_counters.effects + 1') });
    });
    await sleep(Math.random() * maxDelay);
    return { outcome: 'complete', variables: { [`${job.elementId}By`]: nodeId } };
  },
}));

engine.start();
const workers = startJobWorkers(reporting, handlers, {
  workerName: nodeId,
  log,
  pollIntervalMs: 50,
  maxJobsToActivate: 4,
  jobTimeoutMs: Number(process.env.JOB_TIMEOUT_MS ?? 30_000),
});
process.stdout.write('ready\n');

process.on('SIGTERM', () => {
  void (async () => {
    await workers.stop();
    await engine.stop();
    await db.destroy();
    process.exit(0);
  })();
});
