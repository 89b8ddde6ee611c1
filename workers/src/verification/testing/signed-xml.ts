import { createHash, sign } from 'node:crypto';
import fs from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { signatureValueForTimeStamp } from '../xades-verifier';
import { timeStampToken, type TestPki } from './openssl-pki';

/**
 * An enveloped XAdES-B signature made with xml-crypto (SignedProperties with SigningTime, signed
 * by reference), optionally extended to XAdES-T with a SignatureTimeStamp from the test TSA.
 */
export function signedXml(pki: TestPki, signer: { cert: string; key: string }, opts: { timeStamp?: boolean; subject?: string } = {}): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><zadost xmlns="urn:example:zadost"><predmet>${opts.subject ?? 'Rybářský lístek'}</predmet><jmeno>Jana Nováková</jmeno></zadost>`;
  const certPem = fs.readFileSync(signer.cert, 'utf8');
  const certB64 = certPem.replace(/-----[^-]+-----|\s+/g, '');
  const props = `<xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#Signature-1"><xades:SignedProperties Id="SignedProperties-1"><xades:SignedSignatureProperties><xades:SigningTime>${new Date().toISOString().slice(0, 19)}Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties>`;
  const sig = new SignedXml({
    privateKey: fs.readFileSync(signer.key),
    publicCert: certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    getKeyInfoContent: (args) => `<${args?.prefix}:X509Data><${args?.prefix}:X509Certificate>${certB64}</${args?.prefix}:X509Certificate></${args?.prefix}:X509Data>`,
    objects: [{ content: props }],
  });
  sig.addReference({ xpath: '/*', isEmptyUri: true, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  sig.addReference({ xpath: "//*[@Id='SignedProperties-1']", transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#'], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', type: 'http://uri.etsi.org/01903#SignedProperties' });
  sig.computeSignature(xml, { prefix: 'ds', attrs: { Id: 'Signature-1' }, location: { reference: '/*', action: 'append' } });
  let signed = sig.getSignedXml();
  if (opts.timeStamp) {
    const c14n = 'http://www.w3.org/2001/10/xml-exc-c14n#';
    const token = timeStampToken(pki, signatureValueForTimeStamp(signed, c14n));
    signed = signed.replace(
      '</xades:SignedProperties>',
      `</xades:SignedProperties><xades:UnsignedProperties><xades:UnsignedSignatureProperties><xades:SignatureTimeStamp><ds:CanonicalizationMethod Algorithm="${c14n}"/><xades:EncapsulatedTimeStamp>${token.toString('base64')}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp></xades:UnsignedSignatureProperties></xades:UnsignedProperties>`,
    );
  }
  return Buffer.from(signed, 'utf8');
}

/**
 * A detached XAdES-B signature (as in an ASiC-E container, `META-INF/signatures001.xml`, or a
 * `.xml` signature beside its files): one `ds:Reference` per file by its name with the SHA-256 of
 * its bytes, plus the signed properties. Assembled by hand — xml-crypto cannot make references to
 * files — and signed with node:crypto (RSA-SHA256 over the exclusive canonical `SignedInfo`).
 */
export function detachedXades(signer: { cert: string; key: string }, files: { name: string; content: Buffer }[]): Buffer {
  const certPem = fs.readFileSync(signer.cert, 'utf8');
  const certB64 = certPem.replace(/-----[^-]+-----|\s+/g, '');
  const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
  const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
  const props = `<xades:SignedProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Id="SignedProperties-1"><xades:SignedSignatureProperties><xades:SigningTime>${new Date().toISOString().slice(0, 19)}Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties>`;
  const c14n = (xml: string, localName: string) => {
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const el = doc.getElementsByTagNameNS('*', localName).item(0)!;
    return new ExclusiveCanonicalization().process(el as unknown as Element, {}) as string;
  };
  const digest = (data: Buffer | string) => createHash('sha256').update(data).digest('base64');
  const refs = files.map((f) => `<ds:Reference URI="${encodeURIComponent(f.name)}"><ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${digest(f.content)}</ds:DigestValue></ds:Reference>`);
  const object = `<ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#Signature-1">${props}</xades:QualifyingProperties></ds:Object>`;
  const propsDigest = digest(c14n(`<ds:Signature xmlns:ds="${DS_NS}">${object}</ds:Signature>`, 'SignedProperties'));
  refs.push(`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#SignedProperties-1"><ds:Transforms><ds:Transform Algorithm="${EXC}"/></ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${propsDigest}</ds:DigestValue></ds:Reference>`);
  const signedInfo = `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${refs.join('')}</ds:SignedInfo>`;
  const value = sign('sha256', Buffer.from(c14n(`<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}</ds:Signature>`, 'SignedInfo'), 'utf8'), fs.readFileSync(signer.key, 'utf8')).toString('base64');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><ds:Signature xmlns:ds="${DS_NS}" Id="Signature-1">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certB64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>${object}</ds:Signature>`,
    'utf8',
  );
}
