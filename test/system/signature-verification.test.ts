// Independent cross-check of signing.verify's integrity verdicts: poppler's pdfsig (NSS) must agree
// on the PAdES fixtures, so the verifier is not only consistent with the way the tests sign.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustAnchors } from '../../workers/src/verification/certificates';
import { verifyPades } from '../../workers/src/verification/pades-verifier';
import { createTestPki, type TestPki } from '../../workers/src/verification/testing/openssl-pki';
import { signedPdf } from '../../workers/src/verification/testing/signed-pdf';

function pdfsig(pdf: Buffer, dir: string): string {
  const file = path.join(dir, `check-${Date.now()}.pdf`);
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdfsig', [file], { encoding: 'utf8' });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

describe('PAdES verification agrees with pdfsig', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.cleanup());
  const ctx = () => ({ anchors: loadTrustAnchors(pki.anchorsDir), now: new Date() });

  it('a valid time-stamped signature: pdfsig "Signature is Valid", our verdict TOTAL_PASSED', async () => {
    const pdf = await signedPdf(pki, pki.signer, { timeStamp: true });
    expect(pdfsig(pdf, pki.dir)).toContain('Signature Validation: Signature is Valid.');
    expect((await verifyPades(pdf, ctx()))[0]).toMatchObject({ indication: 'TOTAL_PASSED', timeStamp: { valid: true } });
  });

  it('tampered content: pdfsig reports a digest mismatch, our verdict HASH_FAILURE', async () => {
    const pdf = await signedPdf(pki, pki.signer, { text: 'Rozhodnuti c. 1' });
    const tampered = Buffer.from(pdf.toString('latin1').replace('Rozhodnuti c. 1', 'Rozhodnuti c. 9'), 'latin1');
    expect(pdfsig(tampered, pki.dir)).toContain('Digest Mismatch');
    expect((await verifyPades(tampered, ctx()))[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });
});
