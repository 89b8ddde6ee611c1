import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';

const TABLES = ['files', 'documents', 'components', 'journal', 'audit_log', 'submission_events', 'blobs'];

describe('registry.register-document', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  const handler = () => createJobHandlers({ db, config: testConfig(), log: silentLog, clock: () => new Date('2026-12-01T00:00:00Z') }).find((h) => h.type === 'registry.register-document')!;

  it('turns the submission into a registered incoming document in a new file', async () => {
    // given
    const submissionId = await insertSubmission(db, { attachment: { name: 'foto.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.7 foto') } });
    const before = await countRows(db, TABLES);

    // when
    const result = await handler().handle(makeJob('registry.register-document', { submissionId }), jobCtx);

    // then
    expect(result.outcome).toBe('complete');
    const vars = completed(result);
    expect(vars.referenceNumber).toBe('MMKV/1/2026');
    expect(vars.fileReference).toBe('MMKV/1/2026');
    expect(vars.jid).toMatch(/^MMKV\d{9}[0-9X]$/);
    expect(vars.answerDueDate).toBe('2026-12-30T22:59:59.999Z');
    expect(vars.reminderAfter).toBe('P24DT22H59M59S');

    const doc = await db('documents').where({ id: vars.documentId }).first();
    expect(doc).toMatchObject({ direction: 'incoming', state: 'registered', file_id: vars.fileId, reference_number: 'MMKV/1/2026', subject: 'Žádost o opravu chodníku' });
    const components = await db('components').where({ document_id: vars.documentId }).orderBy('file_name');
    expect(components.map((c) => [c.file_name, c.media_type])).toEqual([['foto.pdf', 'application/pdf'], ['podani.json', 'application/json']]);
    const podani = await db('blobs').where({ sha256: components[1].blob_sha256 }).first();
    expect(JSON.parse(Buffer.from(podani.content).toString('utf8')).formData.subject).toBe('Žádost o opravu chodníku');

    const submission = await db('submissions').where({ id: submissionId }).first();
    expect(submission).toMatchObject({ status: 'registered', reference_number: 'MMKV/1/2026', document_id: vars.documentId });
    const journal = await db('journal').where({ document_id: vars.documentId }).first();
    expect(journal).toMatchObject({ seq: 1, year: 2026, jid: vars.jid, sender: 'Jana Nováková' });

    const audit = await db('audit_log').orderBy('id').select('event_type', 'object_type');
    expect(audit.map((a) => `${a.event_type}:${a.object_type}`)).toEqual([
      'Zalozeni:Spis', 'Zalozeni:Dokument', 'Zalozeni:Komponenta', 'Zalozeni:Komponenta', 'VlozeniDoSpisu:Dokument',
    ]);
    const after = await countRows(db, TABLES);
    expect(after.submission_events - before.submission_events).toBe(1);
    expect(after.blobs - before.blobs).toBe(1); // podani.json; the attachment's bytes are reused
  });

  it('returns the same numbers on re-delivery and writes nothing', async () => {
    // given
    const submissionId = await insertSubmission(db);
    const job = makeJob('registry.register-document', { submissionId });
    const first = await handler().handle(job, jobCtx);
    const before = await countRows(db, TABLES);

    // when
    const again = await handler().handle(job, jobCtx);

    // then
    expect(again).toEqual(first);
    expect(await countRows(db, TABLES)).toEqual(before);
  });

  it('fails with no retries when the submission id is missing or unknown', async () => {
    const missing = await handler().handle(makeJob('registry.register-document', {}), jobCtx);
    expect(missing).toMatchObject({ outcome: 'fail', retries: 0 });
    expect((missing as { errorMessage: string }).errorMessage).toContain('submissionId');
    const unknown = await handler().handle(makeJob('registry.register-document', { submissionId: '00000000-0000-4000-8000-000000000000' }), jobCtx);
    expect(unknown).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
