// PAdES B-LT: when the CA publishes revocation data (a CRL over HTTP and an OCSP responder, both
// real OpenSSL), the seal gets a Document Security Store with the chains, OCSP responses and CRLs.
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLayout, renderPdf } from '../documents/pdf-renderer';
import { openPkcs12Key } from './pkcs12-key';
import { sealPdf } from './pades';
import { readDss } from './pades-dss';
import { extractPdfSignatures } from './pdf-signature';
import { statusFromCrl, statusFromOcsp } from './revocation';
import { createTestCa, issueCertificate, toPkcs12, type TestCa, type TestCertificate } from './test-pki';
import { verifyPadesWithOpenssl } from './testing/openssl';
import { startTestRevocation, type TestRevocation } from './testing/openssl-revocation';
import { startOpensslTsa, type OpensslTsa } from './testing/openssl-tsa';
import { httpTimeStamper } from './tsa-client';

const cert = (c: TestCertificate) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer));

describe('PAdES B-LT with revocation data from the CA', () => {
  let ca: TestCa;
  let rev: TestRevocation;
  let tsa: OpensslTsa;
  let seal: TestCertificate;
  let pdf: Buffer;
  beforeAll(async () => {
    ca = createTestCa({ commonName: 'openspis Test CA s CRL', organization: 'openspis test' });
    rev = await startTestRevocation({ ca });
    seal = issueCertificate(ca, { commonName: 'Pečeť s CRL', kind: 'seal', crlUrl: rev.crlUrl, ocspUrl: rev.ocspUrl });
    const tsaCert = issueCertificate(ca, { commonName: 'TSA s CRL', kind: 'tsa', crlUrl: rev.crlUrl });
    await rev.register(seal, tsaCert);
    tsa = await startOpensslTsa({ ca, tsa: tsaCert });
    pdf = await renderPdf(parseLayout('@h Rozhodnutí\n@t Dlouhodobě ověřitelná pečeť.'), { title: 'Rozhodnutí', author: 'Úřad', lang: 'cs' });
  });
  afterAll(async () => {
    await tsa.close();
    await rev.close();
  });
  const sealWith = (c: TestCertificate) =>
    sealPdf(pdf, { key: openPkcs12Key(toPkcs12(c, { password: 'x', chain: [ca] }), 'x'), timeStamper: httpTimeStamper({ url: tsa.url }), reason: 'Úřední pečeť', location: 'Karlovy Vary', name: 'Úřad', signingTime: new Date() });

  it('embeds the chains, the seal certificate\'s OCSP response and the TSA\'s CRL in a DSS after the signature', async () => {
    // when
    const before = { ...rev.requests };
    const sealed = await sealWith(seal);

    // then the level is B-LT and the services were asked
    expect(sealed.level).toBe('B-LT');
    expect(rev.requests.ocsp).toBeGreaterThan(before.ocsp);
    expect(rev.requests.crl).toBeGreaterThan(before.crl);
    // the DSS holds what a verifier needs, each piece checkable against the CA
    const dss = readDss(sealed.pdf);
    expect(dss.certs.length).toBeGreaterThanOrEqual(3); // seal, TSA, CA
    expect(dss.ocsps).toHaveLength(1);
    expect(dss.crls).toHaveLength(1);
    expect(await statusFromOcsp(dss.ocsps[0], cert(seal), cert(ca))).toMatchObject({ status: 'good', source: 'ocsp' });
    expect(await statusFromCrl(dss.crls[0], cert(seal), cert(ca))).toMatchObject({ status: 'good', source: 'crl' });
    // the signed revision is untouched: the signature still verifies with openssl over its byte range
    const [field] = extractPdfSignatures(sealed.pdf);
    expect(field.coversWholeFile).toBe(false);
    expect(verifyPadesWithOpenssl(sealed.pdf, ca.certPem).cms.ok).toBe(true);
  });

  it('refuses to seal with a revoked certificate, and stops (retries) while the CA cannot be reached', async () => {
    const revoked = issueCertificate(ca, { commonName: 'Zneplatněná pečeť', kind: 'seal', crlUrl: rev.crlUrl, ocspUrl: rev.ocspUrl });
    await rev.revoke(revoked, new Date(Date.now() - 60_000));
    await expect(sealWith(revoked)).rejects.toMatchObject({ code: 'SEAL_CERTIFICATE_REVOKED', kind: 'input' });

    rev.setDown(true);
    try {
      await expect(sealWith(seal)).rejects.toMatchObject({ code: 'REVOCATION_DATA_UNAVAILABLE', kind: 'transient' });
    } finally {
      rev.setDown(false);
    }
  });
});
