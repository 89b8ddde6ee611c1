import fs from 'node:fs';
import { SignedXml } from 'xml-crypto';
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
