import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOne, bpmn, createHarness, instanceOf, noJobs, type ConformanceHarness } from './harness';

const HOUR = 3_600_000;

describe('conformance: message and timer start events', () => {
  let h: ConformanceHarness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('a published message starts an instance at its message start event, with the message variables', async () => {
    await h.engine.deploy([bpmn('message-start.bpmn')]);
    const published = await h.engine.publishMessage({ name: 'conf-apply', correlationKey: '', variables: { applicant: 'Jana' } });
    expect(published.correlated).toBe(true);
    const job = await activateOne(h.engine, 'conf.handle-application');
    expect(job).toMatchObject({ bpmnProcessId: 'conf-message-start', elementId: 'handle' });
    expect(job.variables).toMatchObject({ applicant: 'Jana' });
    await h.engine.completeJob(job.jobKey);
    expect((await instanceOf(h.engine, job.processInstanceKey)).state).toBe('COMPLETED');
    // another message, another instance
    await h.engine.publishMessage({ name: 'conf-apply', correlationKey: '' });
    expect((await activateOne(h.engine, 'conf.handle-application')).processInstanceKey).not.toBe(job.processInstanceKey);
  });

  it('only the latest version listens for the message', async () => {
    const changed = bpmn('message-start.bpmn');
    changed.content = changed.content.replace('type="conf.handle-application"', 'type="conf.handle-application-v2"');
    await h.engine.deploy([changed]);
    await h.engine.publishMessage({ name: 'conf-apply', correlationKey: '' });
    await noJobs(h.engine, 'conf.handle-application');
    expect((await activateOne(h.engine, 'conf.handle-application-v2')).bpmnProcessId).toBe('conf-message-start');
  });

  it('a message with a correlation key starts no second instance while the one it started is active; a buffered one starts the next when it ends', async () => {
    await h.engine.deploy([bpmn('message-start-key.bpmn')]);
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-1', timeToLive: HOUR, variables: { n: 1 } });
    const first = await activateOne(h.engine, 'conf.register');
    expect(first.variables).toMatchObject({ n: 1 });
    // same key while the first is active: buffered, no instance
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-1', timeToLive: HOUR, variables: { n: 2 } });
    await noJobs(h.engine, 'conf.register');
    // another key: an instance of its own
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-2', variables: { n: 3 } });
    const other = await activateOne(h.engine, 'conf.register');
    expect(other.variables).toMatchObject({ n: 3 });

    // the first ends: the buffered message starts the next instance for case-1
    await h.engine.completeJob(first.jobKey);
    expect((await instanceOf(h.engine, first.processInstanceKey)).state).toBe('COMPLETED');
    const second = await activateOne(h.engine, 'conf.register');
    expect(second.processInstanceKey).not.toBe(first.processInstanceKey);
    expect(second.variables).toMatchObject({ n: 2 });

    // cancelling ends it too: with nothing buffered, nothing starts; the key is free again
    await h.engine.cancelProcessInstance(second.processInstanceKey);
    await noJobs(h.engine, 'conf.register');
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-1', variables: { n: 4 } });
    expect((await activateOne(h.engine, 'conf.register')).variables).toMatchObject({ n: 4 });
  });

  it('a buffered message for the same key starts the next instance when the active one is cancelled', async () => {
    await h.engine.deploy([bpmn('message-start-key.bpmn')]);
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-9', variables: { n: 1 } });
    const first = await activateOne(h.engine, 'conf.register');
    // a message without time to live is not kept for later
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-9', variables: { n: 0 } });
    await h.engine.publishMessage({ name: 'conf-register', correlationKey: 'case-9', timeToLive: HOUR, variables: { n: 2 } });
    await noJobs(h.engine, 'conf.register');
    await h.engine.cancelProcessInstance(first.processInstanceKey);
    expect((await activateOne(h.engine, 'conf.register')).variables).toMatchObject({ n: 2 });
  });

  it('a timer start event with a cycle starts an instance at each repetition, and stops after the last', async () => {
    // R2/2026-12-01T10:00:00Z/PT1H; the harness clock starts at 08:00
    await h.engine.deploy([bpmn('timer-start.bpmn')]);
    await h.advance(2 * HOUR - 1000);
    await noJobs(h.engine, 'conf.nightly');
    await h.advance(1000);
    const first = await activateOne(h.engine, 'conf.nightly');
    expect(first.bpmnProcessId).toBe('conf-timer-start');
    await h.engine.completeJob(first.jobKey);
    expect((await instanceOf(h.engine, first.processInstanceKey)).state).toBe('COMPLETED');
    await h.advance(HOUR);
    const second = await activateOne(h.engine, 'conf.nightly');
    expect(second.processInstanceKey).not.toBe(first.processInstanceKey);
    await h.engine.completeJob(second.jobKey);
    await h.advance(5 * HOUR);
    await noJobs(h.engine, 'conf.nightly');
  });
});
