import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, instanceOf, noJobs, type ConformanceHarness } from './harness';

describe('conformance: job semantics and incidents', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('jobs.bpmn')]);
  });
  afterAll(() => h.close());

  const start = (variables: Record<string, unknown> = {}) => h.engine.createProcessInstance({ bpmnProcessId: 'conf-jobs', variables });
  const activeIncidents = (processInstanceKey: string) => h.engine.searchIncidents({ processInstanceKey, state: 'ACTIVE' });

  it('locks an activated job for the timeout of that activation request; an expired lock hands it out again', async () => {
    const { processInstanceKey } = await start();
    const first = await activateOne(h.engine, 'conf.risky', 60_000);
    expect(first.processInstanceKey).toBe(processInstanceKey);
    expect(new Date(first.deadline).getTime() - h.now().getTime()).toBeGreaterThan(-1); // an absolute time
    await noJobs(h.engine, 'conf.risky');
    await h.advance(60_001);
    // a short lock this time: the timeout belongs to each request
    const second = await activateOne(h.engine, 'conf.risky', 1000);
    expect(second.jobKey).toBe(first.jobKey);
    expect(second.elementInstanceKey).toBe(first.elementInstanceKey);
    await h.advance(1001);
    const third = await activateOne(h.engine, 'conf.risky', 60_000);
    expect(third.jobKey).toBe(first.jobKey);
    await h.engine.completeJob(third.jobKey, { checked: 'yes' });
    const next = await activateOne(h.engine, 'conf.fragile');
    expect(next.variables).toMatchObject({ checked: 'yes' });
    await h.engine.completeJob(next.jobKey, { choice: 'b' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('a new timeout locks an activated job from now on (a worker still at it keeps it); a settled job refuses one', async () => {
    const { processInstanceKey } = await start();
    const job = await activateOne(h.engine, 'conf.risky', 1000);
    await h.advance(900);
    await h.engine.updateJobTimeout(job.jobKey, 1000);
    // past the lock of the activation, within the renewed one
    await h.advance(900);
    await noJobs(h.engine, 'conf.risky');
    await h.advance(101);
    const again = await activateOne(h.engine, 'conf.risky', 60_000);
    expect(again.jobKey).toBe(job.jobKey);
    await h.engine.completeJob(again.jobKey);
    await expect(h.engine.updateJobTimeout(job.jobKey, 1000)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.updateJobTimeout(job.jobKey, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await h.engine.cancelProcessInstance(processInstanceKey);
  });

  it('a completed job cannot be completed, failed or errored again', async () => {
    const { processInstanceKey } = await start();
    const job = await completeOne(h.engine, 'conf.risky');
    await expect(h.engine.completeJob(job.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.failJob(job.jobKey, { retries: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.engine.throwJobError(job.jobKey, { errorCode: 'NOT_ALLOWED' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await h.engine.cancelProcessInstance(processInstanceKey);
  });

  it('retries a failed job after its backoff; at 0 retries an incident; updating retries and resolving continues', async () => {
    const { processInstanceKey } = await start();
    await completeOne(h.engine, 'conf.risky');
    const job = await activateOne(h.engine, 'conf.fragile');
    expect(job.retries).toBe(2);
    await h.engine.failJob(job.jobKey, { retries: 1, errorMessage: 'mail server down', retryBackOff: 5000 });
    await noJobs(h.engine, 'conf.fragile');
    await h.advance(5000);
    const retry = await activateOne(h.engine, 'conf.fragile');
    expect(retry).toMatchObject({ jobKey: job.jobKey, retries: 1 });
    await h.engine.failJob(retry.jobKey, { retries: 0, errorMessage: 'still down' });

    const [incident] = await activeIncidents(processInstanceKey);
    expect(incident).toMatchObject({ processInstanceKey, elementId: 'fragile', jobKey: job.jobKey, errorType: 'JOB_NO_RETRIES', errorMessage: 'still down', state: 'ACTIVE' });
    await noJobs(h.engine, 'conf.fragile');

    await h.engine.updateJobRetries(job.jobKey, 3);
    await h.engine.resolveIncident(incident.incidentKey);
    expect(await activeIncidents(processInstanceKey)).toEqual([]);
    expect((await h.engine.searchIncidents({ processInstanceKey, state: 'RESOLVED' })).map((i) => i.incidentKey)).toEqual([incident.incidentKey]);
    const resumed = await activateOne(h.engine, 'conf.fragile');
    expect(resumed.retries).toBe(3);
    await h.engine.completeJob(resumed.jobKey, { choice: 'b' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    await expect(h.engine.resolveIncident(incident.incidentKey)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('variables given when failing a job are local to its task: the next attempt sees them, the instance does not keep them', async () => {
    const { processInstanceKey } = await start();
    await completeOne(h.engine, 'conf.risky');
    const job = await activateOne(h.engine, 'conf.fragile');
    await h.engine.failJob(job.jobKey, { retries: 1, errorMessage: 'mail server down', variables: { attempt: 1, lastError: 'timeout' } });
    const retry = await activateOne(h.engine, 'conf.fragile');
    expect(retry.variables).toMatchObject({ attempt: 1, lastError: 'timeout' });
    expect((await instanceOf(h.engine, processInstanceKey)).variables).not.toHaveProperty('attempt');

    // failed again with no retries and a newer value: the incident is resolved and the job sees that value
    await h.engine.failJob(retry.jobKey, { retries: 0, errorMessage: 'still down', variables: { attempt: 2 } });
    const [incident] = await activeIncidents(processInstanceKey);
    await h.engine.updateJobRetries(job.jobKey, 1);
    await h.engine.resolveIncident(incident.incidentKey);
    const resumed = await activateOne(h.engine, 'conf.fragile');
    expect(resumed.variables).toMatchObject({ attempt: 2, lastError: 'timeout' });

    await h.engine.completeJob(resumed.jobKey, { choice: 'b' });
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done.state).toBe('COMPLETED');
    expect(done.variables).not.toHaveProperty('attempt');
    expect(done.variables).not.toHaveProperty('lastError');
  });

  it('a BPMN error thrown by a job is caught by the error boundary event, with its variables', async () => {
    const { processInstanceKey } = await start();
    const job = await activateOne(h.engine, 'conf.risky');
    await h.engine.throwJobError(job.jobKey, { errorCode: 'NOT_ALLOWED', errorMessage: 'no permit', variables: { reason: 'no permit' } });
    const handler = await activateOne(h.engine, 'conf.handle-refusal');
    expect(handler).toMatchObject({ processInstanceKey, elementId: 'handle-refusal' });
    expect(handler.variables).toMatchObject({ reason: 'no permit' });
    await h.engine.completeJob(handler.jobKey);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('an uncaught BPMN error is an incident; resolving hands the job out again', async () => {
    const { processInstanceKey } = await start();
    await completeOne(h.engine, 'conf.risky');
    const job = await activateOne(h.engine, 'conf.fragile');
    await h.engine.throwJobError(job.jobKey, { errorCode: 'NOBODY_CATCHES' });
    const [incident] = await activeIncidents(processInstanceKey);
    expect(incident).toMatchObject({ elementId: 'fragile', errorType: 'UNHANDLED_ERROR_EVENT' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('ACTIVE');
    await h.engine.resolveIncident(incident.incidentKey);
    await completeOne(h.engine, 'conf.fragile', { choice: 'b' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('no matching gateway path is an incident; the completion is undone, and resolving lets the job be completed again', async () => {
    const { processInstanceKey } = await start();
    await completeOne(h.engine, 'conf.risky');
    const job = await activateOne(h.engine, 'conf.fragile');
    await h.engine.completeJob(job.jobKey, { choice: 'z' });
    const [incident] = await activeIncidents(processInstanceKey);
    expect(incident).toMatchObject({ elementId: 'route', errorType: 'CONDITION_ERROR' });
    expect((await instanceOf(h.engine, processInstanceKey)).variables).not.toHaveProperty('choice');
    await h.engine.resolveIncident(incident.incidentKey);
    await completeOne(h.engine, 'conf.fragile', { choice: 'b' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('a FEEL expression that cannot be evaluated (a job type from a missing variable) is an incident; resolving continues', async () => {
    const { processInstanceKey } = await start();
    await completeOne(h.engine, 'conf.risky');
    const job = await activateOne(h.engine, 'conf.fragile');
    await h.engine.completeJob(job.jobKey, { choice: 'a' });
    const [incident] = await activeIncidents(processInstanceKey);
    expect(incident).toMatchObject({ elementId: 'next', errorType: 'EXTRACT_VALUE_ERROR' });
    expect(incident.errorMessage).toMatch(/nextType/);
    await h.engine.resolveIncident(incident.incidentKey);
    await completeOne(h.engine, 'conf.fragile', { choice: 'a', nextType: 'conf.next' });
    await completeOne(h.engine, 'conf.next');
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('keeps an event log per instance: elements entered and left, variables changed, incidents created and resolved', async () => {
    const { processInstanceKey } = await start({ applicant: 'Jana' });
    await completeOne(h.engine, 'conf.risky', { checked: true });
    const job = await activateOne(h.engine, 'conf.fragile');
    await h.engine.failJob(job.jobKey, { retries: 0, errorMessage: 'down' });
    const [incident] = await activeIncidents(processInstanceKey);
    await h.engine.resolveIncident(incident.incidentKey);
    await completeOne(h.engine, 'conf.fragile', { choice: 'b' });

    const history = await h.engine.getProcessInstanceHistory(processInstanceKey);
    const steps = history.map((e) => `${e.event}:${e.elementId ?? ''}`);
    const order = (step: string) => steps.indexOf(step);
    for (const step of ['ELEMENT_ENTERED:start', 'ELEMENT_LEFT:start', 'ELEMENT_ENTERED:risky', 'ELEMENT_LEFT:risky', 'ELEMENT_ENTERED:fragile',
      'INCIDENT_CREATED:fragile', 'INCIDENT_RESOLVED:fragile', 'ELEMENT_LEFT:fragile', 'ELEMENT_LEFT:done-b', 'PROCESS_COMPLETED:conf-jobs']) {
      expect(steps).toContain(step);
    }
    // bpmn-engine enters the next element before it reports the previous one left; commands are in order
    expect(order('ELEMENT_LEFT:risky')).toBeLessThan(order('INCIDENT_CREATED:fragile'));
    expect(order('INCIDENT_CREATED:fragile')).toBeLessThan(order('INCIDENT_RESOLVED:fragile'));
    expect(order('INCIDENT_RESOLVED:fragile')).toBeLessThan(order('ELEMENT_LEFT:fragile'));
    // the error boundary event never fired
    expect(steps).not.toContain('ELEMENT_LEFT:refused');
    expect(steps).not.toContain('ELEMENT_ENTERED:next');
    expect(history.find((e) => e.elementId === 'risky')).toMatchObject({ elementType: 'bpmn:ServiceTask', processInstanceKey });
    expect(history.find((e) => e.event === 'INCIDENT_CREATED')?.details).toMatchObject({ incidentKey: incident.incidentKey, errorType: 'JOB_NO_RETRIES', errorMessage: 'down' });
    const changes = history.filter((e) => e.event === 'VARIABLES_CHANGED').map((e) => e.details?.variables);
    expect(changes).toEqual([{ applicant: 'Jana' }, { checked: true }, { choice: 'b' }]);
    expect(history.every((e) => !Number.isNaN(Date.parse(e.occurredAt)))).toBe(true);
    expect(await h.engine.getProcessInstanceHistory('999999')).toEqual([]);
  });
});
