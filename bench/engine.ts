/**
 * `npm run bench:engine` — throughput and latency of the embedded engine on PostgreSQL, next to
 * the two ceilings it is judged against (issue 5, acceptance 4):
 *
 * - (a) start → 3 service tasks → end, the jobs done by in-process job workers (startJobWorkers);
 * - (b) a procedure with a user task that this script completes (search, then complete);
 * - bpmn-engine alone running diagram (a) in memory, no persistence (the model parsed and compiled
 *   once, as the adapter does);
 * - PostgreSQL's one-row transaction rate (BEGIN; UPDATE one row; COMMIT — pgbench-style) from
 *   Node with pg, at 1 and 8 clients.
 *
 * Each concurrency level is a closed loop: N drivers each start an instance, wait until it has
 * ended, and start the next, for 1 s unmeasured (warm-up, as for the in-memory ceiling) and then
 * for BENCH_SECONDS. Latency is start → end of one instance. Everything runs in a
 * throw-away schema that is dropped at the end. Each level also prints the CPU time per finished
 * instance of this process and of all `postgres` processes (from /proc, where there is one): unlike
 * the rates, these hold up when other work shares the machine (the postgres figure counts what
 * other clients make PostgreSQL do meanwhile too).
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_SECONDS per
 * measurement (default 8), BENCH_POOL_MAX (default 20), BENCH_CONCURRENCY (default 1,8,32).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Engine } from 'bpmn-engine';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrate, PG_SESSION_OPTIONS } from '@openspis/db';
import { createEmbeddedEngine, startJobWorkers, type EnginePort, type JobHandler, type JobLogger } from '@openspis/engine';
import { parseBpmn } from '../engine/src/embedded/bpmn-model';
import { definitionOptions } from '../engine/src/embedded/compiled-context';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS || 8);
const POOL_MAX = Number(process.env.BENCH_POOL_MAX || 20);
// like the in-memory ceiling, (a) and (b) are measured warm: without this, the first instances of
// a level (JIT compilation, new pool connections) were the slowest by far and made its p99
const WARM_UP_SECONDS = 1;
const LEVELS = (process.env.BENCH_CONCURRENCY || '1,8,32').split(',').map(Number);
// a comma list of a,b,memory,pg to run only those parts (for profiling); all by default
const ONLY = new Set((process.env.BENCH_ONLY || 'a,b,memory,pg').split(','));
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (name: string) => ({ name, content: fs.readFileSync(path.join(FIXTURES, name), 'utf8') });
const THREE_TASKS = read('bench-three-tasks.bpmn');
const USER_TASK = read('bench-user-task.bpmn');
const TASK_TYPES = ['bench.task-one', 'bench.task-two', 'bench.task-three'];

interface Result { rate: number; p50: number; p99: number; count: number; cpu?: CpuPerInstance }

/** CPU time per finished instance: robust where throughput is not (other work on the machine). */
interface CpuPerInstance { app: number; pg: number | null }

let clockTicks: number | null | undefined;
/** utime + stime in ms of each `postgres` process by pid, from /proc; null where there is no /proc */
function postgresCpuMs(): Map<string, number> | null {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = null;
    }
  }
  if (clockTicks === null) return null;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const out = new Map<string, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    // after the name: state is field 3, utime and stime are fields 14 and 15
    const fields = stat.slice(close + 2).split(' ');
    out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks);
  }
  return out;
}

/** CPU spent between two snapshots by the processes alive at the second (a backend that ended meanwhile is not counted) */
function postgresCpuDelta(before: Map<string, number> | null, after: Map<string, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, total] of after) ms += total - (before.get(pid) ?? 0);
  return ms;
}

/** measures the CPU the app process and PostgreSQL spend while fn runs, per instance it reports */
async function withCpu(fn: () => Promise<Result>): Promise<Result> {
  const pg0 = postgresCpuMs();
  const app0 = process.cpuUsage();
  const result = await fn();
  const app = process.cpuUsage(app0);
  const pg1 = postgresCpuMs();
  const n = Math.max(1, result.count);
  const pg = postgresCpuDelta(pg0, pg1);
  return { ...result, cpu: { app: (app.user + app.system) / 1000 / n, pg: pg === null ? null : pg / n } };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** N drivers run `once` back to back for `seconds`; rate counts what finished inside the window. */
async function closedLoop(concurrency: number, seconds: number, once: (driver: number) => Promise<void>): Promise<Result> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  const driver = async (_: unknown, i: number) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await once(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, driver));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

const fmtCpu = (c: CpuPerInstance | undefined) => (c ? `  cpu/inst app ${c.app.toFixed(1)} ms${c.pg === null ? '' : `, postgres ${c.pg.toFixed(1)} ms`}` : '');
const fmt = (r: Result) => `${r.rate.toFixed(1).padStart(7)} inst/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  (${r.count})${fmtCpu(r.cpu)}`;

const quiet: JobLogger & { child(): JobLogger } = { info() {}, warn() {}, error: (obj, msg) => console.error(msg, obj), child: () => quiet };

async function withSchema<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db = knexFactory({ client: 'pg', connection: { connectionString: DATABASE_URL, options: PG_SESSION_OPTIONS }, searchPath: [schema], pool: { min: 0, max: POOL_MAX } });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.destroy();
    await admin.raw(`drop schema ${schema} cascade`);
    await admin.destroy();
  }
}

/** (a): the drivers start instances; the job workers complete the jobs; the third completion ends the instance. */
async function benchServiceTasks(db: Knex, concurrency: number): Promise<Result> {
  const engine = createEmbeddedEngine({ db, nodeId: 'bench' });
  await engine.deploy([THREE_TASKS]);
  const waiting = new Map<string, () => void>();
  const endedEarly = new Set<string>();
  const lastJobs = new Map<string, string>();
  // the instance ends inside the transaction that completes its third job: resolve its driver then
  const observed: EnginePort = Object.create(engine, {
    completeJob: {
      value: async (jobKey: string, variables?: Record<string, unknown>) => {
        await engine.completeJob(jobKey, variables);
        const done = lastJobs.get(jobKey);
        if (!done) return;
        lastJobs.delete(jobKey);
        const release = waiting.get(done);
        if (release) release();
        else endedEarly.add(done);
      },
    },
  });
  const handlers: JobHandler[] = TASK_TYPES.map((type, i) => ({
    type,
    timeout: 30_000,
    async handle(job) {
      if (i === TASK_TYPES.length - 1) lastJobs.set(job.jobKey, job.processInstanceKey);
      return { outcome: 'complete', variables: { [`step${i + 1}`]: true } };
    },
  }));
  // the app's defaults (500 ms poll, 10 jobs per type at once): the engine wakes the workers when it makes a job
  const workers = startJobWorkers(observed, handlers, { workerName: 'bench', log: quiet });
  try {
    const once = async () => {
      let release!: () => void;
      const ended = new Promise<void>((resolve) => { release = resolve; });
      const { processInstanceKey } = await engine.createProcessInstance({ bpmnProcessId: 'bench-three-tasks', variables: { amount: 100 } });
      waiting.set(processInstanceKey, release);
      if (endedEarly.delete(processInstanceKey)) release();
      await ended;
      waiting.delete(processInstanceKey);
    };
    await closedLoop(concurrency, WARM_UP_SECONDS, once);
    const result = await withCpu(() => closedLoop(concurrency, SECONDS, once));
    const notEnded = await db('engine_process_instances').where({ bpmn_process_id: 'bench-three-tasks' }).whereNot({ state: 'COMPLETED' }).count({ n: '*' }).first();
    if (Number(notEnded?.n) > concurrency) throw new Error(`${notEnded?.n} instances of (a) did not end`);
    return result;
  } finally {
    await workers.stop();
    await engine.stop();
  }
}

/** (b): start, find the user task, complete it (the gateway then takes the approved path). */
async function benchUserTask(db: Knex, concurrency: number): Promise<Result> {
  const engine = createEmbeddedEngine({ db, nodeId: 'bench' });
  await engine.deploy([USER_TASK]);
  try {
    const once = async () => {
      const { processInstanceKey } = await engine.createProcessInstance({
        bpmnProcessId: 'bench-user-task', variables: { receivedAt: '2026-12-01T08:00:00Z' },
      });
      const [task] = await engine.searchUserTasks({ processInstanceKey, state: 'CREATED' });
      if (!task) throw new Error(`no user task for instance ${processInstanceKey}`);
      await engine.completeUserTask(task.userTaskKey, { approved: true });
      const instance = await engine.getProcessInstance(processInstanceKey);
      if (instance?.state !== 'COMPLETED') throw new Error(`instance ${processInstanceKey} did not end`);
    };
    await closedLoop(concurrency, WARM_UP_SECONDS, once);
    return await withCpu(() => closedLoop(concurrency, SECONDS, once));
  } finally {
    await engine.stop();
  }
}

/** Ceiling 1: bpmn-engine alone, diagram (a), in memory; every service task calls back at once. */
async function benchBpmnEngineInMemory(concurrency: number): Promise<Result> {
  const { moddleContext } = await parseBpmn(THREE_TASKS.content);
  class Immediate {
    execute(_msg: unknown, callback: (err: Error | null, result?: unknown) => void) { setImmediate(callback, null, {}); }
  }
  const run = () => new Promise<void>((resolve, reject) => {
    const engine = new Engine({
      name: 'in-memory',
      // compiled once, as the adapter does (engine/src/embedded/compiled-context.ts)
      ...definitionOptions(moddleContext),
      Logger: () => ({ debug() {}, error() {}, warn() {} }),
      extensions: {
        immediate(activity: { type: string; behaviour: Record<string, unknown> }) {
          if (activity.type === 'bpmn:ServiceTask') activity.behaviour.Service = Immediate;
        },
      },
    } as unknown as ConstructorParameters<typeof Engine>[0]);
    engine.once('end', () => resolve());
    engine.once('error', reject);
    engine.execute().catch(reject);
  });
  await closedLoop(1, 1, run); // warm-up
  return withCpu(() => closedLoop(concurrency, SECONDS, run));
}

/** Ceiling 2: one-row transactions from Node (BEGIN; UPDATE one random row; COMMIT). */
async function benchPgOneRow(clients: number): Promise<Result> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: clients });
  const rows = 10_000;
  await pool.query(`create schema ${schema}`);
  try {
    await pool.query(`create table ${schema}.accounts (id int primary key, balance bigint not null)`);
    await pool.query(`insert into ${schema}.accounts select g, 0 from generate_series(1, ${rows}) g`);
    const conns = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    const result = await closedLoop(clients, SECONDS, async (driver) => {
      const c = conns[driver];
      await c.query('begin');
      await c.query(`update ${schema}.accounts set balance = balance + $1 where id = $2`, [1, 1 + Math.floor(Math.random() * rows)]);
      await c.query('commit');
    });
    conns.forEach((c) => c.release());
    return result;
  } finally {
    await pool.query(`drop schema ${schema} cascade`);
    await pool.end();
  }
}

const NONE: Result = { rate: NaN, p50: NaN, p99: NaN, count: 0 };

async function main(): Promise<void> {
  console.log(`bench:engine on ${DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}, ${SECONDS} s per measurement, pool ${POOL_MAX}`);
  const a = new Map<number, Result>();
  const b = new Map<number, Result>();
  for (const c of ONLY.has('a') ? LEVELS : []) {
    a.set(c, await withSchema((db) => benchServiceTasks(db, c)));
    console.log(`(a) 3 service tasks   c=${String(c).padEnd(2)} ${fmt(a.get(c)!)}`);
  }
  for (const c of ONLY.has('b') ? LEVELS : []) {
    b.set(c, await withSchema((db) => benchUserTask(db, c)));
    console.log(`(b) user task         c=${String(c).padEnd(2)} ${fmt(b.get(c)!)}`);
  }
  let mem1 = NONE, mem8 = NONE, pg8 = NONE;
  if (ONLY.has('memory')) {
    mem1 = await benchBpmnEngineInMemory(1);
    console.log(`bpmn-engine in memory c=1  ${fmt(mem1)}`);
    mem8 = await benchBpmnEngineInMemory(8);
    console.log(`bpmn-engine in memory c=8  ${fmt(mem8)}`);
  }
  if (ONLY.has('pg')) {
    const pg1 = await benchPgOneRow(1);
    console.log(`pg one-row trx        c=1  ${fmt(pg1).replace('inst/s', 'trx/s ')}`);
    pg8 = await benchPgOneRow(8);
    console.log(`pg one-row trx        c=8  ${fmt(pg8).replace('inst/s', 'trx/s ')}`);
  }

  const a8 = a.get(8)?.rate ?? NaN;
  const b8 = b.get(8)?.rate ?? NaN;
  const memCeiling = Math.max(mem1.rate, mem8.rate);
  const r1 = a8 / memCeiling;
  const r2 = a8 / pg8.rate;
  const p99 = a.get(8)?.p99 ?? NaN;
  const verdict = a8 >= 100 && p99 < 250 && r1 >= 0.5 ? 'met' : 'NOT met';
  console.log(`target (a, c=8): >= 100 inst/s, p99 < 250 ms, >= 0.5 of bpmn-engine in memory (${memCeiling.toFixed(1)}/s): ${verdict}`);
  console.log(`engine: ${a8.toFixed(1)} inst/s, ${b8.toFixed(1)} inst/s, ratio-to-bpmn-engine ${r1.toFixed(2)}, ratio-to-pg ${r2.toFixed(3)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
