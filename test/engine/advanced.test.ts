import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, instanceOf, noJobs, openTask, type ConformanceHarness } from './harness';

const HOUR = 3_600_000;

describe('conformance: call activities, multi-instance, timer cycles, message end events', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('call-child.bpmn'), bpmn('call-parent.bpmn'), bpmn('multi-instance.bpmn'), bpmn('reminders.bpmn')]);
  });
  afterAll(() => h.close());

  it('runs a call activity as a separate child instance: input mappings in, output mappings or all child variables out', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-parent', variables: { applicant: 'Jana', childId: 'conf-child' } });
    const first = await activateOne(h.engine, 'conf.child');
    expect(first.bpmnProcessId).toBe('conf-child');
    expect(first.processInstanceKey).not.toBe(parent.processInstanceKey);
    expect(first.variables).toMatchObject({ who: 'Jana', applicant: 'Jana' });
    const child = await instanceOf(h.engine, first.processInstanceKey);
    expect(child.state).toBe('ACTIVE');
    await h.engine.completeJob(first.jobKey, { childResult: 'granted', childNote: 'kept in the child' });
    expect((await instanceOf(h.engine, first.processInstanceKey)).state).toBe('COMPLETED');
    const afterFirst = await instanceOf(h.engine, parent.processInstanceKey);
    expect(afterFirst.variables).toMatchObject({ mappedResult: 'granted' });
    expect(afterFirst.variables).not.toHaveProperty('childNote');

    // second call: process id from FEEL, propagateAllChildVariables
    const second = await activateOne(h.engine, 'conf.child');
    expect(second.processInstanceKey).not.toBe(first.processInstanceKey);
    await h.engine.completeJob(second.jobKey, { childNote: 'propagated' });
    const after = await activateOne(h.engine, 'conf.after');
    expect(after.processInstanceKey).toBe(parent.processInstanceKey);
    expect(after.variables).toMatchObject({ childNote: 'propagated', mappedResult: 'granted' });
    await h.engine.completeJob(after.jobKey);
    expect((await instanceOf(h.engine, parent.processInstanceKey)).state).toBe('COMPLETED');
  });

  it('cancelling the parent ends its child; the child cannot be cancelled on its own', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-parent', variables: { applicant: 'Petr', childId: 'conf-child' } });
    const job = await activateOne(h.engine, 'conf.child');
    await expect(h.engine.cancelProcessInstance(job.processInstanceKey)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await h.engine.cancelProcessInstance(parent.processInstanceKey);
    expect((await instanceOf(h.engine, job.processInstanceKey)).state).toBe('TERMINATED');
    await expect(h.engine.completeJob(job.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a call activity whose process is not deployed is an incident', async () => {
    const parent = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-parent', variables: { applicant: 'Eva', childId: 'nowhere' } });
    await completeOne(h.engine, 'conf.child');
    const [incident] = await h.engine.searchIncidents({ processInstanceKey: parent.processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ elementId: 'call-all' });
    expect(incident.errorMessage).toMatch(/nowhere/);
  });

  it('runs a parallel multi-instance task per item, then a sequential multi-instance subprocess, collecting outputs', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-mi', variables: { items: ['a', 'b', 'c'] } });
    const jobs = await h.engine.activateJobs({ type: 'conf.per-item', worker: 't', maxJobsToActivate: 10, timeout: 60_000 });
    expect(jobs.map((j) => j.variables.item).sort()).toEqual(['a', 'b', 'c']);
    expect(jobs.map((j) => j.variables.loopCounter).sort()).toEqual([1, 2, 3]);
    // completed out of order: each output lands at its item's index
    for (const job of [...jobs].reverse()) await h.engine.completeJob(job.jobKey, { checked: `${job.variables.item}-ok` });
    expect((await instanceOf(h.engine, processInstanceKey)).variables).toMatchObject({ results: ['a-ok', 'b-ok', 'c-ok'] });

    // sequential: one iteration at a time, in order
    for (const expected of ['a-ok', 'b-ok', 'c-ok']) {
      const sign = await activateOne(h.engine, 'conf.sign');
      expect(sign.variables.r).toBe(expected);
      await noJobs(h.engine, 'conf.sign');
      await h.engine.completeJob(sign.jobKey);
    }
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done).toMatchObject({ state: 'COMPLETED', variables: { signed: ['a-ok!', 'b-ok!', 'c-ok!'] } });
  });

  it('an empty input collection completes the multi-instance activity at once', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-mi', variables: { items: [] } });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('a non-interrupting timer cycle reminds every hour, three times, while the task stays open; the message end event is a job', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-reminders' });
    const task = await openTask(h.engine, processInstanceKey);
    await h.advance(HOUR - 1000);
    await noJobs(h.engine, 'conf.remind');
    for (let i = 0; i < 3; i++) {
      await h.advance(HOUR);
      await completeOne(h.engine, 'conf.remind');
    }
    await h.advance(5 * HOUR);
    await noJobs(h.engine, 'conf.remind');
    expect((await h.engine.getUserTask(task.userTaskKey))?.state).toBe('CREATED');

    await h.engine.completeUserTask(task.userTaskKey, { decision: 'yes' });
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('ACTIVE');
    const publish = await activateOne(h.engine, 'conf.publish-decision');
    expect(publish).toMatchObject({ processInstanceKey, elementId: 'decided' });
    expect(publish.variables).toMatchObject({ decision: 'yes' });
    await h.engine.completeJob(publish.jobKey);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    const history = await h.engine.getProcessInstanceHistory(processInstanceKey);
    expect(history.filter((e) => e.event === 'ELEMENT_LEFT' && e.elementId === 'decided')).toEqual([expect.objectContaining({ elementType: 'bpmn:EndEvent' })]);
  });
});
