import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { migrate } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from '@openspis/engine';

const HERE = import.meta.dirname;
export const DATABASE_URL = process.env.DATABASE_URL ?? '';
export const STEPS = ['first', 'second', 'third'];

/** A throw-away schema with the engine's tables and the tables the test job handler writes. */
export async function createCluster(): Promise<Cluster> {
  const schema = `sys_${randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db = knexFactory({ client: 'pg', connection: DATABASE_URL, searchPath: [schema], pool: { min: 0, max: 4 } });
  await migrate(db);
  await db.schema.createTable('system_attempts', (t) => {
    t.bigIncrements('id');
    t.text('job_key').notNullable();
    t.text('element_instance_key').notNullable();
    t.text('node_id').notNullable();
  });
  // deliberately no unique key: only the handler's idempotency check keeps an effect single
  await db.schema.createTable('system_effects', (t) => {
    t.bigIncrements('id');
    t.text('element_instance_key').notNullable();
    t.text('instance_key').notNullable();
    t.text('element_id').notNullable();
    t.text('node_id').notNullable();
  });
  await db.schema.createTable('system_counters', (t) => {
    t.text('instance_key').primary();
    t.integer('effects').notNullable().defaultTo(0);
  });
  await db.schema.createTable('system_completions', (t) => {
    t.bigIncrements('id');
    t.text('job_key').notNullable();
    t.text('node_id').notNullable();
  });
  // this process only deploys and starts instances: no timer polling, no workers
  const engine = createEmbeddedEngine({ db, nodeId: 'test' });
  await engine.deploy([{ name: 'multi-node.bpmn', content: fs.readFileSync(path.join(HERE, 'fixtures/multi-node.bpmn'), 'utf8') }]);
  return new Cluster(schema, admin, db, engine);
}

export class Cluster {
  readonly nodes = new Map<string, ChildProcess>();
  /** nodes whose workers poll */
  readonly ready = new Set<string>();
  readonly stderr: string[] = [];

  constructor(readonly schema: string, private readonly admin: Knex, readonly db: Knex, readonly engine: EmbeddedEngine) {}

  /** Starts a node in a child process and resolves when its workers poll. */
  async spawnNode(nodeId: string, env: { JOB_TIMEOUT_MS: number; HANDLER_MAX_DELAY_MS: number }): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'engine-node.ts')], {
      env: { ...process.env, DATABASE_URL, SYSTEM_SCHEMA: this.schema, NODE_ID: nodeId, JOB_TIMEOUT_MS: String(env.JOB_TIMEOUT_MS), HANDLER_MAX_DELAY_MS: String(env.HANDLER_MAX_DELAY_MS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.nodes.set(nodeId, child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { this.ready.add(nodeId); resolve(); } });
      child.once('exit', (code) => reject(new Error(`${nodeId} exited with ${code} before it was ready: ${this.stderr.join('')}`)));
    });
    return child;
  }

  /** SIGKILL: no shutdown, no cleanup, transactions in flight are cut off. */
  async kill(nodeId: string): Promise<void> {
    const child = this.nodes.get(nodeId);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.nodes.delete(nodeId);
    this.ready.delete(nodeId);
  }

  async startInstances(count: number): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const { processInstanceKey } = await this.engine.createProcessInstance({ bpmnProcessId: 'multi-node', variables: { n: i } });
      // a node may have counted the first effect already
      await this.db('system_counters').insert({ instance_key: processInstanceKey }).onConflict('instance_key').ignore();
      keys.push(processInstanceKey);
    }
    return keys;
  }

  async unfinished(): Promise<number> {
    const row = await this.db('engine_process_instances').where({ state: 'ACTIVE' }).count({ n: '*' }).first();
    return Number(row?.n);
  }

  async waitUntilAllEnded(timeoutMs: number, during?: () => Promise<void>): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await this.unfinished()) > 0) {
      if (Date.now() > until) throw new Error(`${await this.unfinished()} instances still active after ${timeoutMs} ms; node errors: ${this.stderr.join('').slice(0, 2000)}`);
      if (during) await during();
      else await sleep(200);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((id) => this.kill(id)));
    await this.engine.stop();
    await this.db.destroy();
    await this.admin.raw(`drop schema ${this.schema} cascade`);
    await this.admin.destroy();
  }

  /** Graceful stop (SIGTERM): the node finishes what it holds. */
  async stop(nodeId: string): Promise<void> {
    const child = this.nodes.get(nodeId);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.nodes.delete(nodeId);
  }
}
