import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { readTemplateFixture } from './document-template';
import { checkPdfA } from './pdfa-check';

describe('documents.render', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
  });
  afterAll(() => close());

  const config = testConfig();
  const clock = () => new Date('2027-03-20T09:00:00Z');
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'documents.render')!;
  const decisionData = readTemplateFixture(config, 'decision');
  const registered = async () => {
    const submissionId = await insertSubmission(db, { subject: 'Zvláštní užívání chodníku v ulici Příčná' });
    return registerDocument({ db, clock, config }, { submissionId });
  };
  const pdfOf = async (documentId: string) => {
    const [component] = await db('components').where({ document_id: documentId });
    return { component, pdf: Buffer.from((await db('blobs').where({ sha256: component.blob_sha256 }).first()).content) };
  };

  it('renders the two-page decision to PDF/A-2b and files it in the same file under the same reference number', async () => {
    // given
    const reg = await registered();
    const job = makeJob('documents.render', { documentId: reg.documentId, documentData: decisionData }, { template: 'decision' });

    // when
    const result = await handler().handle(job, jobCtx);

    // then
    const { renderedDocumentId } = completed(result);
    const doc = await db('documents').where({ id: renderedDocumentId }).first();
    expect(doc).toMatchObject({ direction: 'outgoing', file_id: reg.fileId, reference_number: reg.referenceNumber, in_reply_to: reg.documentId, state: 'created' });
    expect(doc.subject).toBe('Rozhodnutí – Zvláštní užívání chodníku v ulici Příčná');
    const { component, pdf } = await pdfOf(renderedDocumentId);
    expect(component).toMatchObject({ media_type: 'application/pdf', format: 'pdf', version: 1 });
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2);
    const check = await checkPdfA(pdf);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ ok: true, part: '2', conformance: 'B' });
    const audit = await db('audit_log').where({ object_id: renderedDocumentId }).select('event_type');
    expect(audit.map((a) => a.event_type).sort()).toEqual(['VlozeniDoSpisu', 'Zalozeni']);
  });

  it('puts the result in the variable the resultVariable header names', async () => {
    const reg = await registered();
    const result = await handler().handle(makeJob('documents.render', { documentId: reg.documentId, documentData: decisionData }, { template: 'decision', resultVariable: 'decisionDocumentId' }), jobCtx);
    expect(Object.keys(completed(result))).toEqual(['decisionDocumentId']);
  });

  it('returns the same document on re-delivery and writes nothing', async () => {
    // given
    const reg = await registered();
    const job = makeJob('documents.render', { documentId: reg.documentId, documentData: decisionData }, { template: 'decision' });
    const first = await handler().handle(job, jobCtx);
    const before = await countRows(db, ['documents', 'components', 'blobs', 'audit_log']);

    // when
    const again = await handler().handle(job, jobCtx);

    // then
    expect(again).toEqual(first);
    expect(await countRows(db, ['documents', 'components', 'blobs', 'audit_log'])).toEqual(before);
  });

  it('fails with no retries on bad input, writing nothing', async () => {
    const reg = await registered();
    const before = await countRows(db, ['documents', 'components']);
    const cases = [
      makeJob('documents.render', { documentData: decisionData }, { template: 'decision' }),
      makeJob('documents.render', { documentId: reg.documentId, documentData: 'x' }, { template: 'decision' }),
      makeJob('documents.render', { documentId: reg.documentId }, { template: '../etc/passwd' }),
      makeJob('documents.render', { documentId: reg.documentId }, { template: 'no-such-template' }),
      makeJob('documents.render', { documentId: '00000000-0000-4000-8000-000000000000' }, { template: 'decision' }),
      makeJob('documents.render', { documentId: reg.documentId }, { template: 'decision', resultVariable: 'a b' }),
    ];
    for (const job of cases) expect(await handler().handle(job, jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
    expect(await countRows(db, ['documents', 'components'])).toEqual(before);
  });
});
