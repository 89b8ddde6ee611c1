import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { activateOne, completeOne, fixture, manualClock } from './test-support';

describe('service-task jobs', () => {
  let db: Db;
  let close: () => Promise<void>;
  const clock = manualClock();
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db, clock: clock.now });
    await engine.deploy([fixture('routing.bpmn'), fixture('errors.bpmn'), fixture('gateway.bpmn')]);
  });
  afterAll(() => close());

  it('applies io mappings and headers, routes by a FEEL condition or the default flow, and joins parallel branches', async () => {
    const big = await engine.createProcessInstance({ bpmnProcessId: 'routing', variables: { amount: 60 } });
    const calc = await activateOne(engine, 'test.calc');
    expect(calc.variables).toMatchObject({ amount: 60, doubled: 120 });
    expect(calc.customHeaders).toEqual({ unit: 'CZK' });
    expect(calc.retries).toBe(2);
    await engine.completeJob(calc.jobKey, { total: 120, scratch: 'local' });
    await completeOne(engine, 'test.big');
    const vars = (await engine.getProcessInstance(big.processInstanceKey))?.variables;
    // only the output mapping reaches the process scope
    expect(vars).toMatchObject({ calculated: 120 });
    expect(vars).not.toHaveProperty('scratch');

    await completeOne(engine, 'test.left');
    expect((await engine.getProcessInstance(big.processInstanceKey))?.state).toBe('ACTIVE');
    await completeOne(engine, 'test.right');
    expect((await engine.getProcessInstance(big.processInstanceKey))?.state).toBe('COMPLETED');

    await engine.createProcessInstance({ bpmnProcessId: 'routing', variables: { amount: 1 } });
    await completeOne(engine, 'test.calc', { total: 2 });
    await completeOne(engine, 'test.small');
  });

  it('completing the same job twice advances the instance once', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    const job = await activateOne(engine, 'test.risky');
    await engine.completeJob(job.jobKey);
    await expect(engine.completeJob(job.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const fragile = await engine.activateJobs({ type: 'test.fragile', worker: 't', maxJobsToActivate: 10, timeout: 1000 });
    expect(fragile).toHaveLength(1);
    expect(fragile[0].processInstanceKey).toBe(instance.processInstanceKey);
    await engine.completeJob(fragile[0].jobKey);
  });

  it('hands out a job again when its lock expires', async () => {
    await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    const first = await activateOne(engine, 'test.risky', 60_000);
    expect(await engine.activateJobs({ type: 'test.risky', worker: 'other', maxJobsToActivate: 1, timeout: 1000 })).toEqual([]);
    clock.advance(60_001);
    const again = await activateOne(engine, 'test.risky');
    expect(again.jobKey).toBe(first.jobKey);
    expect(again.elementInstanceKey).toBe(first.elementInstanceKey);
    await engine.completeJob(again.jobKey);
    await completeOne(engine, 'test.fragile');
  });

  it('retries a failed job after its backoff, raises an incident at 0 retries, and continues once resolved', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    await completeOne(engine, 'test.risky');
    const job = await activateOne(engine, 'test.fragile');
    await engine.failJob(job.jobKey, { retries: 1, errorMessage: 'mail server down', retryBackOff: 5000 });
    expect(await engine.activateJobs({ type: 'test.fragile', worker: 't', maxJobsToActivate: 1, timeout: 1000 })).toEqual([]);
    clock.advance(5000);
    const retry = await activateOne(engine, 'test.fragile');
    expect(retry.retries).toBe(1);
    await engine.failJob(retry.jobKey, { retries: 0, errorMessage: 'still down' });

    const [incident] = await engine.searchIncidents({ processInstanceKey: instance.processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ elementId: 'fragile', jobKey: job.jobKey, errorType: 'JOB_NO_RETRIES', errorMessage: 'still down' });
    expect(await engine.activateJobs({ type: 'test.fragile', worker: 't', maxJobsToActivate: 1, timeout: 1000 })).toEqual([]);

    await engine.updateJobRetries(job.jobKey, 3);
    await engine.resolveIncident(incident.incidentKey);
    expect(await engine.searchIncidents({ processInstanceKey: instance.processInstanceKey, state: 'ACTIVE' })).toEqual([]);
    const resumed = await activateOne(engine, 'test.fragile');
    expect(resumed.retries).toBe(3);
    await engine.completeJob(resumed.jobKey);
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
  });

  it('lets an error boundary event catch a BPMN error with its variables', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    const job = await activateOne(engine, 'test.risky');
    await engine.throwJobError(job.jobKey, { errorCode: 'NOT_ALLOWED', errorMessage: 'not allowed', variables: { reason: 'x' } });
    const handler = await activateOne(engine, 'test.handle-refusal');
    expect(handler.variables.reason).toBe('x');
    await engine.completeJob(handler.jobKey);
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
  });

  it('turns an uncaught BPMN error into an incident instead of failing the instance', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    await completeOne(engine, 'test.risky');
    const job = await activateOne(engine, 'test.fragile');
    await engine.throwJobError(job.jobKey, { errorCode: 'UNKNOWN_CODE' });
    const [incident] = await engine.searchIncidents({ processInstanceKey: instance.processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ errorType: 'UNHANDLED_ERROR_EVENT', elementId: 'fragile' });
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('ACTIVE');
    await engine.resolveIncident(incident.incidentKey);
    await completeOne(engine, 'test.fragile');
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
  });

  it('a new engine object on the same database carries on (restart)', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    const job = await activateOne(engine, 'test.risky');
    await engine.stop();
    const restarted = createEmbeddedEngine({ db, clock: clock.now });
    await restarted.completeJob(job.jobKey);
    await completeOne(restarted, 'test.fragile');
    expect((await restarted.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
    engine = restarted;
  });

  it('rolls a completion back into an incident when no gateway condition holds, and continues once resolved', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'gateway' });
    const job = await activateOne(engine, 'test.pick');
    await engine.completeJob(job.jobKey, { choice: 'c' });
    const [incident] = await engine.searchIncidents({ processInstanceKey: instance.processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ jobKey: job.jobKey, errorType: 'CONDITION_ERROR' });
    // nothing of the broken run was kept: the instance still waits at the task, the variable was not set
    const stored = await engine.getProcessInstance(instance.processInstanceKey);
    expect(stored).toMatchObject({ state: 'ACTIVE' });
    expect(stored?.variables).not.toHaveProperty('choice');

    await engine.resolveIncident(incident.incidentKey);
    await completeOne(engine, 'test.pick', { choice: 'b' });
    expect(await engine.getProcessInstance(instance.processInstanceKey)).toMatchObject({ state: 'COMPLETED', variables: { choice: 'b' } });
  });

  it('never hands the same job to two engine objects polling at once', async () => {
    const keys = [];
    for (let i = 0; i < 6; i++) keys.push((await engine.createProcessInstance({ bpmnProcessId: 'gateway' })).processInstanceKey);
    const other = createEmbeddedEngine({ db, clock: clock.now });
    const poll = (e: EmbeddedEngine, worker: string) => e.activateJobs({ type: 'test.pick', worker, maxJobsToActivate: 4, timeout: 60_000 });
    const [a, b] = await Promise.all([poll(engine, 'a'), poll(other, 'b')]);
    const handed = [...a, ...b].map((j) => j.jobKey);
    expect(handed).toHaveLength(6);
    expect(new Set(handed).size).toBe(6);
    for (const key of keys) await engine.cancelProcessInstance(key);
  });

  it('cancels an instance with everything it waits for', async () => {
    const instance = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    await engine.cancelProcessInstance(instance.processInstanceKey);
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('TERMINATED');
    expect(await engine.activateJobs({ type: 'test.risky', worker: 't', maxJobsToActivate: 10, timeout: 1000 })).toEqual([]);
    await expect(engine.cancelProcessInstance(instance.processInstanceKey)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
