import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { activateOne, completeOne, fixture } from './test-support';

/**
 * A node that holds an instance live completes its jobs with one statement guarded by the row's
 * revision (single-statement.ts). Whatever changed the instance or the job since must make that
 * statement write nothing, and the completion then behaves exactly as a locked one would.
 */
describe('job completion as one guarded statement', () => {
  let db: Db;
  let close: () => Promise<void>;
  const engines: EmbeddedEngine[] = [];
  const engine = () => {
    const e = createEmbeddedEngine({ db });
    engines.push(e);
    return e;
  };
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await engine().deploy([fixture('errors.bpmn')]);
  });
  afterAll(async () => {
    for (const e of engines) await e.stop();
    await close();
  });

  const jobStates = async (key: string) => (await db('engine_jobs').where({ instance_key: key }).orderBy('key')).map((j) => [j.element_id, j.state]);

  it('does not complete a job that ran out of retries meanwhile: the instance stays at its incident', async () => {
    // given an instance this node holds live, whose job then failed for good
    const node = engine();
    const { processInstanceKey } = await node.createProcessInstance({ bpmnProcessId: 'errors' });
    const job = await activateOne(node, 'test.risky');
    await node.failJob(job.jobKey, { retries: 0, errorMessage: 'broken' });

    // when the worker still reports it complete
    await expect(node.completeJob(job.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // then nothing moved: the job stays failed with its incident, no next job was made
    expect(await jobStates(processInstanceKey)).toEqual([['risky', 'FAILED']]);
    expect(await node.searchIncidents({ processInstanceKey, state: 'ACTIVE' })).toHaveLength(1);
    expect((await node.getProcessInstance(processInstanceKey))?.state).toBe('ACTIVE');
  });

  it('hands a job failed with variables to its next attempt with them, and completes it without them reaching the instance', async () => {
    // given a live instance whose job failed with a retry left and a variable, local to the task as in Zeebe
    const node = engine();
    const { processInstanceKey } = await node.createProcessInstance({ bpmnProcessId: 'errors', variables: { a: 1 } });
    const first = await activateOne(node, 'test.risky');
    await node.failJob(first.jobKey, { retries: 2, errorMessage: 'try again', variables: { attempt: 1 } });
    expect((await node.getProcessInstance(processInstanceKey))?.variables).toEqual({ a: 1 });

    // when the job is handed out again and completed on the same node
    const again = await activateOne(node, 'test.risky');
    expect(again.variables).toEqual({ a: 1, attempt: 1 });
    await node.completeJob(again.jobKey, { b: 2 });

    // then the task's local variable ended with it; the result reached the instance
    expect((await node.getProcessInstance(processInstanceKey))?.variables).toEqual({ a: 1, b: 2 });
    expect(await jobStates(processInstanceKey)).toEqual([['risky', 'COMPLETED'], ['fragile', 'ACTIVATABLE']]);
    await completeOne(node, 'test.fragile');
  });

  it('starts on the version another node deployed since this node last started one', async () => {
    // given a node that started an instance of version 1, then another node deploying version 2
    const node = engine();
    const other = engine();
    const v1 = fixture('errors.bpmn');
    await node.deploy([v1]);
    const first = await node.createProcessInstance({ bpmnProcessId: 'errors' });
    const [v2] = await other.deploy([{ name: v1.name, content: v1.content.replace('retries="3"', 'retries="4"') }]);

    // when the first node starts the next instance
    const second = await node.createProcessInstance({ bpmnProcessId: 'errors' });

    // then it runs on version 2, and the older one stays on version 1
    expect(second.processDefinitionKey).toBe(v2.processDefinitionKey);
    expect((await node.getProcessInstance(second.processInstanceKey))?.version).toBe(v2.version);
    expect((await node.getProcessInstance(first.processInstanceKey))?.version).toBe(v2.version - 1);
    const jobs = await node.activateJobs({ type: 'test.risky', worker: 'test', maxJobsToActivate: 5, timeout: 30_000 });
    const retries = Object.fromEntries(jobs.map((j) => [j.processInstanceKey, j.retries]));
    expect(retries).toEqual({ [first.processInstanceKey]: 3, [second.processInstanceKey]: 4 });
    for (const job of jobs) await node.completeJob(job.jobKey);
    for (const job of await node.activateJobs({ type: 'test.fragile', worker: 'test', maxJobsToActivate: 5, timeout: 30_000 })) await node.completeJob(job.jobKey);
  });

  it('has the completion committed when completeJob returns: another node carries on from it', async () => {
    // given a live instance on one node
    const node = engine();
    const other = engine();
    const { processInstanceKey } = await node.createProcessInstance({ bpmnProcessId: 'errors' });

    // when that node completes the first job and another node the second
    await completeOne(node, 'test.risky', { step: 1 });
    await completeOne(other, 'test.fragile', { step: 2 });

    // then the instance ended once, through both
    expect(await node.getProcessInstance(processInstanceKey)).toMatchObject({ state: 'COMPLETED', variables: { step: 2 } });
    expect(await jobStates(processInstanceKey)).toEqual([['risky', 'COMPLETED'], ['fragile', 'COMPLETED']]);
    const left = (await other.getProcessInstanceHistory(processInstanceKey)).filter((e) => e.event === 'ELEMENT_LEFT').map((e) => e.elementId);
    expect(left.sort()).toEqual(['done', 'fragile', 'risky', 'start']);
  });
});
