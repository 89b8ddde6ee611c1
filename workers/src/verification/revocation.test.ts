// Revocation in verification: the test CA publishes a CRL over HTTP and answers OCSP (both real
// OpenSSL); a revoked signer certificate is caught by either, and a B-LT seal is checked with the
// revocation data it carries even while the CA cannot be reached.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLayout, renderPdf } from '../documents/pdf-renderer';
import { openPkcs12Key } from '../signing/pkcs12-key';
import { sealPdf } from '../signing/pades';
import { createTestCa, issueCertificate, toPkcs12, type TestCa, type TestCertificate } from '../signing/test-pki';
import { startTestRevocation, type TestRevocation } from '../signing/testing/openssl-revocation';
import { startOpensslTsa, type OpensslTsa } from '../signing/testing/openssl-tsa';
import { httpTimeStamper } from '../signing/tsa-client';
import { verifyCms, type VerifyContext } from './cms-verifier';
import { verifyPades } from './pades-verifier';
import { cmsSign } from './testing/openssl-pki';
import { reportBlocks } from './verification-report';

const LOCALES_DIR = path.resolve(import.meta.dirname, '../../../i18n/locales');

describe('revocation status in verification (CRL over HTTP, OCSP by openssl)', () => {
  let ca: TestCa;
  let rev: TestRevocation;
  let tsa: OpensslTsa;
  let dir: string;
  const data = Buffer.from('Žádost o vydání parkovací karty');
  const meta = { format: 'cades' as const, location: 'zadost.p7m' };
  const ctx = (): VerifyContext => ({ anchors: [pkijs.Certificate.fromBER(new Uint8Array(ca.certDer))], now: new Date(), revocation: { timeoutMs: 5000 } });
  const files = (c: TestCertificate) => {
    const cert = path.join(dir, `${c.serialNumber}.pem`);
    const key = path.join(dir, `${c.serialNumber}.key`);
    fs.writeFileSync(cert, c.certPem);
    fs.writeFileSync(key, c.keyPem);
    return { cert, key };
  };
  const issue = async (commonName: string, services: { crl?: boolean; ocsp?: boolean }) => {
    const c = issueCertificate(ca, { commonName, kind: 'signature', crlUrl: services.crl ? rev.crlUrl : undefined, ocspUrl: services.ocsp ? rev.ocspUrl : undefined });
    await rev.register(c);
    return c;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-revocation-test-'));
    ca = createTestCa({ commonName: 'openspis Test CA se zneplatněním', organization: 'openspis test' });
    rev = await startTestRevocation({ ca });
    const tsaCert = issueCertificate(ca, { commonName: 'TSA', kind: 'tsa' });
    tsa = await startOpensslTsa({ ca, tsa: tsaCert });
  });
  afterAll(async () => {
    await tsa.close();
    await rev.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a certificate in good standing passes, its status fetched from the OCSP responder', async () => {
    const signer = await issue('Jana Nováková', { crl: true, ocsp: true });
    const before = rev.requests.ocsp;
    const [check] = await verifyCms(cmsSign(data, files(signer), { detached: false }), null, ctx(), meta);
    expect(check).toMatchObject({ indication: 'TOTAL_PASSED', level: 'B-B' });
    expect(check.revocation).toEqual([expect.objectContaining({ subject: expect.stringContaining('Jana Nováková'), status: 'good', origin: 'fetched', via: 'ocsp' })]);
    expect(rev.requests.ocsp).toBe(before + 1);
  });

  it('a revoked signer certificate fails (REVOKED), by OCSP and by the CRL alone, and the report says why', async () => {
    // given two certificates revoked a minute ago, one with OCSP, one with only a CRL
    const byOcsp = await issue('Petr Zneplatněný', { crl: true, ocsp: true });
    const byCrl = await issue('Eva Zneplatněná', { crl: true });
    const revokedAt = new Date(Date.now() - 60_000);
    await rev.revoke(byOcsp, revokedAt, 'keyCompromise');
    await rev.revoke(byCrl, revokedAt, 'keyCompromise');

    // when signed now (the CMS says so in its signing-time attribute) and verified
    const [a] = await verifyCms(cmsSign(data, files(byOcsp), { detached: false }), null, ctx(), meta);
    const [b] = await verifyCms(cmsSign(data, files(byCrl), { detached: false }), null, ctx(), meta);

    // then
    for (const [check, via] of [[a, 'ocsp'], [b, 'crl']] as const) {
      expect(check).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'REVOKED', level: null });
      expect(check.problem).toContain('keyCompromise');
      expect(check.revocation?.[0]).toMatchObject({ status: 'revoked', via, origin: 'fetched', reason: 'keyCompromise', revokedAt: new Date(Math.floor(revokedAt.getTime() / 1000) * 1000).toISOString() });
    }
    const report = reportBlocks({ fileName: 'zadost.p7m', sha256: 'x', format: 'cms', verifiedAt: new Date(), anchors: 1, verdict: 'invalid', checks: [a] }, LOCALES_DIR, 'en')
      .map((blk) => ('text' in blk ? blk.text : ''))
      .join('\n');
    expect(report).toContain('the signer’s certificate was revoked before the signature was made');
    expect(report).toMatch(/Revocation status of .*Petr Zneplatněný.*: REVOKED on .*keyCompromise \(OCSP, obtained from the certification authority\)/);
  });

  it('a service that does not answer leaves the signature indeterminate (TRY_LATER), saying which', async () => {
    const signer = await issue('Karel Neověřitelný', { crl: true });
    rev.setDown(true);
    try {
      const [check] = await verifyCms(cmsSign(data, files(signer), { detached: false }), null, ctx(), meta);
      expect(check).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
      expect(check.problem).toContain(rev.crlUrl);
    } finally {
      rev.setDown(false);
    }
  });

  it('a certificate that names no revocation service is not checked, and the report says so', async () => {
    const signer = await issue('Bez služeb', {});
    const [check] = await verifyCms(cmsSign(data, files(signer), { detached: false }), null, ctx(), meta);
    expect(check).toMatchObject({ indication: 'TOTAL_PASSED', revocation: [expect.objectContaining({ status: 'not-checked' })] });
  });

  it('a B-LT seal validates from its embedded revocation data while the CA is down; revoked after its time stamp it stays valid', async () => {
    // given a seal sealed at B-LT while the CA answered
    const sealCert = issueCertificate(ca, { commonName: 'Pečeť B-LT', kind: 'seal', crlUrl: rev.crlUrl, ocspUrl: rev.ocspUrl });
    await rev.register(sealCert);
    const pdf = await renderPdf(parseLayout('@h Rozhodnutí\n@t Pečeť s ověřovacími daty.'), { title: 'Rozhodnutí', author: 'Úřad', lang: 'cs' });
    const key = openPkcs12Key(toPkcs12(sealCert, { password: 'x', chain: [ca] }), 'x');
    const sealed = await sealPdf(pdf, { key, timeStamper: httpTimeStamper({ url: tsa.url }), reason: 'Úřední pečeť', location: 'Karlovy Vary', name: 'Úřad', signingTime: new Date() });
    expect(sealed.level).toBe('B-LT');

    // when the CA cannot be reached, the embedded data is enough
    rev.setDown(true);
    try {
      const [check] = await verifyPades(sealed.pdf, ctx());
      expect(check.problem).toBeNull();
      expect(check).toMatchObject({ indication: 'TOTAL_PASSED', level: 'B-LT', coversWholeDocument: false, onlyValidationDataAdded: true });
      expect(check.revocation?.[0]).toMatchObject({ status: 'good', origin: 'embedded', via: 'ocsp' });
    } finally {
      rev.setDown(false);
    }

    // and when the certificate is revoked after the time stamp, the signature made before stays valid
    await rev.revoke(sealCert, new Date(Date.now() + 1000));
    await new Promise((r) => setTimeout(r, 1500));
    const [later] = await verifyPades(sealed.pdf, { ...ctx(), revocation: { timeoutMs: 5000 } });
    expect(later).toMatchObject({ indication: 'TOTAL_PASSED', level: 'B-LT' });

    // a page changed after the DSS is no longer "only validation data"
    const changed = Buffer.concat([sealed.pdf, Buffer.from('\n999 0 obj\n<< /Type /Annot >>\nendobj\n')]);
    expect((await verifyPades(changed, ctx()))[0].onlyValidationDataAdded).toBe(false);
  });
});
