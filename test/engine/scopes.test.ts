import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, createHarness, instanceOf, noJobs, type ConformanceHarness } from './harness';

const HOUR = 3_600_000;

describe('conformance: variable scopes', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('scopes.bpmn'), bpmn('multi-instance.bpmn')]);
  });
  afterAll(() => h.close());

  it('input mappings of a subprocess are its locals; a result updates the scope that has the variable; output mappings set variables outside', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({
      bpmnProcessId: 'conf-scopes', variables: { applicant: { name: 'Jana' }, items: [] },
    });
    const review = await activateOne(h.engine, 'conf.scope-review');
    expect(review.variables).toMatchObject({ who: 'Jana' });
    // `who` exists in the subprocess: it is updated there; `extra` exists nowhere: it goes to the root
    await h.engine.completeJob(review.jobKey, { who: 'Jana Nová', extra: 1 });

    const mapped = await activateOne(h.engine, 'conf.scope-mapped');
    expect(mapped.variables).toMatchObject({ note: 'from input', greeting: 'Jana Nová reviewed', extra: 1, results: [] });
    expect(mapped.variables).not.toHaveProperty('who');
    // `note` is local to the task (its input mapping): without output mappings it ends with the task
    await h.engine.completeJob(mapped.jobKey, { note: 'changed', done: true });

    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done.state).toBe('COMPLETED');
    expect(done.variables).toMatchObject({ greeting: 'Jana Nová reviewed', extra: 1, done: true });
    expect(done.variables).not.toHaveProperty('who');
    expect(done.variables).not.toHaveProperty('note');
  });

  it('gateway conditions and timers inside a multi-instance subprocess see the iteration\'s inputElement; iteration locals stay local', async () => {
    const items = [{ kind: 'a', delay: 'PT1H' }, { kind: 'b', delay: 'PT2H' }];
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-scopes', variables: { applicant: { name: 'Petr' }, items } });
    await h.engine.completeJob((await activateOne(h.engine, 'conf.scope-review')).jobKey);

    // the gateway chose by item.kind: one item went to kind-a, the other waits for its item.delay
    const a = await activateOne(h.engine, 'conf.scope-a');
    expect(a.variables).toMatchObject({ item: items[0], loopCounter: 1 });
    await h.engine.completeJob(a.jobKey, { verdict: 'ok-a' });
    await h.advance(HOUR);
    await noJobs(h.engine, 'conf.scope-b');
    await h.advance(HOUR);
    const b = await activateOne(h.engine, 'conf.scope-b');
    expect(b.variables).toMatchObject({ item: items[1], loopCounter: 2 });
    // the first iteration's verdict was its own
    expect(b.variables.verdict ?? null).toBeNull();
    await h.engine.completeJob(b.jobKey, { verdict: 'ok-b' });

    const mapped = await activateOne(h.engine, 'conf.scope-mapped');
    expect(mapped.variables).toMatchObject({ results: ['ok-a', 'ok-b'] });
    for (const local of ['item', 'loopCounter', 'verdict']) expect(mapped.variables).not.toHaveProperty(local);
    await h.engine.completeJob(mapped.jobKey);
    const done = await instanceOf(h.engine, processInstanceKey);
    expect(done).toMatchObject({ state: 'COMPLETED', variables: { results: ['ok-a', 'ok-b'] } });
    for (const local of ['item', 'loopCounter', 'verdict']) expect(done.variables).not.toHaveProperty(local);
  });

  it('a multi-instance task\'s job results land in its iteration: the output collection has each, the process none of them', async () => {
    const { processInstanceKey } = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-mi', variables: { items: ['a', 'b'] } });
    const jobs = await h.engine.activateJobs({ type: 'conf.per-item', worker: 't', maxJobsToActivate: 10, timeout: 60_000 });
    expect(jobs).toHaveLength(2);
    for (const job of jobs) await h.engine.completeJob(job.jobKey, { checked: `${job.variables.item}-ok` });
    const running = await instanceOf(h.engine, processInstanceKey);
    expect(running.variables).toMatchObject({ results: ['a-ok', 'b-ok'] });
    expect(running.variables).not.toHaveProperty('checked');
    expect(running.variables).not.toHaveProperty('item');
  });
});
