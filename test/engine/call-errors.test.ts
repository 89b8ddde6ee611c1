import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, instanceOf, noJobs, type ConformanceHarness } from './harness';

describe('conformance: BPMN errors across call activities', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([
      bpmn('call-error-child.bpmn'), bpmn('call-error-parent.bpmn'), bpmn('call-error-middle.bpmn'), bpmn('call-error-grand.bpmn'), bpmn('call-terminate.bpmn'),
    ]);
  });
  afterAll(() => h.close());

  const entered = async (processInstanceKey: string) => (await h.engine.getProcessInstanceHistory(processInstanceKey))
    .filter((e) => e.event === 'ELEMENT_ENTERED').map((e) => e.elementId);

  it('an error end event in the called process is caught by the error boundary event on the call activity; the child is terminated', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-err-parent', variables: { atOnce: false } });
    const check = await activateOne(h.engine, 'conf.err-check');
    expect(check.processInstanceKey).not.toBe(parent.processInstanceKey);
    await h.engine.completeJob(check.jobKey, { verdict: 'refuse' });

    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('TERMINATED');
    const handle = await activateOne(h.engine, 'conf.err-handle');
    expect(handle.processInstanceKey).toBe(parent.processInstanceKey);
    // an interrupted call activity passes none of the child's variables back
    expect(handle.variables).not.toHaveProperty('verdict');
    await h.engine.completeJob(handle.jobKey);
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('COMPLETED');
    expect(await entered(parent.processInstanceKey)).toEqual(expect.arrayContaining(['call', 'caught', 'handle', 'handled']));
    expect(await entered(parent.processInstanceKey)).not.toContain('end');
  });

  it('a BPMN error thrown by a job of the called process is caught on the call activity', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-err-parent', variables: { atOnce: false } });
    const check = await activateOne(h.engine, 'conf.err-check');
    await h.engine.throwJobError(check.jobKey, { errorCode: 'REFUSED', errorMessage: 'no permit' });
    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('TERMINATED');
    await completeOne(h.engine, 'conf.err-handle');
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('COMPLETED');
    expect(await h.engine.searchIncidents({ processInstanceKey: check.processInstanceKey, state: 'ACTIVE' })).toEqual([]);
  });

  it('a called process that throws at once, while the call activity starts it, is caught on the call activity', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-err-parent', variables: { atOnce: true } });
    const handle = await activateOne(h.engine, 'conf.err-handle');
    expect(handle.processInstanceKey).toBe(parent.processInstanceKey);
    await noJobs(h.engine, 'conf.err-check');
    await h.engine.completeJob(handle.jobKey);
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('COMPLETED');
  });

  it('the error travels up more than one call: a subprocess around the grandparent\'s call activity catches it, both called instances end', async () => {
    const grand = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-err-grand', variables: { atOnce: false } });
    const check = await activateOne(h.engine, 'conf.err-check');
    await h.engine.completeJob(check.jobKey, { verdict: 'refuse' });
    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('TERMINATED');
    expect((await instanceOf(h.engine, grand.processInstanceKey)).state).toBe('COMPLETED');
    expect(await entered(grand.processInstanceKey)).toContain('handled');
    expect(await entered(grand.processInstanceKey)).not.toContain('end');
  });

  it('an error that no caller catches is an incident in the called instance, where it was thrown; the caller keeps waiting', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-err-parent', variables: { atOnce: false } });
    const check = await activateOne(h.engine, 'conf.err-check');
    await h.engine.throwJobError(check.jobKey, { errorCode: 'UNKNOWN_CODE' });
    const [incident] = await h.engine.searchIncidents({ processInstanceKey: check.processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ elementId: 'check', errorType: 'UNHANDLED_ERROR_EVENT' });
    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('ACTIVE');
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('ACTIVE');
    await noJobs(h.engine, 'conf.err-handle');
    await h.engine.cancelProcessInstance(parent.processInstanceKey);
    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('TERMINATED');
  });

  it('a terminate end event in the caller ends the called instance too', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-call-terminate', variables: { atOnce: false } });
    const check = await activateOne(h.engine, 'conf.err-check');
    await completeOne(h.engine, 'conf.err-stop');
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('COMPLETED');
    expect((await instanceOf(h.engine, check.processInstanceKey)).state).toBe('TERMINATED');
    await expect(h.engine.completeJob(check.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
