import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { createTestDb } from '@openspis/db';
import { createEmbeddedEngine, createZeebeEngine, readZeebeConfig, type ActivatedJob, type EnginePort, type ProcessInstance, type Variables } from '@openspis/engine';

/**
 * The conformance suite talks to the engine through the EnginePort only, so the same tests can run
 * against any adapter. This factory is the one place that knows which engine is under test: the
 * embedded engine on PGlite by default, on PostgreSQL when DATABASE_URL is set.
 */
export interface ConformanceHarness {
  engine: EnginePort;
  /** which adapter runs the suite */
  kind: 'embedded' | 'zeebe';
  /** lets `ms` of engine time pass and fires every timer that became due */
  advance(ms: number): Promise<void>;
  /** the engine's time now: the moved clock of the embedded engine, the real time for a cluster */
  now(): Date;
  close(): Promise<void>;
}

export const DAY = 86_400_000;
const START = new Date('2026-12-01T08:00:00Z');

export async function createHarness(): Promise<ConformanceHarness> {
  // with CAMUNDA_REST_ADDRESS (and the CAMUNDA_* auth variables) the suite runs against that cluster
  if (process.env.CAMUNDA_REST_ADDRESS) return createZeebeHarness();
  const { db, close } = await createTestDb();
  let now = START.getTime();
  const engine = createEmbeddedEngine({ db, clock: () => new Date(now), timerPollIntervalMs: 10 });
  return {
    engine,
    kind: 'embedded',
    async advance(ms) {
      now += ms;
      // a fired timer may open the next one that is already due: fire until nothing is left
      for (let round = 0; round < 100 && (await engine.runDueTimers()) > 0; round++);
    },
    now: () => new Date(now),
    async close() {
      await engine.stop();
      await close();
    },
  };
}

/**
 * A real Camunda 8.8 cluster (docs/engines.md, "Conformance suite against a cluster"). Its clock
 * cannot be moved: tests that need advance() fail there with this message instead of passing.
 */
function createZeebeHarness(): ConformanceHarness {
  return {
    engine: createZeebeEngine(readZeebeConfig(process.env)),
    kind: 'zeebe',
    async advance() {
      throw new Error('advance(): the clock of a real Zeebe cluster cannot be moved');
    },
    now: () => new Date(),
    async close() {},
  };
}

/** engine time at the start of every harness */
export const START_TIME = START;

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
export function bpmn(name: string): { name: string; content: string } {
  return { name, content: fs.readFileSync(path.join(FIXTURES, name), 'utf8') };
}

export async function activateOne(engine: EnginePort, type: string, timeout = 30_000): Promise<ActivatedJob> {
  const jobs = await engine.activateJobs({ type, worker: 'conformance', maxJobsToActivate: 10, timeout });
  expect(jobs.map((j) => j.type)).toEqual([type]);
  return jobs[0];
}

export async function completeOne(engine: EnginePort, type: string, variables?: Variables): Promise<ActivatedJob> {
  const job = await activateOne(engine, type);
  await engine.completeJob(job.jobKey, variables);
  return job;
}

export async function noJobs(engine: EnginePort, type: string): Promise<void> {
  expect(await engine.activateJobs({ type, worker: 'conformance', maxJobsToActivate: 10, timeout: 1000 })).toEqual([]);
}

export async function instanceOf(engine: EnginePort, key: string): Promise<ProcessInstance> {
  const instance = await engine.getProcessInstance(key);
  expect(instance).not.toBeNull();
  return instance!;
}

export async function openTask(engine: EnginePort, processInstanceKey: string) {
  const tasks = await engine.searchUserTasks({ processInstanceKey, state: 'CREATED' });
  expect(tasks).toHaveLength(1);
  return tasks[0];
}
