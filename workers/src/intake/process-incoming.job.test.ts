import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { createTestPki, type TestPki } from '../verification/testing/openssl-pki';
import { signedPdf } from '../verification/testing/signed-pdf';
import { emlWithAttachments, minimalDocx } from './testing/sample-files';

type Out = { signatureVerdict: string; verificationReportComponentIds: string[]; unpackedComponentIds: string[]; convertibleComponentIds: string[] };

describe('documents.process-incoming', () => {
  let db: Db;
  let close: () => Promise<void>;
  let pki: TestPki;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    pki = createTestPki();
  }, 180_000); // a fresh database and RSA keys: slow on a busy machine
  afterAll(async () => {
    pki.cleanup();
    await close();
  });
  const clock = () => new Date();

  it('unpacks an e-mail, verifies the signed attachment and names what can be converted; again gives the same', async () => {
    // given: an e-mail with a sealed PDF and a DOCX
    const config = testConfig({ TRUST_ANCHORS_DIR: pki.anchorsDir });
    const eml = await emlWithAttachments([
      { filename: 'rozhodnuti.pdf', content: await signedPdf(pki, pki.signer), contentType: 'application/pdf' },
      { filename: 'priloha.docx', content: minimalDocx(), contentType: 'application/octet-stream' },
    ]);
    const submissionId = await insertSubmission(db, { attachment: { name: 'podani.eml', type: 'message/rfc822', content: eml } });
    const { documentId } = await registerDocument({ db, clock, config }, { submissionId });
    const handler = createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'documents.process-incoming')!;
    const job = makeJob('documents.process-incoming', { documentId });

    // when
    const out = completed<Out>(await handler.handle(job, jobCtx));

    // then
    expect(out.signatureVerdict).toBe('valid');
    expect(out.unpackedComponentIds).toHaveLength(3);
    expect(out.verificationReportComponentIds).toHaveLength(1);
    const names = async (ids: string[]) => (await db('components').whereIn('id', ids).select('file_name')).map((r) => r.file_name).sort();
    expect(await names(out.convertibleComponentIds)).toEqual(['podani.json', 'priloha.docx', 'zprava.txt']); // the form data is text, too
    const verified = await db('signature_verifications').whereIn('component_id', out.unpackedComponentIds);
    expect(verified.map((v) => v.verdict)).toEqual(['valid']);
    const rows = await countRows(db, ['components', 'signature_verifications', 'audit_log']);
    expect(completed<Out>(await handler.handle(job, jobCtx))).toEqual(out);
    expect(await countRows(db, ['components', 'signature_verifications', 'audit_log'])).toEqual(rows);
    expect(handler.timeout).toBeGreaterThan(30_000);
  });

  it('an unknown document is an incident', async () => {
    const handler = createJobHandlers({ db, config: testConfig(), log: silentLog, clock }).find((h) => h.type === 'documents.process-incoming')!;
    const out = await handler.handle(makeJob('documents.process-incoming', { documentId: '00000000-0000-4000-8000-000000000000' }), jobCtx);
    expect(out).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
