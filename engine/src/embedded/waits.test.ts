import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { DAY, fixture, manualClock } from './test-support';

describe('timers, messages and user tasks', () => {
  let db: Db;
  let close: () => Promise<void>;
  const clock = manualClock(new Date('2026-12-01T08:00:00Z'));
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db, clock: clock.now });
    await engine.deploy([fixture('waits.bpmn')]);
  });
  afterAll(() => close());

  const state = async (key: string) => (await engine.getProcessInstance(key))?.state;
  const start = (orderId: string) => engine.createProcessInstance({
    bpmnProcessId: 'waits',
    // the timeDate timer wakes a day after the engine's now (each test moves the shared clock on)
    variables: { orderId, wakeAt: new Date(clock.now().getTime() + DAY).toISOString().replace('.000Z', 'Z'), owner: 'alice', dueAt: '2026-12-20T00:00:00Z' },
  });

  it('fires a timeDate timer from the poll loop of a new engine object, then buffers a message published early', async () => {
    const instance = await start('order-1');
    // a message published before anything waits for it stays in the buffer for its TTL
    const early = await engine.publishMessage({ name: 'order-paid', correlationKey: 'order-1', timeToLive: 3 * DAY, variables: { paidAmount: 100 }, messageId: 'pay-1' });
    expect(early.correlated).toBe(false);
    await expect(engine.publishMessage({ name: 'order-paid', correlationKey: 'order-1', timeToLive: DAY, messageId: 'pay-1' })).rejects.toMatchObject({ code: 'DUPLICATE_MESSAGE' });

    // a restarted node fires the stored timer once the clock passes it
    await engine.stop();
    engine = createEmbeddedEngine({ db, clock: clock.now, timerPollIntervalMs: 10 });
    expect(await engine.runDueTimers()).toBe(0);
    clock.advance(DAY);
    engine.start();
    await expect.poll(async () => (await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey })).length, { timeout: 5000 }).toBe(1);
    await engine.stop();

    // the buffered payment was correlated as soon as the catch event opened
    const [task] = await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey });
    expect(task).toMatchObject({ name: 'Review', assignee: 'alice', candidateUsers: ['alice', 'bob'], dueDate: '2026-12-20T00:00:00Z', followUpDate: '2026-12-05T00:00:00Z', priority: 80, state: 'CREATED' });
    expect(await engine.getUserTaskVariables(task.userTaskKey)).toMatchObject({ paidAmount: 100, orderId: 'order-1' });
    expect((await engine.searchUserTasks({ candidateUser: 'bob' })).map((t) => t.userTaskKey)).toContain(task.userTaskKey);

    await engine.unassignUserTask(task.userTaskKey);
    await engine.assignUserTask(task.userTaskKey, 'bob');
    await engine.assignUserTask(task.userTaskKey, 'alice', { allowOverride: true });
    await engine.completeUserTask(task.userTaskKey, { approved: true });
    expect(await state(instance.processInstanceKey)).toBe('COMPLETED');
    await expect(engine.completeUserTask(task.userTaskKey)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // nothing is left waiting
    expect(await db('engine_timers').where({ instance_key: instance.processInstanceKey })).toEqual([]);
    expect(await db('engine_message_subscriptions').where({ instance_key: instance.processInstanceKey })).toEqual([]);
  });

  it('interrupts the user task with a message boundary event', async () => {
    const instance = await start('order-2');
    clock.advance(DAY);
    await engine.runDueTimers();
    expect((await engine.publishMessage({ name: 'order-paid', correlationKey: 'order-2' })).correlated).toBe(true);
    const [task] = await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey, state: 'CREATED' });
    expect((await engine.publishMessage({ name: 'order-cancelled', correlationKey: 'order-2' })).correlated).toBe(true);
    expect((await engine.getUserTask(task.userTaskKey))?.state).toBe('CANCELED');
    expect(await state(instance.processInstanceKey)).toBe('COMPLETED');
    const left = await db('engine_events').where({ instance_key: instance.processInstanceKey }).pluck('element_id');
    expect(left).toContain('cancelled-end');
  });

  it('interrupts the user task with a boundary timer after its duration', async () => {
    const instance = await start('order-3');
    clock.advance(DAY);
    await engine.runDueTimers();
    await engine.publishMessage({ name: 'order-paid', correlationKey: 'order-3' });
    const [task] = await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey, state: 'CREATED' });
    clock.advance(10 * DAY - 1000);
    expect(await engine.runDueTimers()).toBe(0);
    clock.advance(1000);
    expect(await engine.runDueTimers()).toBe(1);
    expect((await engine.getUserTask(task.userTaskKey))?.state).toBe('CANCELED');
    expect(await state(instance.processInstanceKey)).toBe('COMPLETED');
  });

  it('waits for a timeDate ahead on the engine clock even when the wall clock is past it', async () => {
    // given a wall clock a month ahead of the engine's (as in a test, or a node whose clock is off)
    vi.setSystemTime(clock.now().getTime() + 30 * DAY);
    try {
      const instance = await start('order-5');
      // then the timer waits for the engine's time, not the wall clock's
      expect(await db('engine_timers').where({ instance_key: instance.processInstanceKey })).toHaveLength(1);
      await engine.publishMessage({ name: 'order-paid', correlationKey: 'order-5', timeToLive: 3 * DAY });
      expect(await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey })).toEqual([]);
      clock.advance(DAY - 1000);
      expect(await engine.runDueTimers()).toBe(0);
      clock.advance(1000);
      expect(await engine.runDueTimers()).toBe(1);
      expect(await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey })).toHaveLength(1);
      await engine.cancelProcessInstance(instance.processInstanceKey);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not correlate a buffered message after its TTL', async () => {
    const instance = await start('order-4');
    await engine.publishMessage({ name: 'order-paid', correlationKey: 'order-4', timeToLive: 1000 });
    clock.advance(DAY);
    await engine.runDueTimers();
    expect(await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey })).toEqual([]);
    expect(await db('engine_message_subscriptions').where({ instance_key: instance.processInstanceKey })).toHaveLength(1);
    await engine.cancelProcessInstance(instance.processInstanceKey);
  });
});
