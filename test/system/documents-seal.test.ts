// Acceptance 1 and 2 of issue 4 (output side): a generated two-page decision is PDF/A and its PAdES
// seal, with an RFC 3161 time stamp from `openssl ts`, verifies with poppler's pdfsig and with
// openssl; the same works with the seal key inside SoftHSM2, reached through PKCS#11.
// Needs Debian's poppler-utils (pdfsig, pdftotext), softhsm2 and opensc (pkcs11-tool), and openssl.
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { checkPdfA, createJobHandlers, createSealingPorts, createTestPki, issueCertificate, readTemplateFixture, registerDocument, toPkcs12, readWorkersConfig, type TestPki } from '@openspis/workers';
import { completed, insertSubmission, jobCtx, makeJob, silentLog } from '../../workers/src/testing/fixtures';
import { verifyPadesWithOpenssl } from '../../workers/src/signing/testing/openssl';
import { pdfsig, pdftotext } from '../../workers/src/signing/testing/poppler';
import { startOpensslTsa, type OpensslTsa } from '../../workers/src/signing/testing/openssl-tsa';
import { startTestRevocation } from '../../workers/src/signing/testing/openssl-revocation';
import { readDss } from '../../workers/src/signing/pades-dss';
import { verifyPades } from '../../workers/src/verification/pades-verifier';
import { loadTrustAnchors } from '../../workers/src/verification/certificates';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';

function tool(cmd: string, args: string[], input?: Buffer): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}


describe('sealed decision (system)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let pki: TestPki;
  let tsa: OpensslTsa;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-system-seal-'));
  const clock = () => new Date();
  const baseEnv = () => ({ OPENSPIS_DATA_DIR: dir, SIGNING_TSA_URL: tsa.url });

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    pki = createTestPki();
    tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
    fs.writeFileSync(path.join(dir, 'seal.p12'), toPkcs12(pki.seal, { password: 'heslo', chain: [pki.ca] }));
  });
  afterAll(async () => {
    await tsa.close();
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function renderAndSeal(env: Record<string, string>) {
    const config = readWorkersConfig(env);
    const sealing = createSealingPorts(config);
    try {
      const handlers = createJobHandlers({ db, config, log: silentLog, clock, sealing });
      const submissionId = await insertSubmission(db, { subject: 'Zvláštní užívání chodníku v ulici Příčná' });
      const reg = await registerDocument({ db, clock, config }, { submissionId });
      const render = handlers.find((h) => h.type === 'documents.render')!;
      const { renderedDocumentId } = completed(await render.handle(makeJob('documents.render', { documentId: reg.documentId, documentData: readTemplateFixture(config, 'decision') }, { template: 'decision' }), jobCtx));
      const seal = handlers.find((h) => h.type === 'signing.seal')!;
      const outcome = await seal.handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx);
      if (outcome.outcome !== 'complete') return { outcome, reg, renderedDocumentId };
      const { sealedComponentId } = completed(outcome);
      const sealedRow = await db('components').where({ id: sealedComponentId }).first();
      const sourceRow = await db('components').where({ id: sealedRow.source_component_id }).first();
      const blob = async (sha: string) => Buffer.from((await db('blobs').where({ sha256: sha }).first()).content);
      return { outcome, reg, renderedDocumentId, sealedComponentId, rendered: await blob(sourceRow.blob_sha256), sealed: await blob(sealedRow.blob_sha256) };
    } finally {
      await sealing.close();
    }
  }

  it('acceptance 1: the two-page decision is PDF/A with the marks on every page; its B-T seal verifies with pdfsig and openssl, time stamp included', async () => {
    // when
    const r = await renderAndSeal({ ...baseEnv(), SIGNING_PKCS12_FILE: path.join(dir, 'seal.p12'), SIGNING_PKCS12_PASSWORD: 'heslo' });

    // then: PDF/A before and after sealing
    expect(r.outcome, JSON.stringify(r.outcome)).toMatchObject({ outcome: 'complete', variables: { sealLevel: 'B-T' } });
    for (const pdf of [r.rendered!, r.sealed!]) expect(await checkPdfA(pdf)).toMatchObject({ ok: true, part: '2', conformance: 'B', problems: [] });
    // Czech text and the marks on both pages
    const jid = (await db('documents').where({ id: r.renderedDocumentId }).first()).jid as string;
    const fileRef = (await db('files').where({ id: r.reg.fileId }).first()).file_reference as string;
    const pages = pdftotext(r.sealed!).split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(2);
    pages.forEach((page, i) => {
      expect(page).toContain('Magistrát města Karlovy Vary');
      expect(page).toContain(`Č. j. ${r.reg.referenceNumber}`);
      expect(page).toContain(`Sp. zn. ${fileRef}`);
      expect(page).toContain(`JID: ${jid}`);
      expect(page).toContain(`Strana ${i + 1} z 2`);
    });
    expect(pages[0]).toContain('ROZHODNUTÍ');
    expect(pages.join('\n')).toContain('Poučení o odvolání');
    expect(pages.join('\n')).toContain('Ing. Petr Šťastný');
    expect(pages.join('\n')).toContain('Žadatelka zajistí úklid');
    // an independent validator: poppler (NSS)
    const sig = pdfsig(r.sealed!);
    expect(sig).toContain('Signature Validation: Signature is Valid.');
    expect(sig).toContain('Signature Type: ETSI.CAdES.detached');
    expect(sig).toContain('Total document signed');
    expect(sig).toContain('Testovací pečeť úřadu');
    // and OpenSSL: the CMS to the test CA, the time stamp token over the signature value
    const v = verifyPadesWithOpenssl(r.sealed!, pki.ca.certPem);
    expect(v.cms.output).toContain('Verification successful');
    expect(v.timeStamp?.output).toContain('Verification: OK');
    // a tampered copy fails in pdfsig
    const tampered = Buffer.from(r.sealed!);
    const at = tampered.indexOf('/Title');
    tampered[at + 8] ^= 0x01;
    expect(pdfsig(tampered)).not.toContain('Signature is Valid.');
  });

  it('B-LT: when the CA publishes a CRL and OCSP, the seal carries them in the DSS; pdfsig accepts it and our verifier shows B-LT', async () => {
    // given a seal certificate naming the test CA's CRL (HTTP) and OCSP responder (openssl ocsp)
    const rev = await startTestRevocation({ ca: pki.ca });
    try {
      const cert = issueCertificate(pki.ca, { commonName: 'Pečeť s ověřovacími daty', organization: 'openspis test', kind: 'seal', crlUrl: rev.crlUrl, ocspUrl: rev.ocspUrl });
      await rev.register(cert);
      fs.writeFileSync(path.join(dir, 'seal-lt.p12'), toPkcs12(cert, { password: 'heslo', chain: [pki.ca] }));

      // when
      const r = await renderAndSeal({ ...baseEnv(), SIGNING_PKCS12_FILE: path.join(dir, 'seal-lt.p12'), SIGNING_PKCS12_PASSWORD: 'heslo' });

      // then
      expect(r.outcome, JSON.stringify(r.outcome)).toMatchObject({ outcome: 'complete', variables: { sealLevel: 'B-LT' } });
      expect(await db('component_seals').where({ sealed_component_id: r.sealedComponentId }).first()).toMatchObject({ level: 'B-LT' });
      expect(await checkPdfA(r.sealed!)).toMatchObject({ ok: true, problems: [] });
      const dss = readDss(r.sealed!);
      expect(dss.ocsps.length + dss.crls.length).toBeGreaterThanOrEqual(1);
      // poppler: the signature is intact; the DSS came after it, so it is not the whole file
      const sig = pdfsig(r.sealed!);
      expect(sig).toContain('Signature Validation: Signature is Valid.');
      expect(sig).toContain('Pečeť s ověřovacími daty');
      expect(verifyPadesWithOpenssl(r.sealed!, pki.ca.certPem).cms.ok).toBe(true);
      // our verifier, with the CA's services switched off: the embedded data is enough
      rev.setDown(true);
      const anchors = path.join(dir, 'anchors');
      fs.mkdirSync(anchors, { recursive: true });
      fs.writeFileSync(path.join(anchors, 'root.pem'), pki.ca.certPem);
      const [check] = await verifyPades(r.sealed!, { anchors: loadTrustAnchors(anchors), now: new Date() });
      expect(check).toMatchObject({ indication: 'TOTAL_PASSED', level: 'B-LT', onlyValidationDataAdded: true, revocation: [expect.objectContaining({ status: 'good', origin: 'embedded' })] });
    } finally {
      await rev.close();
    }
  });

  it('acceptance 2: the seal key generated inside a SoftHSM2 token signs through PKCS#11', async () => {
    // given a token in a throw-away SoftHSM2 configuration, an RSA key generated inside it, and
    // the certificate the test CA issued for its public key written next to it
    const hsm = path.join(dir, 'softhsm');
    fs.mkdirSync(path.join(hsm, 'tokens'), { recursive: true });
    fs.writeFileSync(path.join(hsm, 'softhsm2.conf'), `directories.tokendir = ${hsm}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = path.join(hsm, 'softhsm2.conf');
    tool('softhsm2-util', ['--init-token', '--free', '--label', 'openspis-seal', '--so-pin', '87654321', '--pin', '123456']);
    const p11 = ['--module', SOFTHSM, '--token-label', 'openspis-seal', '--login', '--pin', '123456'];
    tool('pkcs11-tool', [...p11, '--keypairgen', '--key-type', 'rsa:2048', '--label', 'seal', '--id', '01']);
    tool('pkcs11-tool', [...p11, '--read-object', '--type', 'pubkey', '--label', 'seal', '-o', path.join(hsm, 'pub.der')]);
    const publicKeyPem = createPublicKey({ key: fs.readFileSync(path.join(hsm, 'pub.der')), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
    const cert = issueCertificate(pki.ca, { commonName: 'Pečeť v HSM', organization: 'openspis test', publicKeyPem });
    fs.writeFileSync(path.join(hsm, 'cert.der'), cert.certDer);
    tool('pkcs11-tool', [...p11, '--write-object', path.join(hsm, 'cert.der'), '--type', 'cert', '--label', 'seal', '--id', '01']);
    const env = { ...baseEnv(), SIGNING_PKCS11_MODULE: SOFTHSM, SIGNING_PKCS11_TOKEN_LABEL: 'openspis-seal', SIGNING_PKCS11_KEY_LABEL: 'seal', SIGNING_PKCS11_PIN: '123456' };

    // when
    const r = await renderAndSeal(env);

    // then
    expect(r.outcome, JSON.stringify(r.outcome)).toMatchObject({ outcome: 'complete', variables: { sealLevel: 'B-T' } });
    const sig = pdfsig(r.sealed!);
    expect(sig).toContain('Signature Validation: Signature is Valid.');
    expect(sig).toContain('Pečeť v HSM');
    const v = verifyPadesWithOpenssl(r.sealed!, pki.ca.certPem);
    expect(v.cms.ok).toBe(true);
    expect(v.timeStamp?.ok).toBe(true);
    expect(await db('component_seals').where({ sealed_component_id: r.sealedComponentId }).first()).toMatchObject({ key_source: 'pkcs11', level: 'B-T' });

    // a wrong PIN is an incident, not a retry loop
    const wrong = await renderAndSeal({ ...env, SIGNING_PKCS11_PIN: '000000' });
    expect(wrong.outcome).toMatchObject({ outcome: 'fail', retries: 0, errorMessage: expect.stringContaining('SEAL_KEY_UNREADABLE') });
  });
});
