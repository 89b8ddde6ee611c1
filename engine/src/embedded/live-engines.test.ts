import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import type { ProcessInstanceEvent } from '../port';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { completeOne, fixture } from './test-support';

/**
 * A node keeps each instance's bpmn-engine object live between commands. Reusing it must change
 * nothing a caller can see, and a node must never use its object once another node (or anything
 * else) moved the stored state on.
 */
describe('live bpmn-engine objects between commands', () => {
  let db: Db;
  let close: () => Promise<void>;
  const engines: EmbeddedEngine[] = [];
  const engine = (opts: { liveEngines?: number } = {}) => {
    const e = createEmbeddedEngine({ db, ...opts });
    engines.push(e);
    return e;
  };
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await engine().deploy([fixture('routing.bpmn')]);
  });
  afterAll(async () => {
    for (const e of engines) await e.stop();
    await close();
  });

  /** runs routing.bpmn to its end; command n goes to nodes[n % nodes.length] */
  async function runRouting(nodes: EmbeddedEngine[], amount: number): Promise<string> {
    let n = 0;
    const next = () => nodes[n++ % nodes.length];
    const { processInstanceKey } = await next().createProcessInstance({ bpmnProcessId: 'routing', variables: { amount } });
    await completeOne(next(), 'test.calc', { total: amount * 2 });
    await completeOne(next(), amount * 2 > 100 ? 'test.big' : 'test.small', { sized: true });
    await completeOne(next(), 'test.left', { left: 1 });
    await completeOne(next(), 'test.right', { right: 2 });
    return processInstanceKey;
  }
  const shape = (history: ProcessInstanceEvent[]) => history.map((e) => [e.elementId, e.elementType, e.event, e.details]);

  it('gives the same history, variables and job rows as recovering the stored state for every command', async () => {
    // given one node that recovers every command and one that keeps its objects live
    const recovering = engine({ liveEngines: 0 });
    const live = engine();

    // when each runs the same instance to its end
    const a = await runRouting([recovering], 80);
    const b = await runRouting([live], 80);

    // then both ended the same way
    const [ia, ib] = [await live.getProcessInstance(a), await live.getProcessInstance(b)];
    expect(ia?.state).toBe('COMPLETED');
    expect(ib?.state).toBe('COMPLETED');
    expect(ib?.variables).toEqual(ia?.variables);
    expect(shape(await live.getProcessInstanceHistory(b))).toEqual(shape(await live.getProcessInstanceHistory(a)));
    const jobs = async (key: string) => (await db('engine_jobs').where({ instance_key: key }).orderBy('key')).map((j) => [j.element_id, j.state]);
    expect(await jobs(b)).toEqual(await jobs(a));
    expect(await jobs(b)).toEqual([['calc', 'COMPLETED'], ['big', 'COMPLETED'], ['left', 'COMPLETED'], ['right', 'COMPLETED']]);
  });

  it('two nodes taking turns on one instance: a node whose live object another node moved on recovers the stored state', async () => {
    // given two nodes on one database, and the history of the same run on one node alone
    const [one, two] = [engine(), engine()];
    const alone = await runRouting([one], 30);

    // when every command goes to the other node than the one before
    const key = await runRouting([one, two], 30);

    // then no completion was lost or applied to a stale object: the instance ran through once
    expect((await one.getProcessInstance(key))?.state).toBe('COMPLETED');
    expect(shape(await two.getProcessInstanceHistory(key))).toEqual(shape(await two.getProcessInstanceHistory(alone)));
    const jobs = await db('engine_jobs').where({ instance_key: key }).orderBy('key');
    expect(jobs.map((j) => [j.element_id, j.state])).toEqual([['calc', 'COMPLETED'], ['small', 'COMPLETED'], ['left', 'COMPLETED'], ['right', 'COMPLETED']]);
  });

  it('a completion that breaks in the model leaves no live object ahead of the stored state', async () => {
    // given an instance whose gateway finds no path for the completed job's result
    const node = engine();
    await node.deploy([fixture('gateway.bpmn')]);
    const { processInstanceKey } = await node.createProcessInstance({ bpmnProcessId: 'gateway' });
    const job = await completeOne(node, 'test.pick', { choice: 'neither' });
    const [incident] = await node.searchIncidents({ processInstanceKey, state: 'ACTIVE' });
    expect(incident).toMatchObject({ elementId: 'choose', jobKey: job.jobKey });

    // when the incident is resolved and the job completed again on the same node, with a result that routes
    await node.resolveIncident(incident.incidentKey);
    await completeOne(node, 'test.pick', { choice: 'b' });

    // then the instance ran on from the stored state (the rolled-back run was not kept) and ended at b
    expect((await node.getProcessInstance(processInstanceKey))?.state).toBe('COMPLETED');
    const history = await node.getProcessInstanceHistory(processInstanceKey);
    expect(history.filter((e) => e.event === 'ELEMENT_LEFT').map((e) => e.elementId).sort()).toEqual(['choose', 'end-b', 'pick', 'start']);
  });
});
