import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded/embedded-engine';
import { fixture } from './embedded/test-support';
import { startJobWorkers } from './job-workers';
import type { JobHandler } from './port';

function recordingLogger() {
  const lines: { bindings: object; obj: object; msg?: string }[] = [];
  const make = (bindings: object) => {
    const at = (obj: object, msg?: string) => { lines.push({ bindings, obj, msg }); };
    return { info: at, warn: at, error: at, child: (more: object) => make({ ...bindings, ...more }) };
  };
  return { log: make({}), lines };
}

describe('job workers', () => {
  let db: Db;
  let close: () => Promise<void>;
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db });
    await engine.deploy([fixture('errors.bpmn')]);
  });
  afterAll(() => close());

  it('completes, fails with backoff when a handler throws, and logs per job without variables', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors', variables: { birthNumber: '010101/1234' } });
    let fragileCalls = 0;
    const handlers: JobHandler[] = [
      { type: 'test.risky', handle: async (job, { log }) => { log.info({}, 'working'); return { outcome: 'complete', variables: { seen: job.variables.birthNumber !== undefined } }; } },
      {
        type: 'test.fragile',
        handle: async () => {
          fragileCalls++;
          if (fragileCalls === 1) throw new Error('SMTP timeout');
          return { outcome: 'complete' };
        },
      },
    ];
    const { log, lines } = recordingLogger();
    const workers = startJobWorkers(engine, handlers, { workerName: 'test-node', log, pollIntervalMs: 20, baseBackoffMs: 50 });
    await expect.poll(async () => (await engine.getProcessInstance(instance.processInstanceKey))?.state, { timeout: 10_000 }).toBe('COMPLETED');
    await workers.stop();

    expect(fragileCalls).toBe(2);
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.variables?.seen).toBe(true);
    const thrown = lines.find((l) => l.msg === 'job handler threw');
    expect(thrown?.bindings).toMatchObject({ processInstanceKey: instance.processInstanceKey, jobType: 'test.fragile', worker: 'test-node' });
    expect(thrown?.obj).toMatchObject({ retries: 1, retryBackOff: 50 });
    expect(lines.find((l) => l.msg === 'working')?.bindings).toHaveProperty('jobKey');
    expect(JSON.stringify(lines)).not.toContain('010101/1234');
  });

  it('maps a BPMN error outcome to the error boundary and a fail outcome to an incident at 0 retries', async () => {
    const refused = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    const { log } = recordingLogger();
    const workers = startJobWorkers(engine, [
      { type: 'test.risky', handle: async () => ({ outcome: 'error', errorCode: 'NOT_ALLOWED' }) },
      { type: 'test.handle-refusal', handle: async () => ({ outcome: 'fail', errorMessage: 'bad input', retries: 0 }) },
    ], { workerName: 'w', log, pollIntervalMs: 20 });
    await expect.poll(async () => (await engine.searchIncidents({ processInstanceKey: refused.processInstanceKey })).length, { timeout: 10_000 }).toBe(1);
    await workers.stop();
    const [incident] = await engine.searchIncidents({ processInstanceKey: refused.processInstanceKey });
    expect(incident).toMatchObject({ elementId: 'handle-refusal', errorType: 'JOB_NO_RETRIES', errorMessage: 'bad input' });
  });

  /** the engine with activateJobs counted, and without job push when `push` is false */
  function observe(push: boolean) {
    const polls: string[] = [];
    const observed = Object.create(engine, {
      activateJobs: { value: (req: Parameters<EmbeddedEngine['activateJobs']>[0]) => { polls.push(req.type); return engine.activateJobs(req); } },
      ...(push ? {} : { streamJobs: { value: undefined } }),
    }) as EmbeddedEngine;
    return { observed, polls };
  }
  const completing = (handled: string[]) => (type: string): JobHandler => ({ type, handle: async (job) => { handled.push(job.elementId); return { outcome: 'complete' }; } });

  /** an engine on the same database whose clock the test moves, its polls counted, and a handler of `test.risky` held until released */
  function slowRisky() {
    let now = Date.now();
    const timed = createEmbeddedEngine({ db, clock: () => new Date(now) });
    const polls: string[] = [];
    const observed = Object.create(timed, {
      activateJobs: { value: (req: Parameters<EmbeddedEngine['activateJobs']>[0]) => { polls.push(req.type); return timed.activateJobs(req); } },
    }) as EmbeddedEngine;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const runs: string[] = [];
    const handlers: JobHandler[] = [
      { type: 'test.risky', handle: async (job) => { runs.push(job.jobKey); await held; return { outcome: 'complete' }; } },
      { type: 'test.fragile', handle: async () => ({ outcome: 'complete' }) },
    ];
    const lockOf = async (instanceKey: string) => new Date((await db('engine_jobs').where({ instance_key: instanceKey, element_id: 'risky' }).first('deadline')).deadline).getTime();
    return { timed, observed, polls, release, runs, handlers, lockOf, clock: { now: () => now, advance: (ms: number) => { now += ms; } } };
  }

  it('renews the lock of a job while its handler runs: another node cannot take it when the first lock has run out', async () => {
    // given a worker that polls once a minute, locks for a second and is still handling a job
    const { log } = recordingLogger();
    const s = slowRisky();
    const workers = startJobWorkers(s.observed, s.handlers, { workerName: 'slow', log, pollIntervalMs: 60_000, jobTimeoutMs: 1000 });
    const instance = await s.timed.createProcessInstance({ bpmnProcessId: 'errors' });
    await expect.poll(() => s.runs.length).toBe(1);

    // when the engine's time passes the lock many times over
    s.clock.advance(600_000);

    // then the worker renews the lock from the new time on, and another node gets nothing
    await expect.poll(() => s.lockOf(instance.processInstanceKey), { timeout: 10_000 }).toBeGreaterThan(s.clock.now());
    const other = createEmbeddedEngine({ db, clock: () => new Date(s.clock.now()) });
    expect(await other.activateJobs({ type: 'test.risky', worker: 'other', maxJobsToActivate: 1, timeout: 1000 })).toEqual([]);
    s.release();
    await expect.poll(async () => (await engine.getProcessInstance(instance.processInstanceKey))?.state, { timeout: 10_000 }).toBe('COMPLETED');
    await workers.stop();
    expect(s.runs).toHaveLength(1);
  });

  it('does not start a job again that its own handler is still at when a poll hands it out again', async () => {
    // given a worker polling often that is still handling a job
    const { log } = recordingLogger();
    const s = slowRisky();
    const workers = startJobWorkers(s.observed, s.handlers, { workerName: 'busy', log, pollIntervalMs: 20, jobTimeoutMs: 1000 });
    const instance = await s.timed.createProcessInstance({ bpmnProcessId: 'errors' });
    await expect.poll(() => s.runs.length).toBe(1);

    // when its lock has run out and the worker polls again, which hands the job to it once more
    s.clock.advance(600_000);
    const polled = s.polls.length;
    await expect.poll(() => s.polls.length, { timeout: 10_000 }).toBeGreaterThan(polled + 5);
    expect(await s.lockOf(instance.processInstanceKey)).toBeGreaterThan(s.clock.now());

    // then the running handler alone completes it
    s.release();
    await expect.poll(async () => (await engine.getProcessInstance(instance.processInstanceKey))?.state, { timeout: 10_000 }).toBe('COMPLETED');
    await workers.stop();
    expect(s.runs).toHaveLength(1);
  });

  it('activates a job made on this node at once instead of waiting for the next poll', async () => {
    // given workers (without job push) that poll only once a minute, already asleep after finding nothing
    const { log } = recordingLogger();
    const handled: string[] = [];
    const { observed, polls } = observe(false);
    const workers = startJobWorkers(observed, ['test.risky', 'test.fragile'].map(completing(handled)), { workerName: 'w', log, pollIntervalMs: 60_000 });
    await expect.poll(() => polls.length).toBe(2);

    // when an instance makes the first job, then completing it makes the second
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });

    // then both were handled long before a poll would have come, each woken by the commit that made it
    await expect.poll(async () => (await engine.getProcessInstance(instance.processInstanceKey))?.state, { timeout: 20_000 }).toBe('COMPLETED');
    await workers.stop();
    expect(handled).toEqual(['risky', 'fragile']);
    expect(polls.length).toBeGreaterThan(2);
  });

  it('hands a job made on this node straight to a local worker with room, activated for it, without polling', async () => {
    // given workers that poll only once a minute, already asleep after finding nothing
    const { log } = recordingLogger();
    const handled: string[] = [];
    const { observed, polls } = observe(true);
    const workers = startJobWorkers(observed, ['test.risky', 'test.fragile'].map(completing(handled)), { workerName: 'pushed-to', log, pollIntervalMs: 60_000 });
    await expect.poll(() => polls.length).toBe(2);

    // when an instance makes the first job, then completing it makes the second
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });

    // then both were handed over as they were made: no activation was needed, and each was locked for this worker
    await expect.poll(async () => (await engine.getProcessInstance(instance.processInstanceKey))?.state, { timeout: 20_000 }).toBe('COMPLETED');
    await workers.stop();
    expect(handled).toEqual(['risky', 'fragile']);
    expect(polls).toHaveLength(2);
    const jobs = await db('engine_jobs').where({ instance_key: instance.processInstanceKey }).orderBy('key');
    expect(jobs.map((j) => [j.element_id, j.state, j.worker])).toEqual([['risky', 'COMPLETED', 'pushed-to'], ['fragile', 'COMPLETED', 'pushed-to']]);
  });
});
