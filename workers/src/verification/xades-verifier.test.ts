import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustAnchors } from './certificates';
import { zipSync } from 'fflate';
import { verifyAsic } from './asic-verifier';
import { externalReferences, verifyXades } from './xades-verifier';
import { createTestPki, type TestPki } from './testing/openssl-pki';
import { detachedXades, signedXml } from './testing/signed-xml';

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

  it('detached XAdES: the files its references name are digested; a changed or missing file is caught', async () => {
    const files = [{ name: 'žádost o dotaci.pdf', content: Buffer.from('%PDF-1.7 žádost') }, { name: 'příloha.txt', content: Buffer.from('rozpočet') }];
    const sig = detachedXades(pki.signer, files);
    expect(externalReferences(sig)).toEqual(['žádost o dotaci.pdf', 'příloha.txt']);
    const byName = (list: typeof files) => (uri: string) => list.find((f) => f.name === uri)?.content ?? null;

    const [ok] = await verifyXades(sig, ctx(), 'podpis.xml', byName(files));
    expect(ok.problem).toBeNull();
    expect(ok).toMatchObject({ indication: 'TOTAL_PASSED', level: 'B-B', location: 'podpis.xml → žádost o dotaci.pdf, příloha.txt' });
    expect(ok.claimedSigningTime).toMatch(/^\d{4}-/);

    const changed = [files[0], { name: 'příloha.txt', content: Buffer.from('rozpočet navýšen') }];
    expect((await verifyXades(sig, ctx(), 'podpis.xml', byName(changed)))[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', problem: 'příloha.txt was changed after signing' });
    expect((await verifyXades(sig, ctx(), 'podpis.xml', byName([files[0]])))[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND', problem: expect.stringContaining('příloha.txt') });
    expect((await verifyXades(sig, ctx(), 'podpis.xml'))[0].subIndication).toBe('SIGNED_DATA_NOT_FOUND');
    // a forged signature value over the same references is still caught by the signature check
    const forged = Buffer.from(sig.toString('utf8').replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`));
    expect((await verifyXades(forged, ctx(), 'podpis.xml', byName(files)))[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });

  it('ASiC-E with XAdES: META-INF/signatures001.xml over the container\'s files', async () => {
    const files = [{ name: 'smlouva.pdf', content: Buffer.from('%PDF-1.7 smlouva') }, { name: 'dodatek.txt', content: Buffer.from('dodatek č. 1') }];
    const container = (list: typeof files, signature = detachedXades(pki.signer, files)) =>
      Buffer.from(zipSync({ mimetype: [Buffer.from('application/vnd.etsi.asic-e+zip'), { level: 0 }], ...Object.fromEntries(list.map((f) => [f.name, f.content])), 'META-INF/signatures001.xml': signature }));
    const limits = { maxBytes: 10_000_000 };

    const [ok] = await verifyAsic(container(files), ctx(), limits);
    expect(ok.problem).toBeNull();
    expect(ok).toMatchObject({ format: 'xades', indication: 'TOTAL_PASSED', location: 'META-INF/signatures001.xml → smlouva.pdf, dodatek.txt' });
    const swapped = [files[0], { name: 'dodatek.txt', content: Buffer.from('dodatek č. 2') }];
    expect((await verifyAsic(container(swapped, detachedXades(pki.signer, files)), ctx(), limits))[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', problem: 'dodatek.txt was changed after signing' });
    expect((await verifyAsic(container([files[0]], detachedXades(pki.signer, files)), ctx(), limits))[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'SIGNED_DATA_NOT_FOUND' });
  });
});
