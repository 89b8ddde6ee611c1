import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { completeOne, fixture } from './test-support';

describe('deploying process definitions', () => {
  let db: Db;
  let close: () => Promise<void>;
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db });
  });
  afterAll(() => close());

  it('keeps the version for unchanged XML, adds one for changed XML, and running instances stay on theirs', async () => {
    const v1 = await engine.deploy([fixture('errors.bpmn')]);
    expect(v1).toEqual([expect.objectContaining({ bpmnProcessId: 'errors', version: 1, resourceName: 'errors.bpmn' })]);
    expect(await engine.deploy([fixture('errors.bpmn')])).toEqual(v1);
    const old = await engine.createProcessInstance({ bpmnProcessId: 'errors' });

    // a changed diagram: the first task has another job type
    const changed = fixture('errors.bpmn');
    changed.content = changed.content.replace('type="test.risky"', 'type="test.risky-v2"');
    const [v2] = await engine.deploy([changed]);
    expect(v2.version).toBe(2);
    expect(v2.processDefinitionKey).not.toBe(v1[0].processDefinitionKey);

    const fresh = await engine.createProcessInstance({ bpmnProcessId: 'errors' });
    expect(fresh.version).toBe(2);
    expect((await engine.createProcessInstance({ bpmnProcessId: 'errors', version: 1 })).version).toBe(1);
    const v2job = await completeOne(engine, 'test.risky-v2');
    expect(v2job.processInstanceKey).toBe(fresh.processInstanceKey);
    const oldJobs = await engine.activateJobs({ type: 'test.risky', worker: 't', maxJobsToActivate: 10, timeout: 1000 });
    expect(oldJobs.map((j) => j.processInstanceKey)).toContain(old.processInstanceKey);
  });

  it('rejects a diagram that breaks a Camunda 8.8 rule, naming the element and the rule', async () => {
    const bad = fixture('errors.bpmn');
    bad.content = bad.content.replace('<zeebe:taskDefinition type="test.fragile" retries="2" />', '');
    const attempt = engine.deploy([bad]);
    await expect(attempt).rejects.toMatchObject({ code: 'DEPLOY_REJECTED' });
    await expect(attempt).rejects.toThrow(/element "fragile".*camunda-compat\/implementation/);
  });

  it('rejects XML that is not BPMN', async () => {
    await expect(engine.deploy([{ name: 'x.bpmn', content: '<nope' }])).rejects.toMatchObject({ code: 'DEPLOY_REJECTED' });
  });

  it('answers NOT_FOUND for a process that was never deployed', async () => {
    await expect(engine.createProcessInstance({ bpmnProcessId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
