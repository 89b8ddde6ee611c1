import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, completeOne, createHarness, DAY, instanceOf, noJobs, type ConformanceHarness } from './harness';

const HOUR = 3_600_000;

describe('conformance: timers, messages and boundary events', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
    await h.engine.deploy([bpmn('waits.bpmn')]);
  });
  afterAll(() => h.close());

  const start = (orderId: string) => h.engine.createProcessInstance({
    bpmnProcessId: 'conf-waits',
    variables: { orderId, wakeAt: '2026-12-02T08:00:00Z', shipWithin: 'P3D' },
  });

  /** through the two intermediate timers: PT1H, then the timeDate (one day after the start) */
  async function pastTimers() {
    await h.advance(HOUR - 1);
    return h.advance(DAY - HOUR + 1);
  }

  it('waits for a duration timer, then a FEEL timeDate timer, then a message; a message published early is buffered for its TTL', async () => {
    const { processInstanceKey } = await start('o-1');
    expect((await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-1', timeToLive: 3 * DAY, messageId: 'pay-o-1', variables: { paid: 100 } })).correlated).toBe(false);
    await expect(h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-1', timeToLive: DAY, messageId: 'pay-o-1' })).rejects.toMatchObject({ code: 'DUPLICATE_MESSAGE' });

    await h.advance(HOUR - 1000);
    await h.advance(DAY - HOUR - 1000);
    await noJobs(h.engine, 'conf.ship');
    await h.advance(2000);
    const ship = await activateOne(h.engine, 'conf.ship');
    expect(ship.processInstanceKey).toBe(processInstanceKey);
    expect(ship.variables).toMatchObject({ paid: 100 });
    await h.engine.completeJob(ship.jobKey);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
  });

  it('correlates a message to the instance waiting with the same correlation key only', async () => {
    const a = await start('o-2a');
    const b = await start('o-2b');
    await pastTimers();
    expect((await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-2b', variables: { paid: 5 } })).correlated).toBe(true);
    const ship = await activateOne(h.engine, 'conf.ship');
    expect(ship.processInstanceKey).toBe(b.processInstanceKey);
    // a message with nobody waiting and no TTL is dropped
    expect((await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'nobody' })).correlated).toBe(false);
    await h.engine.cancelProcessInstance(a.processInstanceKey);
    await h.engine.cancelProcessInstance(b.processInstanceKey);
    await noJobs(h.engine, 'conf.ship');
  });

  it('does not correlate a buffered message after its TTL', async () => {
    const { processInstanceKey } = await start('o-3');
    await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-3', timeToLive: HOUR });
    await pastTimers();
    await noJobs(h.engine, 'conf.ship');
    await h.engine.cancelProcessInstance(processInstanceKey);
  });

  it('interrupts a task with a message boundary event', async () => {
    const { processInstanceKey } = await start('o-4');
    await pastTimers();
    await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-4' });
    const ship = await activateOne(h.engine, 'conf.ship');
    expect((await h.engine.publishMessage({ name: 'conf-cancelled', correlationKey: 'o-4' })).correlated).toBe(true);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    // the interrupted task's job can no longer be completed
    await expect(h.engine.completeJob(ship.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs a non-interrupting boundary timer beside the task, and interrupts the task with a FEEL duration boundary timer', async () => {
    const { processInstanceKey } = await start('o-5');
    await pastTimers();
    await h.engine.publishMessage({ name: 'conf-paid', correlationKey: 'o-5' });
    const ship = await activateOne(h.engine, 'conf.ship');
    await h.advance(DAY);
    // the reminder runs while the task stays active
    await completeOne(h.engine, 'conf.remind');
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('ACTIVE');
    await h.advance(2 * DAY - 1000);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('ACTIVE');
    await h.advance(1000);
    expect((await instanceOf(h.engine, processInstanceKey)).state).toBe('COMPLETED');
    await expect(h.engine.completeJob(ship.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
