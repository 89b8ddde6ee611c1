import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';

function pdfText(pdf: Buffer): string {
  const file = path.join(os.tmpdir(), `answer-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(file);
  }
}
const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('documents.render-answer', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await db('users').insert({ username: 'referent', display_name: 'Petr Šťastný', password_hash: 'x' });
  });
  afterAll(() => close());

  const config = testConfig();
  const clock = () => new Date('2026-12-10T09:00:00Z');
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'documents.render-answer')!;
  const answerText = 'Vážená paní Nováková,\n\noprava chodníku v ulici Příčná je naplánována na jaro 2027.\nDěkujeme za podnět.';

  it('files a PDF/A answer with the Czech letter in the same file under the same reference number', async () => {
    // given
    const submissionId = await insertSubmission(db);
    const reg = await registerDocument({ db, clock, config }, { submissionId });
    const job = makeJob('documents.render-answer', { submissionId, answerText, answeredBy: 'referent' }, { template: 'general-submission-answer' });

    // when
    const result = await handler().handle(job, jobCtx);

    // then
    expect(result.outcome).toBe('complete');
    const { answerDocumentId } = completed(result);
    const doc = await db('documents').where({ id: answerDocumentId }).first();
    expect(doc).toMatchObject({ direction: 'outgoing', file_id: reg.fileId, reference_number: reg.referenceNumber, in_reply_to: reg.documentId, state: 'created' });
    expect(Number((await db('journal').where({ file_id: reg.fileId }).count({ n: '*' }).first())?.n)).toBe(1);
    const [component] = await db('components').where({ document_id: answerDocumentId });
    expect(component).toMatchObject({ media_type: 'application/pdf' });
    const pdf = Buffer.from((await db('blobs').where({ sha256: component.blob_sha256 }).first()).content);
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('pdfaid:part');
    expect(raw).toMatch(/pdfaid:part>2<|pdfaid:part="2"/);
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('DejaVuSans');
    if (hasPdftotext) {
      const text = pdfText(pdf);
      expect(text).toContain(`Č. j. ${reg.referenceNumber}`);
      expect(text).toContain('Věc: Odpověď na podání – Žádost o opravu chodníku');
      expect(text).toContain('oprava chodníku v ulici Příčná je naplánována');
      expect(text).toContain('Petr Šťastný');
      expect(text).toContain('Magistrát města Karlovy Vary');
    }
    const audit = await db('audit_log').where({ object_id: answerDocumentId }).select('event_type');
    expect(audit.map((a) => a.event_type).sort()).toEqual(['VlozeniDoSpisu', 'Zalozeni']);
  });

  it('renders in the submission language', async () => {
    const submissionId = await insertSubmission(db, { locale: 'uk', subject: 'Ремонт тротуару' });
    await registerDocument({ db, clock, config }, { submissionId });
    const result = await handler().handle(makeJob('documents.render-answer', { submissionId, answerText: 'Дякуємо за звернення, ремонт заплановано.' }, { template: 'general-submission-answer' }), jobCtx);
    const { answerDocumentId } = completed(result);
    const [component] = await db('components').where({ document_id: answerDocumentId });
    const pdf = Buffer.from((await db('blobs').where({ sha256: component.blob_sha256 }).first()).content);
    if (hasPdftotext) expect(pdfText(pdf)).toContain('Щодо: відповідь на звернення – Ремонт тротуару');
  });

  it('returns the same answer on re-delivery and writes nothing', async () => {
    // given
    const submissionId = await insertSubmission(db);
    await registerDocument({ db, clock, config }, { submissionId });
    const job = makeJob('documents.render-answer', { submissionId, answerText }, { template: 'general-submission-answer' });
    const first = await handler().handle(job, jobCtx);
    const before = await countRows(db, ['documents', 'components', 'blobs', 'audit_log']);

    // when
    const again = await handler().handle(job, jobCtx);

    // then
    expect(again).toEqual(first);
    expect(await countRows(db, ['documents', 'components', 'blobs', 'audit_log'])).toEqual(before);
  });

  it('fails with no retries without an answer text or for an unknown template', async () => {
    const submissionId = await insertSubmission(db);
    expect(await handler().handle(makeJob('documents.render-answer', { submissionId }, { template: 'general-submission-answer' }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
    expect(await handler().handle(makeJob('documents.render-answer', { submissionId, answerText }, { template: 'nope' }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
