import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Revocation data of X.509 certificates (RFC 5280 CRLs, RFC 6960 OCSP): where a certificate says
 * to ask, fetching it over HTTP, and reading a certificate's status out of it with the issuer's
 * signature checked. Used when sealing (PAdES B-LT embeds what was fetched) and when verifying.
 */

const OID_CRL_DP = '2.5.29.31';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_EKU = '2.5.29.37';
const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_CRL_REASON = '2.5.29.21';

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'unused', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

function fresh(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** The HTTP(S) URLs of a certificate's CRL distribution points and OCSP responders. */
export function revocationUrls(cert: pkijs.Certificate): { crl: string[]; ocsp: string[] } {
  const crl: string[] = [];
  const ocsp: string[] = [];
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID === OID_CRL_DP && ext.parsedValue instanceof pkijs.CRLDistributionPoints) {
      for (const dp of ext.parsedValue.distributionPoints) {
        const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
        for (const n of names) if (n instanceof pkijs.GeneralName && n.type === 6 && /^https?:\/\//i.test(String(n.value))) crl.push(String(n.value));
      }
    }
    if (ext.extnID === OID_AIA && ext.parsedValue instanceof pkijs.InfoAccess) {
      for (const ad of ext.parsedValue.accessDescriptions) {
        if (ad.accessMethod === OID_AD_OCSP && ad.accessLocation.type === 6 && /^https?:\/\//i.test(String(ad.accessLocation.value))) ocsp.push(String(ad.accessLocation.value));
      }
    }
  }
  return { crl, ocsp };
}

export function isSelfIssued(cert: pkijs.Certificate): boolean {
  return cert.subject.isEqual(cert.issuer);
}

/** The certificate among `candidates` that issued `cert` (names match and its key verifies the signature). */
export async function findIssuer(cert: pkijs.Certificate, candidates: pkijs.Certificate[]): Promise<pkijs.Certificate | null> {
  for (const c of candidates) {
    if (!c.subject.isEqual(cert.issuer)) continue;
    if (await cert.verify(c).catch(() => false)) return c;
  }
  return null;
}

async function httpGetOrPost(url: string, init: { body?: Buffer; contentType?: string; timeoutMs: number }): Promise<Buffer> {
  const res = await fetch(url, {
    method: init.body ? 'POST' : 'GET',
    headers: init.body ? { 'content-type': init.contentType ?? 'application/octet-stream' } : {},
    body: init.body ? new Uint8Array(init.body) : undefined,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

/** A CRL from its distribution point, as DER (a PEM answer is decoded). */
export async function fetchCrl(url: string, timeoutMs: number): Promise<Buffer> {
  const body = await httpGetOrPost(url, { timeoutMs });
  const pem = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(body.toString('latin1'));
  return pem ? Buffer.from(pem[1].replace(/\s+/g, ''), 'base64') : body;
}

/** An OCSP response (DER OCSPResponse) for `cert` from the responder at `url` (SHA-1 CertID, as responders expect). */
export async function fetchOcsp(url: string, cert: pkijs.Certificate, issuer: pkijs.Certificate, timeoutMs: number): Promise<Buffer> {
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer });
  return httpGetOrPost(url, { body: Buffer.from(request.toSchema(true).toBER()), contentType: 'application/ocsp-request', timeoutMs });
}

export interface RevocationStatus {
  status: 'good' | 'revoked';
  revokedAt: Date | null;
  reason: string | null;
  /** when the CRL / OCSP answer was produced, and until when it is current */
  thisUpdate: Date;
  nextUpdate: Date | null;
  source: 'crl' | 'ocsp';
}

/**
 * `cert`'s status in a CRL signed by `issuer`; null when the CRL is not the issuer's (another CA,
 * or a signature that does not verify) — such a CRL says nothing about the certificate.
 */
export async function statusFromCrl(crlDer: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<RevocationStatus | null> {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(fresh(crlDer));
  } catch {
    return null;
  }
  if (!crl.issuer.isEqual(issuer.subject)) return null;
  if (!(await crl.verify({ issuerCertificate: issuer }).catch(() => false))) return null;
  const serial = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex');
  const entry = (crl.revokedCertificates ?? []).find((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex') === serial);
  const base = { thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value ?? null, source: 'crl' as const };
  if (!entry) return { status: 'good', revokedAt: null, reason: null, ...base };
  const reasonExt = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === OID_CRL_REASON);
  let reason: string | null = null;
  if (reasonExt) {
    const parsed = asn1js.fromBER(fresh(new Uint8Array(reasonExt.extnValue.valueBlock.valueHexView)));
    if (parsed.result instanceof asn1js.Enumerated) reason = REASONS[parsed.result.valueBlock.valueDec] ?? null;
  }
  return { status: 'revoked', revokedAt: entry.revocationDate.value, reason, ...base };
}

function hasOcspSigning(cert: pkijs.Certificate): boolean {
  const eku = cert.extensions?.find((e) => e.extnID === OID_EKU)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return !!eku?.keyPurposes.includes(OID_KP_OCSP_SIGNING);
}

/**
 * `cert`'s status in an OCSP response: signed by the issuer itself or by a responder certificate
 * the issuer gave the OCSP-signing purpose. Null when the response is not usable for `cert`
 * (not successful, not signed by an authorised responder, or about another certificate); an
 * `unknown` answer is null too.
 */
export async function statusFromOcsp(responseDer: Uint8Array, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<RevocationStatus | null> {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const response = pkijs.OCSPResponse.fromBER(fresh(responseDer));
    if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes || response.responseBytes.responseType !== OID_OCSP_BASIC) return null;
    basic = pkijs.BasicOCSPResponse.fromBER(fresh(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView)));
  } catch {
    return null;
  }
  let authorised = false;
  for (const candidate of [issuer, ...(basic.certs ?? [])]) {
    const signed = await pkijs.getCrypto(true).verifyWithPublicKey(fresh(basic.tbsResponseData.tbsView), basic.signature, candidate.subjectPublicKeyInfo, basic.signatureAlgorithm).catch(() => false);
    if (!signed) continue;
    if (candidate === issuer) {
      authorised = true;
      break;
    }
    if (candidate.issuer.isEqual(issuer.subject) && hasOcspSigning(candidate) && (await candidate.verify(issuer).catch(() => false))) {
      authorised = true;
      break;
    }
  }
  if (!authorised) return null;
  const status = await basic.getCertificateStatus(cert, issuer).catch(() => null);
  if (!status?.isForCertificate || status.status === 2) return null;
  // the single response about this certificate, for its times and the revocation time
  for (const single of basic.tbsResponseData.responses) {
    if (!single.certID.isEqual(await certIdFor(single.certID, cert, issuer))) continue;
    const base = { thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate ?? null, source: 'ocsp' as const };
    if (status.status === 0) return { status: 'good', revokedAt: null, reason: null, ...base };
    const info = single.certStatus as asn1js.Constructed;
    const time = info.valueBlock.value[0];
    const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : null;
    let reason: string | null = null;
    const reasonEl = info.valueBlock.value[1] as asn1js.Constructed | undefined;
    const enumerated = reasonEl?.valueBlock.value?.[0];
    if (enumerated instanceof asn1js.Enumerated) reason = REASONS[enumerated.valueBlock.valueDec] ?? null;
    return { status: 'revoked', revokedAt, reason, ...base };
  }
  return null;
}

async function certIdFor(like: pkijs.CertID, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<pkijs.CertID> {
  const id = new pkijs.CertID();
  await id.createForCertificate(cert, { hashAlgorithm: hashName(like.hashAlgorithm.algorithmId), issuerCertificate: issuer });
  return id;
}

function hashName(oid: string): string {
  return ({ '1.3.14.3.2.26': 'SHA-1', '2.16.840.1.101.3.4.2.1': 'SHA-256', '2.16.840.1.101.3.4.2.2': 'SHA-384', '2.16.840.1.101.3.4.2.3': 'SHA-512' } as Record<string, string>)[oid] ?? 'SHA-1';
}

/** Validation material gathered for a set of certificates. */
export interface ValidationData {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

/**
 * Fetches, for every certificate of `chain` that is not self-issued and names a CRL or OCSP
 * service, an OCSP response (first choice) or else a CRL, checked against the issuer found in
 * `chain`. Returns what was fetched and the certificates that name no service (nothing to get).
 * Throws when a service a certificate names does not answer usably: the caller decides.
 */
export interface GatheredValidationData extends ValidationData {
  covered: pkijs.Certificate[];
  noService: pkijs.Certificate[];
  statuses: { cert: pkijs.Certificate; status: RevocationStatus }[];
}

export async function gatherValidationData(chain: pkijs.Certificate[], opts: { timeoutMs: number }): Promise<GatheredValidationData> {
  const out: GatheredValidationData = { certs: [], crls: [], ocsps: [], covered: [], noService: [], statuses: [] };
  const seenCrl = new Map<string, Buffer>();
  for (const cert of chain) {
    const der = Buffer.from(cert.toSchema(true).toBER());
    if (!out.certs.some((c) => c.equals(der))) out.certs.push(der);
    if (isSelfIssued(cert)) continue;
    const urls = revocationUrls(cert);
    if (!urls.crl.length && !urls.ocsp.length) {
      out.noService.push(cert);
      continue;
    }
    const issuer = await findIssuer(cert, chain);
    if (!issuer) throw new Error(`the issuer of ${describe(cert)} is not in the chain`);
    const problems: string[] = [];
    let done = false;
    for (const url of urls.ocsp) {
      try {
        const response = await fetchOcsp(url, cert, issuer, opts.timeoutMs);
        const status = await statusFromOcsp(response, cert, issuer);
        if (status) {
          out.statuses.push({ cert, status });
          out.ocsps.push(response);
          done = true;
          break;
        }
        problems.push(`OCSP ${url}: no usable answer`);
      } catch (err) {
        problems.push(`OCSP ${url}: ${(err as Error).message}`);
      }
    }
    for (const url of done ? [] : urls.crl) {
      try {
        const crl = seenCrl.get(url) ?? (await fetchCrl(url, opts.timeoutMs));
        const status = await statusFromCrl(crl, cert, issuer);
        if (status) {
          out.statuses.push({ cert, status });
          if (!seenCrl.has(url)) out.crls.push(crl);
          seenCrl.set(url, crl);
          done = true;
          break;
        }
        problems.push(`CRL ${url}: not a CRL of the issuer`);
      } catch (err) {
        problems.push(`CRL ${url}: ${(err as Error).message}`);
      }
    }
    if (!done) throw new Error(`no revocation data for ${describe(cert)}: ${problems.join('; ')}`);
    out.covered.push(cert);
  }
  return out;
}

function describe(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? `"${(cn.value.valueBlock as unknown as { value: string }).value}"` : 'a certificate';
}
