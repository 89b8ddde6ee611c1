import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, instanceOf, noJobs, openTask, type ConformanceHarness } from './harness';

describe('conformance: service tasks, gateways and user tasks', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('tasks.bpmn')]);
  });
  afterAll(() => h.close());

  const start = (amount: number, extra: Record<string, unknown> = {}) => h.engine.createProcessInstance({
    bpmnProcessId: 'conf-tasks',
    variables: { amount, jobPrefix: 'conf', retryCount: 5, owner: 'alice', receivedAt: '2026-12-01T08:00:00Z', urgent: false, ...extra },
  });

  it('hands out a service-task job with a FEEL type and retries, input mappings and headers; only outputs reach the process', async () => {
    const { processInstanceKey } = await start(60);
    const job = await activateOne(h.engine, 'conf.calc');
    expect(job).toMatchObject({ processInstanceKey, elementId: 'calc', bpmnProcessId: 'conf-tasks', retries: 5, customHeaders: { unit: 'CZK', office: 'KV' } });
    expect(job.variables).toMatchObject({ amount: 60, doubled: 120 });
    await h.engine.completeJob(job.jobKey, { total: 120, scratch: 'local' });
    const vars = (await instanceOf(h.engine, processInstanceKey)).variables;
    expect(vars).toMatchObject({ calculated: 120 });
    expect(vars).not.toHaveProperty('scratch');
    expect(vars).not.toHaveProperty('doubled');
  });

  it('takes the flow whose FEEL condition holds, else the default flow', async () => {
    await start(60, { jobPrefix: 'gw1' });
    await start(10, { jobPrefix: 'gw2' });
    await completeOne(h.engine, 'gw1.calc', { total: 120 });
    await completeOne(h.engine, 'gw2.calc', { total: 20 });
    await completeOne(h.engine, 'gw1.big');
    await noJobs(h.engine, 'gw1.small');
    await completeOne(h.engine, 'gw2.small');
    await noJobs(h.engine, 'gw2.big');
  });

  it('forks at a parallel gateway and joins once both branches are done', async () => {
    const { processInstanceKey } = await start(1, { jobPrefix: 'par' });
    await completeOne(h.engine, 'par.calc', { total: 2 });
    await completeOne(h.engine, 'par.small');
    const left = await activateOne(h.engine, 'par.left');
    const right = await activateOne(h.engine, 'par.right');
    await h.engine.completeJob(left.jobKey);
    expect(await h.engine.searchUserTasks({ processInstanceKey })).toEqual([]);
    await h.engine.completeJob(right.jobKey);
    await openTask(h.engine, processInstanceKey);
  });

  it('creates a user task with assignment, FEEL schedule (date arithmetic), priority, form and input mappings; completion applies outputs', async () => {
    const { processInstanceKey } = await start(1, { jobPrefix: 'ut', urgent: true });
    await completeOne(h.engine, 'ut.calc', { total: 2 });
    await completeOne(h.engine, 'ut.small');
    await completeOne(h.engine, 'ut.left');
    await completeOne(h.engine, 'ut.right');
    const task = await openTask(h.engine, processInstanceKey);
    expect(task).toMatchObject({
      name: 'Review the request', elementId: 'review', bpmnProcessId: 'conf-tasks', state: 'CREATED', assignee: 'alice',
      candidateGroups: ['referent', 'vedouci'], candidateUsers: ['alice', 'bob'], formId: 'review-form',
      dueDate: '2026-12-16T08:00:00Z', followUpDate: '2026-12-11', priority: 90, completionDate: null,
    });
    expect(await h.engine.getUserTaskVariables(task.userTaskKey)).toMatchObject({ calculated: 2, shown: 3 });
    expect((await h.engine.searchUserTasks({ candidateGroups: ['vedouci'], state: 'CREATED' })).map((t) => t.userTaskKey)).toContain(task.userTaskKey);
    expect((await h.engine.searchUserTasks({ candidateUser: 'bob' })).map((t) => t.userTaskKey)).toContain(task.userTaskKey);
    expect(await h.engine.searchUserTasks({ assignee: 'nobody' })).toEqual([]);

    await expect(h.engine.assignUserTask(task.userTaskKey, 'bob')).rejects.toMatchObject({ code: 'TASK_ALREADY_ASSIGNED' });
    await h.engine.unassignUserTask(task.userTaskKey);
    await h.engine.assignUserTask(task.userTaskKey, 'bob');
    expect((await h.engine.getUserTask(task.userTaskKey))?.assignee).toBe('bob');

    await h.engine.completeUserTask(task.userTaskKey, { approved: true });
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done.state).toBe('COMPLETED');
    expect(done.variables).toMatchObject({ reviewApproved: true });
    expect(done.variables).not.toHaveProperty('approved');
    expect((await h.engine.getUserTask(task.userTaskKey))?.state).toBe('COMPLETED');
    await expect(h.engine.completeUserTask(task.userTaskKey)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await noJobs(h.engine, 'ut.calc');
  });

  it('returns the variables of an instance started with awaitCompletion once it completes', async () => {
    const awaited = h.engine.createProcessInstance({
      bpmnProcessId: 'conf-tasks', awaitCompletion: true, requestTimeoutMs: 10_000,
      variables: { amount: 1, jobPrefix: 'aw', retryCount: 1, owner: 'x', receivedAt: '2026-12-01T08:00:00Z', urgent: false },
    });
    const run = async () => {
      for (const type of ['aw.calc', 'aw.small', 'aw.left', 'aw.right']) {
        let jobs: Awaited<ReturnType<typeof h.engine.activateJobs>> = [];
        while (!jobs.length) jobs = await h.engine.activateJobs({ type, worker: 't', maxJobsToActivate: 1, timeout: 10_000 });
        await h.engine.completeJob(jobs[0].jobKey, type === 'aw.calc' ? { total: 7 } : undefined);
      }
      let tasks: Awaited<ReturnType<typeof h.engine.searchUserTasks>> = [];
      while (!tasks.length) tasks = await h.engine.searchUserTasks({ assignee: 'x', state: 'CREATED' });
      await h.engine.completeUserTask(tasks[0].userTaskKey, { approved: false });
    };
    const [instance] = await Promise.all([awaited, run()]);
    expect(instance).toMatchObject({ state: 'COMPLETED', variables: { calculated: 7, reviewApproved: false } });
  });
});
