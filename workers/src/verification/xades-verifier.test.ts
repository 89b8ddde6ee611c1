import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustAnchors } from './certificates';
import { verifyXades } from './xades-verifier';
import { createTestPki, type TestPki } from './testing/openssl-pki';
import { signedXml } from './testing/signed-xml';

describe('verifyXades', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.cleanup());
  const ctx = () => ({ anchors: loadTrustAnchors(pki.anchorsDir), now: new Date() });

  it('passes a valid enveloped XAdES-B signature, with the claimed signing time from SignedProperties', async () => {
    const [check] = await verifyXades(signedXml(pki, pki.signer), ctx());
    expect(check.problem).toBeNull();
    expect(check).toMatchObject({ format: 'xades', indication: 'TOTAL_PASSED', timeStamp: null });
    expect(check.claimedSigningTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(check.chain).toHaveLength(2);
  });

  it('fails when the signed XML or the signed properties were changed', async () => {
    const xml = signedXml(pki, pki.signer).toString('utf8');
    const [content] = await verifyXades(Buffer.from(xml.replace('Jana Nováková', 'Jan Novák')), ctx());
    expect(content).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    const [props] = await verifyXades(Buffer.from(xml.replace(/<xades:SigningTime>\d{4}/, '<xades:SigningTime>1999')), ctx());
    expect(props.indication).toBe('TOTAL_FAILED');
  });

  it('reports an untrusted and an expired signer as indeterminate', async () => {
    expect((await verifyXades(signedXml(pki, pki.untrustedSigner), ctx()))[0].subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect((await verifyXades(signedXml(pki, pki.expiredSigner), ctx()))[0].subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });

  it('checks a XAdES-T signature time stamp over the canonical SignatureValue', async () => {
    const xml = signedXml(pki, pki.signer, { timeStamp: true });
    const [check] = await verifyXades(xml, ctx());
    expect(check.timeStamp?.problem).toBeNull();
    expect(check).toMatchObject({ indication: 'TOTAL_PASSED', timeStamp: { valid: true } });
    const other = signedXml(pki, pki.signer, { subject: 'Zábor veřejného prostranství' }).toString('utf8');
    const stamp = /<xades:UnsignedProperties>[\s\S]*<\/xades:UnsignedProperties>/.exec(xml.toString('utf8'))![0];
    const moved = other.replace('</xades:SignedProperties>', `</xades:SignedProperties>${stamp}`);
    expect((await verifyXades(Buffer.from(moved), ctx()))[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TIME_STAMP_FAILURE' });
  });
});
