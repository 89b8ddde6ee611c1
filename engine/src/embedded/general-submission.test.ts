import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded-engine';
import { deployProcessDirectory } from '../deploy-process-directory';
import { activateOne, completeOne, DAY, manualClock, PROCESSES_DIR } from './test-support';

describe('general submission on the embedded engine', () => {
  let db: Db;
  let close: () => Promise<void>;
  const clock = manualClock();
  let engine: EmbeddedEngine;

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    engine = createEmbeddedEngine({ db, clock: clock.now });
    await deployProcessDirectory(engine, PROCESSES_DIR);
  });
  afterAll(async () => {
    await engine.stop();
    await close();
  });

  const start = (submissionId: string) => engine.createProcessInstance({
    bpmnProcessId: 'general-submission',
    variables: { submissionId, serviceCode: 'general-submission', subject: 'Dotaz', locale: 'cs' },
  });

  async function toAnswerTask(submissionId: string) {
    const instance = await start(submissionId);
    const register = await completeOne(engine, 'registry.register-document', {
      documentId: 'd1', referenceNumber: 'MMKV/1/2026', answerDueDate: '2026-12-31T23:59:59Z', reminderAfter: 'P25D',
    });
    expect(register.processInstanceKey).toBe(instance.processInstanceKey);
    expect(register.variables.submissionId).toBe(submissionId);
    // the confirmation of receipt is rendered and sealed before the e-mail that links it goes out
    const sealReceipt = await completeOne(engine, 'registry.seal-receipt-confirmation', { receiptConfirmationComponentId: 'c1' });
    expect(sealReceipt.variables.documentId).toBe('d1');
    const confirm = await completeOne(engine, 'notify.send-email');
    expect(confirm.customHeaders).toEqual({ template: 'receipt-confirmation', recipient: 'applicant' });
    const [task] = await engine.searchUserTasks({ processInstanceKey: instance.processInstanceKey, state: 'CREATED' });
    return { instance, task };
  }

  it('runs from submission to answer with a referent claiming and completing the task', async () => {
    // given a submission that has been registered and confirmed
    const { instance, task } = await toAnswerTask('00000000-0000-4000-8000-000000000001');
    // then the answer task waits in the referents' inbox with its form and deadline
    expect(task).toMatchObject({ elementId: 'answer', candidateGroups: ['referent'], formId: 'general-submission-answer', dueDate: '2026-12-31T23:59:59Z', assignee: null });
    expect((await engine.searchUserTasks({ candidateGroups: ['referent'], state: 'CREATED' })).map((t) => t.userTaskKey)).toContain(task.userTaskKey);
    expect(await engine.searchUserTasks({ candidateGroups: ['podatelna'], state: 'CREATED' })).toEqual([]);

    // when a referent claims it, a colleague cannot take it over
    await engine.assignUserTask(task.userTaskKey, 'referent');
    await expect(engine.assignUserTask(task.userTaskKey, 'vedouci')).rejects.toMatchObject({ code: 'TASK_ALREADY_ASSIGNED' });
    expect((await engine.searchUserTasks({ assignee: 'referent' })).map((t) => t.userTaskKey)).toEqual([task.userTaskKey]);

    // and completes it with the answer
    await engine.completeUserTask(task.userTaskKey, { answerText: 'Odpověď' });
    expect((await engine.getUserTask(task.userTaskKey))?.state).toBe('COMPLETED');
    const render = await activateOne(engine, 'documents.render-answer');
    expect(render.variables.answerText).toBe('Odpověď');
    expect(render.customHeaders).toEqual({ template: 'general-submission-answer' });
    await engine.completeJob(render.jobKey, { answerDocumentId: 'd2' });
    const seal = await activateOne(engine, 'signing.seal');
    expect(seal.customHeaders).toEqual({ document: 'answerDocumentId' });
    expect(seal.variables.answerDocumentId).toBe('d2');
    await engine.completeJob(seal.jobKey, { sealedComponentId: 'c2', sealLevel: 'B-B' });
    const settle = await completeOne(engine, 'registry.settle-document');
    expect(settle.customHeaders).toEqual({ method: 'answered' });
    const notify = await completeOne(engine, 'notify.send-email');
    expect(notify.customHeaders.template).toBe('answer-ready');

    // then the instance is completed with all variables
    const done = await engine.getProcessInstance(instance.processInstanceKey);
    expect(done).toMatchObject({ state: 'COMPLETED', variables: { answerText: 'Odpověď', answerDocumentId: 'd2', referenceNumber: 'MMKV/1/2026' } });
    const left = await db('engine_events').where({ instance_key: instance.processInstanceKey, event: 'ELEMENT_LEFT' }).pluck('element_id');
    expect(left).toEqual(expect.arrayContaining(['register', 'answer', 'seal-answer', 'notify-answer', 'answered']));
  });

  it('settles as withdrawn when the citizen withdraws while the task is open', async () => {
    const id = '00000000-0000-4000-8000-000000000002';
    const { instance, task } = await toAnswerTask(id);
    // a message for another submission does not touch this one
    expect((await engine.publishMessage({ name: 'submission-withdrawn', correlationKey: 'someone-else' })).correlated).toBe(false);

    const result = await engine.publishMessage({ name: 'submission-withdrawn', correlationKey: id });
    expect(result.correlated).toBe(true);
    expect((await engine.getUserTask(task.userTaskKey))?.state).toBe('CANCELED');
    const settle = await completeOne(engine, 'registry.settle-document');
    expect(settle.customHeaders).toEqual({ method: 'withdrawn' });
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
  });

  it('reminds the handlers when the clock passes reminderAfter, and the task stays open', async () => {
    const { instance, task } = await toAnswerTask('00000000-0000-4000-8000-000000000003');
    clock.advance(24 * DAY);
    expect(await engine.runDueTimers()).toBe(0);
    clock.advance(1 * DAY + 1000);
    expect(await engine.runDueTimers()).toBe(1);
    const remind = await completeOne(engine, 'notify.send-email');
    expect(remind.customHeaders).toEqual({ template: 'answer-reminder', recipient: 'handlers' });
    expect((await engine.getUserTask(task.userTaskKey))?.state).toBe('CREATED');
    expect(await engine.runDueTimers()).toBe(0);
    await engine.completeUserTask(task.userTaskKey, { answerText: 'x' });
    await completeOne(engine, 'documents.render-answer');
    await completeOne(engine, 'signing.seal');
    await completeOne(engine, 'registry.settle-document');
    await completeOne(engine, 'notify.send-email');
    expect((await engine.getProcessInstance(instance.processInstanceKey))?.state).toBe('COMPLETED');
  });
});
