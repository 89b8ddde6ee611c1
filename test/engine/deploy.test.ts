import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpmn, completeOne, createHarness, instanceOf, type ConformanceHarness } from './harness';

describe('conformance: deployment, versions and the supported subset', () => {
  let h: ConformanceHarness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('keeps the version for the same XML, adds one for a changed XML; running instances stay on theirs', async () => {
    const [v1] = await h.engine.deploy([bpmn('jobs.bpmn')]);
    expect(v1).toMatchObject({ bpmnProcessId: 'conf-jobs', version: 1, resourceName: 'jobs.bpmn' });
    expect(await h.engine.deploy([bpmn('jobs.bpmn')])).toEqual([v1]);
    const old = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-jobs' });

    const changed = bpmn('jobs.bpmn');
    changed.content = changed.content.replace('type="conf.risky"', 'type="conf.risky-v2"');
    const [v2] = await h.engine.deploy([changed]);
    expect(v2).toMatchObject({ bpmnProcessId: 'conf-jobs', version: 2 });
    const fresh = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-jobs' });
    expect(fresh.version).toBe(2);
    expect((await completeOne(h.engine, 'conf.risky-v2')).processInstanceKey).toBe(fresh.processInstanceKey);
    expect((await completeOne(h.engine, 'conf.risky')).processInstanceKey).toBe(old.processInstanceKey);
    expect((await instanceOf(h.engine, old.processInstanceKey)).version).toBe(1);
  });

  const rejected = async (content: string) => {
    const attempt = h.engine.deploy([{ name: 'bad.bpmn', content }]);
    await expect(attempt).rejects.toMatchObject({ code: 'DEPLOY_REJECTED' });
    return (await attempt.catch((err: Error) => err)) as Error;
  };

  it('refuses an inclusive gateway join, naming the element and the rule', async () => {
    const err = await rejected(bpmn('inclusive-join.bpmn').content);
    expect(err.message).toMatch(/element "merge-both": .*inclusive gateway that joins.*\(rule openspis\/inclusive-gateway-join\)/);
    expect(err.message).not.toMatch(/element "split"/);
  });

  it('runs an inclusive gateway that only splits: the flows whose condition holds, else the default', async () => {
    // the same diagram without the join: each branch ends on its own
    const split = bpmn('inclusive-join.bpmn').content
      .replace('<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="merge-both" />', '<bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="end-a" />')
      .replace('<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="merge-both" />', '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="end" />')
      .replace(/<bpmn:inclusiveGateway id="merge-both">.*?<\/bpmn:inclusiveGateway>/, '<bpmn:endEvent id="end-a"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>')
      .replace('<bpmn:endEvent id="end"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>', '<bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>')
      .replace('<bpmn:sequenceFlow id="f6" sourceRef="merge-both" targetRef="end" />', '');
    await h.engine.deploy([{ name: 'inclusive-split.bpmn', content: split }]);
    const conditional = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-inclusive', variables: { x: 5 } });
    expect((await completeOne(h.engine, 'conf.a')).processInstanceKey).toBe(conditional.processInstanceKey);
    // the default flow is taken only when no condition holds
    expect((await h.engine.activateJobs({ type: 'conf.b', worker: 't', maxJobsToActivate: 5, timeout: 1000 }))).toEqual([]);
    expect((await instanceOf(h.engine, conditional.processInstanceKey)).state).toBe('COMPLETED');
    const onlyDefault = await h.engine.createProcessInstance({ bpmnProcessId: 'conf-inclusive', variables: { x: 0 } });
    expect((await completeOne(h.engine, 'conf.b')).processInstanceKey).toBe(onlyDefault.processInstanceKey);
    expect((await h.engine.activateJobs({ type: 'conf.a', worker: 't', maxJobsToActivate: 5, timeout: 1000 }))).toEqual([]);
    expect((await instanceOf(h.engine, onlyDefault.processInstanceKey)).state).toBe('COMPLETED');
  });

  it('refuses a cron timer cycle and an event subprocess', async () => {
    const cron = bpmn('reminders.bpmn').content.replace('R3/PT1H', '0 0 8 * * ?');
    expect((await rejected(cron)).message).toMatch(/element "reminder-def": .*cron.*\(rule openspis\/timer-cycle-cron\)/);

    const eventSub = bpmn('jobs.bpmn').content.replace('</bpmn:process>', `
      <bpmn:subProcess id="on-withdrawal" triggeredByEvent="true">
        <bpmn:startEvent id="withdrawn"><bpmn:outgoing>w1</bpmn:outgoing><bpmn:messageEventDefinition id="withdrawn-def" messageRef="msg-w" /></bpmn:startEvent>
        <bpmn:endEvent id="withdrawn-end"><bpmn:incoming>w1</bpmn:incoming></bpmn:endEvent>
        <bpmn:sequenceFlow id="w1" sourceRef="withdrawn" targetRef="withdrawn-end" />
      </bpmn:subProcess></bpmn:process>
      <bpmn:message id="msg-w" name="withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=id" /></bpmn:extensionElements></bpmn:message>`);
    expect((await rejected(eventSub)).message).toMatch(/element "on-withdrawal": .*\(rule openspis\/event-subprocess\)/);
  });

  it('refuses elements outside the subset, such as a signal event or a complex gateway', async () => {
    const signal = bpmn('waits.bpmn').content
      .replace('<bpmn:messageEventDefinition id="paid-def" messageRef="msg-paid" />', '<bpmn:signalEventDefinition id="paid-def" signalRef="sig" />')
      .replace('<bpmn:process', '<bpmn:signal id="sig" name="sig" /><bpmn:process');
    expect((await rejected(signal)).message).toMatch(/element "paid": .*SignalEventDefinition is not supported.*\(rule openspis\/unsupported-element\)/);

    const complex = bpmn('tasks.bpmn').content.replace(/exclusiveGateway id="merge"(.*?)<\/bpmn:exclusiveGateway>/, 'complexGateway id="merge"$1</bpmn:complexGateway>');
    expect((await rejected(complex)).message).toMatch(/element "merge": .*\(rule openspis\/unsupported-element\)/);
  });

  it('refuses a diagram that breaks a Camunda 8.8 rule, naming the element and the rule', async () => {
    const noType = bpmn('jobs.bpmn').content.replace('<zeebe:taskDefinition type="conf.fragile" retries="2" />', '');
    expect((await rejected(noType)).message).toMatch(/element "fragile": .*\(rule camunda-compat\/implementation\)/);
  });
});
