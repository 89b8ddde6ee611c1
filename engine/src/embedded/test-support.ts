import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ActivatedJob, EnginePort, Variables } from '../port';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
export const PROCESSES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../processes');

export function fixture(name: string): { name: string; content: string } {
  return { name, content: fs.readFileSync(path.join(FIXTURES, name), 'utf8') };
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-12-01T08:00:00Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) { now += ms; },
  };
}

export const DAY = 86_400_000;

/** Activates exactly one job of the type (failing the test otherwise). */
export async function activateOne(engine: EnginePort, type: string, timeout = 30_000): Promise<ActivatedJob> {
  const jobs = await engine.activateJobs({ type, worker: 'test', maxJobsToActivate: 5, timeout });
  expect(jobs.map((j) => j.type)).toEqual([type]);
  return jobs[0];
}

export async function completeOne(engine: EnginePort, type: string, variables?: Variables): Promise<ActivatedJob> {
  const job = await activateOne(engine, type);
  await engine.completeJob(job.jobKey, variables);
  return job;
}
