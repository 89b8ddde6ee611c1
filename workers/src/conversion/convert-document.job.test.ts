import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { minimalPdf, pdfaXmp, zip } from '../intake/testing/sample-files';

// The conversions themselves need LibreOffice: test/system/document-conversion.test.ts.
describe('documents.convert (without LibreOffice)', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
  }, 180_000); // a fresh database and RSA keys: slow on a busy machine
  afterAll(() => close());

  const config = testConfig({ SOFFICE_PATH: '/nonexistent/soffice' });
  const clock = () => new Date('2026-12-01T10:00:00Z');
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'documents.convert')!;
  async function component(name: string, content: Buffer): Promise<string> {
    const submissionId = await insertSubmission(db, { attachment: { name, type: 'application/octet-stream', content } });
    const { documentId } = await registerDocument({ db, clock, config }, { submissionId });
    return (await db('components').where({ document_id: documentId, file_name: name }).first()).id;
  }

  it('leaves a component that already claims PDF/A as it is', async () => {
    const id = await component('rozhodnuti.pdf', minimalPdf(pdfaXmp(2, 'B')));
    const out = completed(await handler().handle(makeJob('documents.convert', { componentId: id }), jobCtx));
    expect(out).toEqual({ convertedComponentId: id, converted: false });
    expect(await db('components').where({ source_component_id: id })).toHaveLength(0);
  });

  it('answers a format it cannot convert with the BPMN error CONVERSION_NOT_SUPPORTED, storing nothing', async () => {
    const id = await component('archiv.zip', zip({ 'a.txt': 'x' }));
    const rows = await countRows(db, ['components', 'blobs', 'audit_log']);
    const out = await handler().handle(makeJob('documents.convert', { componentId: id }), jobCtx);
    expect(out).toMatchObject({ outcome: 'error', errorCode: 'CONVERSION_NOT_SUPPORTED' });
    expect(await countRows(db, ['components', 'blobs', 'audit_log'])).toEqual(rows);
  });

  it('retries later when LibreOffice cannot be started', async () => {
    const id = await component('dopis.txt', Buffer.from('Dobrý den'));
    const out = await handler().handle(makeJob('documents.convert', { componentId: id }), jobCtx);
    expect(out).toMatchObject({ outcome: 'fail', retries: 4 });
  });

  it('keeps the job locked for as long as a conversion may take', () => {
    expect(handler().timeout).toBe(2 * config.conversionTimeoutMs + 30_000);
  });

  it('fails bad input with no retries', async () => {
    expect(await handler().handle(makeJob('documents.convert', { componentId: 42 }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
