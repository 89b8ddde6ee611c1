import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from './register-document.service';
import { renderAnswer } from '../documents/render-answer.service';
import { countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';

describe('registry.settle-document', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  const config = testConfig();
  const clock = () => new Date('2026-12-11T10:00:00Z');
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'registry.settle-document')!;

  it('settles by the answer: document, journal, audit, submission status and timeline', async () => {
    // given
    const submissionId = await insertSubmission(db);
    const reg = await registerDocument({ db, clock, config }, { submissionId });
    const { answerDocumentId } = await renderAnswer({ db, clock, config }, { submissionId, answerText: 'Odpověď na vaše podání.', template: 'general-submission-answer' });
    const job = makeJob('registry.settle-document', { submissionId, answerDocumentId }, { method: 'answered' });

    // when
    const result = await handler().handle(job, jobCtx);

    // then
    expect(result).toEqual({ outcome: 'complete', variables: {} });
    const doc = await db('documents').where({ id: reg.documentId }).first();
    expect(doc).toMatchObject({ state: 'settled', settlement_method: 'answered', settled_by: 'system:workers' });
    expect(new Date(doc.settled_at).toISOString()).toBe('2026-12-11T10:00:00.000Z');
    expect(await db('journal').where({ document_id: reg.documentId }).first()).toMatchObject({ settlement_method: 'answered' });
    expect(await db('submissions').where({ id: submissionId }).first()).toMatchObject({ status: 'answered', answer_document_id: answerDocumentId });
    expect((await db('submission_events').where({ submission_id: submissionId }).orderBy('id')).map((e) => e.status)).toEqual(['received', 'registered', 'answered']);
    expect(await db('audit_log').where({ object_id: reg.documentId, event_type: 'Vyrizeni' })).toHaveLength(1);

    // and a re-delivery changes nothing
    const before = await countRows(db, ['audit_log', 'submission_events']);
    expect(await handler().handle(job, jobCtx)).toEqual(result);
    expect(await countRows(db, ['audit_log', 'submission_events'])).toEqual(before);
  });

  it('settles a withdrawn submission', async () => {
    const submissionId = await insertSubmission(db);
    const reg = await registerDocument({ db, clock, config }, { submissionId });
    expect((await handler().handle(makeJob('registry.settle-document', { submissionId }, { method: 'withdrawn' }), jobCtx)).outcome).toBe('complete');
    expect(await db('documents').where({ id: reg.documentId }).first()).toMatchObject({ state: 'settled', settlement_method: 'withdrawn' });
    expect(await db('submissions').where({ id: submissionId }).first()).toMatchObject({ status: 'withdrawn', answer_document_id: null });
  });

  it('fails with no retries for an unknown method', async () => {
    const submissionId = await insertSubmission(db);
    const outcome = await handler().handle(makeJob('registry.settle-document', { submissionId }, { method: 'lost' }), jobCtx);
    expect(outcome).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
