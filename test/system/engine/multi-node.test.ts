import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, createCluster, DATABASE_URL, STEPS } from './cluster';

/**
 * Several engine nodes (child processes) against one PostgreSQL: they share the load, no job is
 * completed twice, no timer is lost, and SIGKILL at random points loses nothing.
 */
const INSTANCES = 40;

async function expectEveryInstanceDoneOnce(cluster: Cluster, keys: string[]): Promise<void> {
  const { db } = cluster;
  const states = await db('engine_process_instances').whereIn('key', keys).select('key', 'state');
  expect(states.filter((s) => s.state !== 'COMPLETED')).toEqual([]);
  expect(states).toHaveLength(keys.length);

  // each job's effect applied exactly once
  const counters = await db('system_counters').whereIn('instance_key', keys).select('instance_key', 'effects');
  expect(counters.filter((c) => c.effects !== STEPS.length)).toEqual([]);
  const effects = await db('system_effects').select('element_instance_key').count({ n: '*' }).groupBy('element_instance_key');
  expect(effects.filter((e) => Number(e.n) !== 1)).toEqual([]);
  expect(effects).toHaveLength(keys.length * STEPS.length);

  // one job per task per instance, every one completed, none completed twice
  const jobs = await db('engine_jobs').whereIn('instance_key', keys).select('instance_key', 'element_id', 'state');
  expect(jobs).toHaveLength(keys.length * STEPS.length);
  expect(jobs.filter((j) => j.state !== 'COMPLETED')).toEqual([]);
  const twice = await db('system_completions').select('job_key').count({ n: '*' }).groupBy('job_key').havingRaw('count(*) > 1');
  expect(twice).toEqual([]);

  // the timer of every instance fired once: none lost, none fired twice
  const pauses = await db('engine_events').whereIn('instance_key', keys).where({ element_id: 'pause', event: 'ELEMENT_LEFT' })
    .select('instance_key').count({ n: '*' }).groupBy('instance_key');
  expect(pauses).toHaveLength(keys.length);
  expect(pauses.filter((p) => Number(p.n) !== 1)).toEqual([]);
  expect(await db('engine_timers').count({ n: '*' }).first()).toEqual({ n: '0' });
}

// several engine processes on one database need a server: `npm run test:system` runs with DATABASE_URL
// (as `.ci/run` does), and without one this file fails instead of passing with nothing run
describe('embedded engine on several nodes (PostgreSQL)', () => {
  let cluster: Cluster | null = null;
  beforeAll(() => {
    if (!DATABASE_URL) throw new Error('this test needs PostgreSQL: set DATABASE_URL (engine processes cannot share one PGlite)');
  });
  afterEach(async () => {
    await cluster?.close();
    cluster = null;
  });

  it('two nodes share the load: every job completed once, every timer fired once', async () => {
    // given two nodes whose job locks never expire during the test
    cluster = await createCluster();
    await Promise.all(['node-a', 'node-b'].map((id) => cluster!.spawnNode(id, { JOB_TIMEOUT_MS: 60_000, HANDLER_MAX_DELAY_MS: 20 })));

    // when instances are started while both run
    const keys = await cluster.startInstances(INSTANCES);
    await cluster.waitUntilAllEnded(90_000);
    await cluster.stop('node-a');
    await cluster.stop('node-b');

    // then everything ended once, and both nodes did part of the work
    await expectEveryInstanceDoneOnce(cluster, keys);
    const completions = await cluster.db('system_completions').select('job_key', 'node_id');
    expect(completions).toHaveLength(INSTANCES * STEPS.length);
    expect(new Set(completions.map((c) => c.node_id))).toEqual(new Set(['node-a', 'node-b']));
    // no lock expired, so no job was handed out twice
    const attempts = await cluster.db('system_attempts').count({ n: '*' }).first();
    expect(Number(attempts?.n)).toBe(INSTANCES * STEPS.length);
  });

  it('SIGKILL at random points under load: every instance still ends, each effect applied once', async () => {
    // given two nodes with a short job lock, so that jobs of a killed node come back quickly
    cluster = await createCluster();
    const env = { JOB_TIMEOUT_MS: 1500, HANDLER_MAX_DELAY_MS: 100 };
    let generation = 0;
    const live = ['node-a-0', 'node-b-0'];
    await Promise.all(live.map((id) => cluster!.spawnNode(id, env)));
    const keys = await cluster.startInstances(INSTANCES);

    // when, while they work, a random node is killed every 0.3–1.2 s (8 times) and a new one started
    let kills = 0;
    const replacements: Promise<unknown>[] = [];
    const chaos = (async () => {
      while (kills < 8 && (await cluster!.unfinished()) > 0) {
        await sleep(300 + Math.random() * 900);
        const ready = live.filter((id) => cluster!.nodes.has(id) && cluster!.ready.has(id));
        if (!ready.length) continue;
        const victim = ready[Math.floor(Math.random() * ready.length)];
        await cluster!.kill(victim);
        kills++;
        const next = `${victim.replace(/-\d+$/, '')}-${++generation}`;
        live[live.indexOf(victim)] = next;
        replacements.push(cluster!.spawnNode(next, env).catch(() => undefined));
      }
    })();
    await cluster.waitUntilAllEnded(100_000);
    await chaos;
    await Promise.all(replacements);

    // then no instance, job effect or timer was lost or doubled
    expect(kills).toBeGreaterThanOrEqual(3);
    await expectEveryInstanceDoneOnce(cluster, keys);
  });
});
