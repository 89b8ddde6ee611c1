import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { readTemplateFixture } from '../documents/document-template';
import { checkPdfA } from '../documents/pdfa-check';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { DEV_SEAL_COMMON_NAME } from './dev-seal';
import { createTestPki, toPkcs12, type TestPki } from './test-pki';
import { verifyPadesWithOpenssl } from './testing/openssl';
import { startOpensslTsa, type OpensslTsa } from './testing/openssl-tsa';

describe('signing.seal', () => {
  let db: Db;
  let close: () => Promise<void>;
  let pki: TestPki;
  let tsa: OpensslTsa;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-seal-'));
  const clock = () => new Date();
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    pki = createTestPki();
    tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
    fs.writeFileSync(path.join(dataDir, 'seal.p12'), toPkcs12(pki.seal, { password: 'heslo', chain: [pki.ca] }));
    fs.writeFileSync(path.join(dataDir, 'expired.p12'), toPkcs12(pki.expiredSeal, { password: 'heslo', chain: [pki.ca] }));
  });
  afterAll(async () => {
    await tsa.close();
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const handlers = (env: Record<string, string>) => createJobHandlers({ db, config: testConfig({ OPENSPIS_DATA_DIR: dataDir, ...env }), log: silentLog, clock });
  const renderDecision = async (env: Record<string, string> = {}) => {
    const submissionId = await insertSubmission(db);
    const reg = await registerDocument({ db, clock, config: testConfig() }, { submissionId });
    const render = handlers(env).find((h) => h.type === 'documents.render')!;
    return completed(await render.handle(makeJob('documents.render', { documentId: reg.documentId, documentData: readTemplateFixture(testConfig(), 'decision') }, { template: 'decision' }), jobCtx)).renderedDocumentId;
  };
  const sealJob = (env: Record<string, string>) => handlers(env).find((h) => h.type === 'signing.seal')!;
  const componentPdf = async (id: string) => {
    const c = await db('components').where({ id }).first();
    return { component: c, pdf: Buffer.from((await db('blobs').where({ sha256: c.blob_sha256 }).first()).content) };
  };
  const p12Env = (file: string) => ({ SIGNING_PKCS12_FILE: path.join(dataDir, file), SIGNING_PKCS12_PASSWORD: 'heslo' });

  it('seals with a PKCS#12 key and a time stamp (B-T): a new component version that openssl verifies, still PDF/A', async () => {
    // given
    const renderedDocumentId = await renderDecision();
    const env = { ...p12Env('seal.p12'), SIGNING_TSA_URL: tsa.url };

    // when
    const result = await sealJob(env).handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx);

    // then
    const { sealedComponentId, sealLevel } = completed(result);
    expect(sealLevel).toBe('B-T');
    const { component, pdf } = await componentPdf(sealedComponentId);
    expect(component).toMatchObject({ document_id: renderedDocumentId, version: 2, derivation: 'sealed', media_type: 'application/pdf' });
    const verified = verifyPadesWithOpenssl(pdf, pki.ca.certPem);
    expect(verified.cms.ok).toBe(true);
    expect(verified.timeStamp?.ok).toBe(true);
    expect((await checkPdfA(pdf)).problems).toEqual([]);
    const seal = await db('component_seals').where({ sealed_component_id: sealedComponentId }).first();
    expect(seal).toMatchObject({ level: 'B-T', key_source: 'pkcs12', qualified: false, source_component_id: component.source_component_id });
    expect(seal.signer_subject).toContain('Testovací pečeť úřadu');
    expect(seal.tsa_subject).toContain('openspis Test TSA');
  });

  it('is idempotent: re-delivery returns the same seal and writes nothing', async () => {
    const renderedDocumentId = await renderDecision();
    const job = makeJob('signing.seal', { decisionId: renderedDocumentId }, { document: 'decisionId' });
    const env = { ...p12Env('seal.p12'), SIGNING_TSA_URL: tsa.url };
    const first = await sealJob(env).handle(job, jobCtx);
    const before = await countRows(db, ['components', 'blobs', 'component_seals', 'audit_log']);
    const issued = tsa.issued;
    expect(await sealJob(env).handle(job, jobCtx)).toEqual(first);
    expect(await countRows(db, ['components', 'blobs', 'component_seals', 'audit_log'])).toEqual(before);
    expect(tsa.issued).toBe(issued);
  });

  it('with no configuration seals with the generated dev seal, clearly not qualified, kept in the data folder (B-B)', async () => {
    const renderedDocumentId = await renderDecision();
    const { sealedComponentId, sealLevel } = completed(await sealJob({}).handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx));
    expect(sealLevel).toBe('B-B');
    const seal = await db('component_seals').where({ sealed_component_id: sealedComponentId }).first();
    expect(seal).toMatchObject({ key_source: 'dev', qualified: false });
    expect(seal.signer_subject).toContain(DEV_SEAL_COMMON_NAME);
    const devCa = fs.readFileSync(path.join(dataDir, 'signing', 'dev-seal', 'dev-ca.pem'), 'utf8');
    const devCheck = verifyPadesWithOpenssl((await componentPdf(sealedComponentId)).pdf, devCa).cms;
    expect(devCheck.output).toContain('Verification successful');
    expect(devCheck.ok).toBe(true);
    // the same seal next time
    const p12 = fs.readFileSync(path.join(dataDir, 'signing', 'dev-seal', 'dev-seal.p12'));
    const other = await renderDecision();
    completed(await sealJob({}).handle(makeJob('signing.seal', { renderedDocumentId: other }), jobCtx));
    expect(fs.readFileSync(path.join(dataDir, 'signing', 'dev-seal', 'dev-seal.p12')).equals(p12)).toBe(true);
  });

  it('refuses an expired seal certificate (incident, nothing written) and retries while the TSA is down', async () => {
    const renderedDocumentId = await renderDecision();
    const before = await countRows(db, ['components', 'component_seals']);
    expect(await sealJob(p12Env('expired.p12')).handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0, errorMessage: expect.stringContaining('SEAL_CERTIFICATE_NOT_VALID') });
    const down = await sealJob({ ...p12Env('seal.p12'), SIGNING_TSA_URL: 'http://127.0.0.1:9/tsa', SIGNING_TSA_TIMEOUT_MS: '2000' }).handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx);
    expect(down).toMatchObject({ outcome: 'fail', retries: 4 });
    expect(await countRows(db, ['components', 'component_seals'])).toEqual(before);
  });

  it('fails with no retries for a document that does not exist', async () => {
    expect(await sealJob({}).handle(makeJob('signing.seal', { renderedDocumentId: '00000000-0000-4000-8000-000000000000' }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
