import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, instanceOf, noJobs, type ConformanceHarness } from './harness';

const HOUR = 3_600_000;

describe('conformance: script, send and receive tasks, event-based gateway, subprocess, error and terminate end events', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('elements.bpmn'), bpmn('subprocess.bpmn'), bpmn('error-end.bpmn')]);
  });
  afterAll(() => h.close());

  const left = async (processInstanceKey: string) => (await h.engine.getProcessInstanceHistory(processInstanceKey))
    .filter((e) => e.event === 'ELEMENT_LEFT').map((e) => e.elementId);

  it('evaluates a zeebe:script FEEL expression into its result variable, hands a send task out as a job, and waits in a receive task for its message', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-elements', variables: { a: 2, b: 3, caseId: 'c-1' } });
    const notify = await activateOne(h.engine, 'conf.notify');
    expect(notify).toMatchObject({ processInstanceKey, elementId: 'notify' });
    expect(notify.variables).toMatchObject({ sum: 5 });
    await h.engine.completeJob(notify.jobKey);
    expect(await left(processInstanceKey)).not.toContain('await-reply');
    expect((await h.engine.publishMessage({ name: 'conf-reply', correlationKey: 'c-2' })).correlated).toBe(false);
    expect((await h.engine.publishMessage({ name: 'conf-reply', correlationKey: 'c-1', variables: { reply: 'ok' } })).correlated).toBe(true);
    expect(await left(processInstanceKey)).toContain('await-reply');
    // at the event-based gateway: the message wins, the timer is dropped
    expect((await h.engine.publishMessage({ name: 'conf-answer', correlationKey: 'c-1' })).correlated).toBe(true);
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done).toMatchObject({ state: 'COMPLETED', variables: { sum: 5, reply: 'ok' } });
    expect(await left(processInstanceKey)).toContain('answered');
    await h.advance(2 * HOUR);
    expect(await left(processInstanceKey)).not.toContain('silent');
  });

  it('takes the timer branch of an event-based gateway when no message comes, and drops the message subscription', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-elements', variables: { a: 1, b: 1, caseId: 'c-3' } });
    await completeOne(h.engine, 'conf.notify');
    await h.engine.publishMessage({ name: 'conf-reply', correlationKey: 'c-3' });
    await h.advance(HOUR);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    expect(await left(processInstanceKey)).toContain('silent');
    expect((await h.engine.publishMessage({ name: 'conf-answer', correlationKey: 'c-3' })).correlated).toBe(false);
  });

  it('runs an embedded subprocess, then ends the whole instance at a terminate end event', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-sub', variables: { broken: false } });
    const a = await activateOne(h.engine, 'conf.inner-a');
    expect(a.elementId).toBe('inner-a');
    await h.engine.completeJob(a.jobKey, { fromInside: 1 });
    await completeOne(h.engine, 'conf.inner-b');
    const slow = await activateOne(h.engine, 'conf.slow');
    await completeOne(h.engine, 'conf.quick');
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done).toMatchObject({ state: 'COMPLETED', variables: { fromInside: 1 } });
    // the terminate end event ended the other branch too
    await expect(h.engine.completeJob(slow.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await left(processInstanceKey)).toEqual(expect.arrayContaining(['inner-a', 'inner-b', 'inner-end', 'inner', 'terminate']));
    expect(await left(processInstanceKey)).not.toContain('slow-end');
  });

  it('an error end event inside the subprocess is caught by the error boundary event on it', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-sub', variables: { broken: false } });
    await completeOne(h.engine, 'conf.inner-a', { broken: true });
    await noJobs(h.engine, 'conf.inner-b');
    await completeOne(h.engine, 'conf.repair');
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    const history = await h.engine.getProcessInstanceHistory(processInstanceKey);
    expect(history.filter((e) => e.event === 'ELEMENT_ENTERED').map((e) => e.elementId)).toContain('inner-error');
    expect(await left(processInstanceKey)).toEqual(expect.arrayContaining(['inner-failed', 'repair', 'repaired']));
    // interrupted by the error: entered, never completed
    expect(await left(processInstanceKey)).not.toContain('inner');
    await noJobs(h.engine, 'conf.slow');
  });

  it('a BPMN error thrown by a job inside the subprocess is caught by the error boundary event on the subprocess', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-sub', variables: { broken: false } });
    const a = await activateOne(h.engine, 'conf.inner-a');
    await h.engine.throwJobError(a.jobKey, { errorCode: 'INNER_FAILED' });
    await completeOne(h.engine, 'conf.repair');
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    expect(await h.engine.searchIncidents({ processInstanceKey })).toEqual([]);
  });

  it('an error end event nobody catches is an incident', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-error-end' });
    await completeOne(h.engine, 'conf.check');
    const [incident] = await h.engine.searchIncidents({ processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ elementId: 'refused', errorType: 'UNHANDLED_ERROR_EVENT' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('ACTIVE');
  });
});
