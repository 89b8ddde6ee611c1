import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLayout, renderPdf } from '../documents/pdf-renderer';
import { openPkcs12Key } from './pkcs12-key';
import { sealPdf } from './pades';
import { extractPdfSignatures } from './pdf-signature';
import { createTestPki, toPkcs12, type TestPki } from './test-pki';
import { openssl, verifyPadesWithOpenssl } from './testing/openssl';
import { startOpensslTsa, type OpensslTsa } from './testing/openssl-tsa';
import { httpTimeStamper } from './tsa-client';

describe('PAdES seal with a PKCS#12 key and an openssl ts time stamp authority', () => {
  let pki: TestPki;
  let tsa: OpensslTsa;
  let pdf: Buffer;
  beforeAll(async () => {
    pki = createTestPki();
    tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
    pdf = await renderPdf(parseLayout('@h Rozhodnutí\n@t Příliš žluťoučký kůň úpěl ďábelské ódy.'), { title: 'Rozhodnutí', author: 'Úřad', lang: 'cs' });
  });
  afterAll(() => tsa.close());
  const key = () => openPkcs12Key(toPkcs12(pki.seal, { password: 'heslo', chain: [pki.ca] }), 'heslo');
  const seal = (p: Buffer, withTsa: boolean) =>
    sealPdf(p, { key: key(), timeStamper: withTsa ? httpTimeStamper({ url: tsa.url }) : null, reason: 'Úřední pečeť', location: 'Karlovy Vary', name: 'Úřad', signingTime: new Date() });

  it('B-T: the CMS verifies with openssl cms to the test CA, and so does the embedded time stamp with openssl ts', async () => {
    // when
    const sealed = await seal(pdf, true);

    // then
    expect(sealed.level).toBe('B-T');
    expect(sealed.timestamp?.tsaSubject).toContain('openspis Test TSA');
    expect(sealed.pdf.subarray(0, pdf.length - 1).equals(pdf.subarray(0, pdf.length - 1))).toBe(true); // incremental update
    const [field] = extractPdfSignatures(sealed.pdf);
    expect(field).toMatchObject({ subFilter: 'ETSI.CAdES.detached', coversWholeFile: true });
    const result = verifyPadesWithOpenssl(sealed.pdf, pki.ca.certPem);
    expect(result.cms.output).toContain('Verification successful');
    expect(result.cms.ok).toBe(true);
    expect(result.timeStamp?.output).toContain('Verification: OK');
    expect(tsa.issued).toBeGreaterThan(0);
  });

  it('B-B without a time stamp authority: no time stamp in the CMS', async () => {
    const sealed = await seal(pdf, false);
    expect(sealed.level).toBe('B-B');
    const result = verifyPadesWithOpenssl(sealed.pdf, pki.ca.certPem);
    expect(result.cms.ok).toBe(true);
    expect(result.timeStamp).toBeNull();
  });

  it('a changed byte in the sealed content fails verification; another CA is not trusted', async () => {
    const sealed = await seal(pdf, true);
    const tampered = Buffer.from(sealed.pdf);
    const at = tampered.indexOf('Rozhodn');
    tampered[at > 0 ? at : 200] ^= 0x01;
    expect(verifyPadesWithOpenssl(tampered, pki.ca.certPem).cms.ok).toBe(false);
    expect(verifyPadesWithOpenssl(sealed.pdf, pki.untrustedCa.certPem).cms.ok).toBe(false);
  });

  it('a wrong PKCS#12 password is a clear error', () => {
    expect(() => openPkcs12Key(toPkcs12(pki.seal, { password: 'a' }), 'b')).toThrow(/wrong password/);
  });

  it('test PKI: the TSA certificate has the critical timeStamping usage, the expired seal is expired, the PKCS#12 opens with openssl', () => {
    const tsaText = openssl((d) => ['x509', '-in', `${d}/c.pem`, '-noout', '-text'], { 'c.pem': pki.tsa.certPem }).output;
    expect(tsaText).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
    expect(pki.expiredSeal.notAfter.getTime()).toBeLessThan(Date.now());
    expect(openssl((d) => ['verify', '-CAfile', `${d}/ca.pem`, `${d}/c.pem`], { 'ca.pem': pki.ca.certPem, 'c.pem': pki.expiredSeal.certPem }).output).toMatch(/expired/);
    expect(openssl((d) => ['verify', '-CAfile', `${d}/ca.pem`, `${d}/c.pem`], { 'ca.pem': pki.ca.certPem, 'c.pem': pki.seal.certPem }).ok).toBe(true);
    const p12 = openssl((d) => ['pkcs12', '-in', `${d}/s.p12`, '-passin', 'pass:heslo', '-nokeys'], { 's.p12': toPkcs12(pki.seal, { password: 'heslo', chain: [pki.ca] }) });
    expect(p12.output).toContain('Testovací pečeť úřadu'.slice(0, 4));
  });
});
