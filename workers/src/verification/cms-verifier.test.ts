import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustAnchors } from './certificates';
import { verifyCms } from './cms-verifier';
import { addSignatureTimeStamp, cmsSign, createTestPki, type TestPki } from './testing/openssl-pki';

describe('verifyCms (CAdES)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.cleanup());
  const data = Buffer.from('Žádost o vydání rybářského lístku');
  const ctx = () => ({ anchors: loadTrustAnchors(pki.anchorsDir), now: new Date() });
  const meta = { format: 'cades' as const, location: 'p7s' };

  it('passes a valid enveloping signature and names the signer and the chain', async () => {
    const [check] = await verifyCms(cmsSign(data, pki.signer, { detached: false }), null, ctx(), meta);
    expect(check).toMatchObject({ indication: 'TOTAL_PASSED', subIndication: null, timeStamp: null });
    expect(check.signer?.subject).toContain('CN=Testovací pečeť úřadu');
    expect(check.chain).toEqual([expect.stringContaining('Testovací pečeť úřadu'), expect.stringContaining('openspis Test Root CA')]);
  });

  it('fails a detached signature over changed content (HASH_FAILURE)', async () => {
    const sig = cmsSign(data, pki.signer, { detached: true });
    expect((await verifyCms(sig, data, ctx(), meta))[0].indication).toBe('TOTAL_PASSED');
    const [check] = await verifyCms(sig, Buffer.from('Žádost o vydání rybářského lístku!'), ctx(), meta);
    expect(check).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect((await verifyCms(sig, null, ctx(), meta))[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
  });

  it('cannot trust a signer whose chain ends at an unknown root', async () => {
    const [check] = await verifyCms(cmsSign(data, pki.untrustedSigner, { detached: false }), null, ctx(), meta);
    expect(check).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    const [noAnchors] = await verifyCms(cmsSign(data, pki.signer, { detached: false }), null, { anchors: [], now: new Date() }, meta);
    expect(noAnchors.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('cannot accept an expired certificate without proof the signature existed before expiry', async () => {
    const [check] = await verifyCms(cmsSign(data, pki.expiredSigner, { detached: false }), null, ctx(), meta);
    expect(check).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
    expect(check.problem).toMatch(/^certificate expired \d{4}-/);
  });

  it('checks a signature time stamp from a real RFC 3161 TSA and validates the certificate at its time', async () => {
    const sig = await addSignatureTimeStamp(cmsSign(data, pki.signer, { detached: true }), pki);
    const [check] = await verifyCms(sig, data, ctx(), meta);
    expect(check.timeStamp?.problem).toBeNull();
    expect(check).toMatchObject({ indication: 'TOTAL_PASSED', timeStamp: { valid: true, tsa: expect.stringContaining('openspis Test TSA') } });
    expect(check.validationTime).toBe(check.timeStamp?.genTime);
    expect(Math.abs(new Date(check.timeStamp!.genTime!).getTime() - Date.now())).toBeLessThan(120_000);
    // three years on the signer certificate has expired, but the time stamp proves the signature existed while it was valid
    const later = { anchors: loadTrustAnchors(pki.anchorsDir), now: new Date(Date.now() + 3 * 365 * 86_400_000) };
    expect((await verifyCms(sig, data, later, meta))[0].indication).toBe('TOTAL_PASSED');
    expect((await verifyCms(cmsSign(data, pki.signer, { detached: true }), data, later, meta))[0].subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });

  it('rejects a time stamp made for another signature', async () => {
    const other = await addSignatureTimeStamp(cmsSign(Buffer.from('jiný obsah'), pki.signer, { detached: true }), pki);
    const { parseContentInfo } = await import('./cms-verifier');
    const pkijs = await import('pkijs');
    const mine = new pkijs.SignedData({ schema: parseContentInfo(cmsSign(data, pki.signer, { detached: true })).content });
    const theirs = new pkijs.SignedData({ schema: parseContentInfo(other).content });
    mine.signerInfos[0].unsignedAttrs = theirs.signerInfos[0].unsignedAttrs;
    const forged = Buffer.from(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: mine.toSchema(true) }).toSchema().toBER());
    const [check] = await verifyCms(forged, data, ctx(), meta);
    expect(check).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TIME_STAMP_FAILURE', timeStamp: { valid: false, problem: 'the time stamp was made for other data' } });
  });
});
