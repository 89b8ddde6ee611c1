import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { asnDate, checkChain, describeCertificate, toArrayBuffer, type CertificateInfo } from './certificates';
import { checkRevocation, embeddedCertificates, revocationOutcome, type RevocationCheck, type RevocationOptions } from './revocation-check';

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signingTime: '1.2.840.113549.1.9.5',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
};

const HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.3.14.3.2.26': 'sha1',
};

/** ETSI EN 319 102-1 main indication of one signature. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export interface TimeStampCheck {
  valid: boolean;
  genTime: string | null;
  tsa: string | null;
  problem: string | null;
}

export interface SignatureCheck {
  format: 'pades' | 'cades' | 'xades';
  /** where in the component the signature is (PDF signature number, container entry) */
  location: string;
  indication: Indication;
  /** ETSI sub-indication, or TIME_STAMP_FAILURE / FORMAT_FAILURE; null when passed */
  subIndication: string | null;
  problem: string | null;
  signer: CertificateInfo | null;
  /** the time the signer claims (signing-time attribute), not proven */
  claimedSigningTime: string | null;
  timeStamp: TimeStampCheck | null;
  /** the time the certificate was checked at: the time stamp's, else the verification time */
  validationTime: string;
  /** subjects from the signer up to the trust anchor */
  chain: string[];
  /** PAdES: whether the signed byte range covers the whole file */
  coversWholeDocument?: boolean;
  /** PAdES: what was appended after the signed revision only adds validation data (DSS) */
  onlyValidationDataAdded?: boolean;
  /** revocation status of each certificate of the chain (anchor excluded), once the chain is built */
  revocation?: RevocationCheck[];
  /** baseline level shown by a passed signature: B-B, B-T (time stamp), B-LT (plus embedded revocation data) */
  level?: 'B-B' | 'B-T' | 'B-LT' | null;
}

export interface VerifyContext {
  anchors: pkijs.Certificate[];
  now: Date;
  /** revocation checking: embedded data (PAdES DSS), whether to ask the CAs' services */
  revocation?: RevocationOptions;
}

/**
 * After integrity, time stamp and chain have passed: the revocation status of the chain at the
 * proven time decides, and a passed signature gets its baseline level.
 */
export async function applyRevocation(check: SignatureCheck, path: pkijs.Certificate[], provenTime: Date, ctx: VerifyContext): Promise<void> {
  check.revocation = await checkRevocation(path, provenTime, ctx.revocation ?? {});
  const outcome = revocationOutcome(check.revocation, provenTime, check.claimedSigningTime);
  if (outcome) {
    Object.assign(check, outcome, { level: null });
    return;
  }
  const signerStatus = check.revocation[0];
  check.level = !check.timeStamp?.valid ? 'B-B' : signerStatus && signerStatus.origin === 'embedded' && signerStatus.status !== 'not-checked' ? 'B-LT' : 'B-T';
}

/** Certificates to build chains with: the signature's own and those embedded as validation data. */
export function withEmbedded(certs: pkijs.Certificate[], ctx: VerifyContext): pkijs.Certificate[] {
  return [...certs, ...embeddedCertificates(ctx.revocation?.embedded)];
}

export function parseContentInfo(der: Uint8Array): pkijs.ContentInfo {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw new Error('not DER/BER');
  return new pkijs.ContentInfo({ schema: asn.result });
}

function certificatesOf(signedData: pkijs.SignedData): pkijs.Certificate[] {
  return (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

function findSignerCertificate(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate | null {
  const sid = signerInfo.sid;
  for (const cert of certificatesOf(signedData)) {
    if (sid instanceof pkijs.IssuerAndSerialNumber) {
      if (cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber)) return cert;
    }
  }
  return certificatesOf(signedData)[0] ?? null;
}

function attribute(attrs: pkijs.SignedAndUnsignedAttributes | undefined, oid: string): pkijs.Attribute | undefined {
  return attrs?.attributes.find((a) => a.type === oid);
}

/**
 * Checks an RFC 3161 time-stamp token: its signature, that its message imprint is the hash of
 * `imprinted`, and that the TSA certificate chains to a trust anchor at the time of the stamp.
 */
export async function checkTimeStampToken(token: pkijs.ContentInfo, imprinted: Uint8Array, ctx: VerifyContext): Promise<TimeStampCheck> {
  try {
    if (token.contentType !== OID.signedData) return { valid: false, genTime: null, tsa: null, problem: 'the time stamp is not a signed token' };
    const signed = new pkijs.SignedData({ schema: token.content });
    if (signed.encapContentInfo.eContentType !== OID.tstInfo || !signed.encapContentInfo.eContent) return { valid: false, genTime: null, tsa: null, problem: 'the time stamp holds no TSTInfo' };
    const tstInfo = pkijs.TSTInfo.fromBER(toArrayBuffer(new Uint8Array(signed.encapContentInfo.eContent.getValue())));
    const genTime = tstInfo.genTime;
    const tsaCert = findSignerCertificate(signed, signed.signerInfos[0]);
    const tsa = tsaCert ? describeCertificate(tsaCert).subject : null;
    const base = { genTime: genTime.toISOString(), tsa };
    const hashName = HASHES[tstInfo.messageImprint.hashAlgorithm.algorithmId];
    if (!hashName) return { valid: false, ...base, problem: `unsupported imprint hash ${tstInfo.messageImprint.hashAlgorithm.algorithmId}` };
    const expected = createHash(hashName).update(imprinted).digest();
    if (!expected.equals(Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView))) return { valid: false, ...base, problem: 'the time stamp was made for other data' };
    // pkijs checks a TSTInfo's imprint itself and wants the imprinted data for it
    const sig = await signed.verify({ signer: 0, data: toArrayBuffer(imprinted), checkChain: false, extendedMode: true }).catch((e: unknown) => e as pkijs.SignedDataVerifyResult);
    if (!sig.signatureVerified) return { valid: false, ...base, problem: `the time stamp signature is broken (${sig.message})` };
    if (!tsaCert) return { valid: false, ...base, problem: 'the time stamp names no TSA certificate' };
    const chain = await checkChain(tsaCert, certificatesOf(signed), ctx.anchors, genTime);
    if (!chain.ok) return { valid: false, ...base, problem: `TSA: ${chain.message}` };
    return { valid: true, ...base, problem: null };
  } catch (err) {
    return { valid: false, genTime: null, tsa: null, problem: `unreadable time stamp: ${(err as Error).message}` };
  }
}

/**
 * Verifies every signer of a CMS SignedData: integrity (message digest and signature value), a
 * signature time stamp when present, the certificate's validity at the proven time (the time
 * stamp's, else now) and its chain to the trust anchors.
 */
export async function verifyCms(
  cms: Uint8Array,
  detachedContent: Uint8Array | null,
  ctx: VerifyContext,
  meta: { format: 'pades' | 'cades'; location: string },
): Promise<SignatureCheck[]> {
  const failed = (subIndication: string, problem: string): SignatureCheck[] => [
    { ...meta, indication: subIndication === 'SIGNED_DATA_NOT_FOUND' || subIndication === 'FORMAT_FAILURE' ? 'INDETERMINATE' : 'TOTAL_FAILED', subIndication, problem, signer: null, claimedSigningTime: null, timeStamp: null, validationTime: ctx.now.toISOString(), chain: [] },
  ];
  let signedData: pkijs.SignedData;
  try {
    const info = parseContentInfo(cms);
    if (info.contentType !== OID.signedData) return failed('FORMAT_FAILURE', 'the CMS is not signedData');
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch (err) {
    return failed('FORMAT_FAILURE', `the signature cannot be read: ${(err as Error).message}`);
  }
  const enveloped = !!signedData.encapContentInfo.eContent;
  if (!enveloped && !detachedContent) return failed('SIGNED_DATA_NOT_FOUND', 'the signature is detached and the signed content was not found');

  const out: SignatureCheck[] = [];
  for (const [index, signerInfo] of signedData.signerInfos.entries()) {
    const location = signedData.signerInfos.length > 1 ? `${meta.location}, signer ${index + 1}` : meta.location;
    const signerCert = findSignerCertificate(signedData, signerInfo);
    const claimed = asnDate(attribute(signerInfo.signedAttrs, OID.signingTime)?.values[0]);
    const check: SignatureCheck = {
      ...meta,
      location,
      indication: 'TOTAL_PASSED',
      subIndication: null,
      problem: null,
      signer: signerCert ? describeCertificate(signerCert) : null,
      claimedSigningTime: claimed?.toISOString() ?? null,
      timeStamp: null,
      validationTime: ctx.now.toISOString(),
      chain: [],
    };
    out.push(check);
    const fail = (indication: Indication, subIndication: string, problem: string) => Object.assign(check, { indication, subIndication, problem });

    const result = await signedData
      .verify({ signer: index, data: detachedContent && !enveloped ? toArrayBuffer(detachedContent) : undefined, checkChain: false, extendedMode: true })
      .catch((e: unknown) => e as pkijs.SignedDataVerifyResult);
    if (!signerCert) {
      fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'the signer certificate is not in the signature');
      continue;
    }
    if (!result.signatureVerified) {
      const digest = /digest/i.test(result.message ?? '');
      fail('TOTAL_FAILED', digest ? 'HASH_FAILURE' : 'SIG_CRYPTO_FAILURE', digest ? 'the signed content was changed after signing' : 'the signature value does not match');
      continue;
    }

    let provenTime = ctx.now;
    const tstAttr = attribute(signerInfo.unsignedAttrs, OID.signatureTimeStamp);
    if (tstAttr) {
      const token = new pkijs.ContentInfo({ schema: tstAttr.values[0] });
      check.timeStamp = await checkTimeStampToken(token, new Uint8Array(signerInfo.signature.valueBlock.valueHexView), ctx);
      if (!check.timeStamp.valid) {
        fail('INDETERMINATE', 'TIME_STAMP_FAILURE', `the signature time stamp does not verify: ${check.timeStamp.problem}`);
        continue;
      }
      provenTime = new Date(check.timeStamp.genTime!);
    }
    check.validationTime = provenTime.toISOString();
    const chain = await checkChain(signerCert, withEmbedded(certificatesOf(signedData), ctx), ctx.anchors, provenTime);
    if (!chain.ok) {
      if (chain.reason === 'OUT_OF_BOUNDS') fail('INDETERMINATE', tstAttr ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE', chain.message);
      else if (chain.reason === 'NOT_YET_VALID') fail('TOTAL_FAILED', 'NOT_YET_VALID', chain.message);
      else fail('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', chain.message);
      continue;
    }
    check.chain = chain.path.map((c) => describeCertificate(c).subject);
    await applyRevocation(check, chain.path, provenTime, ctx);
  }
  return out;
}
