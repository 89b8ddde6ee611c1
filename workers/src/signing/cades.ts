import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids';
import type { SealKey } from './seal-key';
import type { TimeStamp, TimeStamper } from './tsa-client';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
const ab = (b: Buffer) => new Uint8Array(b).buffer;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signer certificate into the signed attributes, as PAdES baseline requires. */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Buffer): pkijs.Attribute {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      new asn1js.Integer({ valueHex: cert.serialNumber.valueBlock.valueHexView }),
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(certDer) }), issuerSerial] });
  return new pkijs.Attribute({ type: OID.signingCertificateV2, values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })] });
}

export interface CadesResult {
  /** DER of the CMS ContentInfo (SignedData, detached) */
  cms: Buffer;
  timestamp: TimeStamp | null;
}

/**
 * A detached CAdES signature over `content` (CAdES-B-B; B-T when a time stamper is given: the RFC
 * 3161 token over the signature value goes into the unsigned attribute signature-time-stamp).
 * No signing-time attribute: PAdES keeps the claimed time in the signature dictionary (/M).
 */
export async function createCadesDetached(content: Buffer, key: SealKey, timeStamper?: TimeStamper | null): Promise<CadesResult> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(key.certificate));
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: sha256(content) })] }),
    signingCertificateV2(cert, key.certificate),
  ]
    // DER orders a SET OF by encoding; verifiers (OpenSSL) re-encode before checking the signature
    .map((attr) => ({ attr, der: new Uint8Array(attr.toSchema().toBER()) }))
    .sort((a, b) => compareBytes(a.der, b.der))
    .map((x) => x.attr);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31; // signed over the SET OF, not the [0] IMPLICIT tag
  const signature = await key.signSha256(Buffer.from(toSign));

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
    signedAttrs,
    signatureAlgorithm:
      key.keyType === 'ec'
        ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 })
        : new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: ab(signature) }),
  });

  let timestamp: TimeStamp | null = null;
  if (timeStamper) {
    timestamp = await timeStamper(signature);
    const token = asn1js.fromBER(new Uint8Array(timestamp.token));
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [token.result] })] });
  }

  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [key.certificate, ...key.chain].map((d) => pkijs.Certificate.fromBER(new Uint8Array(d))),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return { cms: Buffer.from(contentInfo.toSchema().toBER()), timestamp };
}
