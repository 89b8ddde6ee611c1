// The two halves of issue 4 meet: what signing.seal produces (PAdES with the signing module's key
// and an openssl ts TSA over HTTP) is what signing.verify must accept, and reject once changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLayout, renderPdf } from '../documents/pdf-renderer';
import { openPkcs12Key } from '../signing/pkcs12-key';
import { sealPdf } from '../signing/pades';
import { createTestPki, toPkcs12, type TestPki } from '../signing/test-pki';
import { startOpensslTsa, type OpensslTsa } from '../signing/testing/openssl-tsa';
import { httpTimeStamper } from '../signing/tsa-client';
import { loadTrustAnchors } from './certificates';
import { verifyPades } from './pades-verifier';

describe('verifying a PDF sealed by openspis itself', () => {
  let pki: TestPki;
  let tsa: OpensslTsa;
  let anchorsDir: string;
  beforeAll(async () => {
    pki = createTestPki();
    tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
    anchorsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-anchors-'));
    fs.writeFileSync(path.join(anchorsDir, 'root.pem'), pki.ca.certPem);
  });
  afterAll(async () => {
    await tsa.close();
    fs.rmSync(anchorsDir, { recursive: true, force: true });
  });

  it('a B-T seal is valid with its time stamp; a changed byte makes it invalid', async () => {
    const pdf = await renderPdf(parseLayout('@h Rozhodnutí\n@t Povolení zvláštního užívání komunikace.'), { title: 'Rozhodnutí', author: 'Úřad', lang: 'cs' });
    const key = openPkcs12Key(toPkcs12(pki.seal, { password: 'heslo', chain: [pki.ca] }), 'heslo');
    const sealed = await sealPdf(pdf, { key, timeStamper: httpTimeStamper({ url: tsa.url }), reason: 'Úřední pečeť', location: 'Karlovy Vary', name: 'Úřad', signingTime: new Date() });
    const ctx = { anchors: loadTrustAnchors(anchorsDir), now: new Date() };

    const [check] = await verifyPades(sealed.pdf, ctx);
    expect(check.problem).toBeNull();
    expect(check).toMatchObject({ format: 'pades', indication: 'TOTAL_PASSED', coversWholeDocument: true, timeStamp: { valid: true, tsa: expect.stringContaining('openspis Test TSA') } });
    expect(check.signer?.subject).toContain('Testovací pečeť úřadu');
    // the chain is the seal's own (the CMS carries the seal and the CA certificate), at level B-T
    expect(check.chain).toEqual([expect.stringContaining('Testovací pečeť úřadu'), expect.stringContaining('openspis Test Root CA')]);
    expect(check.level).toBe('B-T');

    const tampered = Buffer.from(sealed.pdf);
    tampered[tampered.indexOf('Rozhodn')] ^= 0x01;
    expect((await verifyPades(tampered, ctx))[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });
});
