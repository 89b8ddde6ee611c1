import * as pkijs from 'pkijs';
import { fetchCrl, fetchOcsp, isSelfIssued, revocationUrls, statusFromCrl, statusFromOcsp, type RevocationStatus, type ValidationData } from '../signing/revocation';
import { describeCertificate, toArrayBuffer } from './certificates';

/** The revocation status of one certificate of a signer's chain, as the report shows it. */
export interface RevocationCheck {
  subject: string;
  /** `not-checked`: the certificate names no CRL or OCSP service and nothing was embedded */
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  /** `embedded`: from the signature or the PDF's DSS; `fetched`: from the CA's service now */
  origin: 'embedded' | 'fetched' | null;
  via: 'crl' | 'ocsp' | null;
  revokedAt: string | null;
  reason: string | null;
  /** when the CRL or OCSP answer was produced */
  producedAt: string | null;
  problem: string | null;
}

export interface RevocationOptions {
  /** revocation data carried by the signed file (PAdES DSS) */
  embedded?: ValidationData;
  /** ask the CRL distribution points and OCSP responders the certificates name (default true) */
  fetch?: boolean;
  timeoutMs?: number;
}

const parsed = (list: Buffer[] | undefined) => list ?? [];

async function firstStatus(cert: pkijs.Certificate, issuer: pkijs.Certificate, embedded: ValidationData | undefined): Promise<RevocationStatus | null> {
  for (const ocsp of parsed(embedded?.ocsps)) {
    const s = await statusFromOcsp(ocsp, cert, issuer);
    if (s) return s;
  }
  for (const crl of parsed(embedded?.crls)) {
    const s = await statusFromCrl(crl, cert, issuer);
    if (s) return s;
  }
  return null;
}

/**
 * Checks the revocation status of every certificate of `path` (signer first, the trust anchor
 * last and not checked): revocation data embedded in the signed file first, else the CA's OCSP
 * responder, else its CRL. Embedded data newer than `at` (the time the signature is proven to
 * have existed) or still current at `at` is used; older data is not enough and the services are
 * asked.
 */
export async function checkRevocation(path: pkijs.Certificate[], at: Date, opts: RevocationOptions): Promise<RevocationCheck[]> {
  const out: RevocationCheck[] = [];
  for (let i = 0; i < path.length - 1; i += 1) {
    const cert = path[i];
    if (isSelfIssued(cert)) continue;
    const issuer = path[i + 1];
    const base: RevocationCheck = { subject: describeCertificate(cert).subject, status: 'unknown', origin: null, via: null, revokedAt: null, reason: null, producedAt: null, problem: null };
    const done = (s: RevocationStatus, origin: RevocationCheck['origin']) =>
      out.push({ ...base, status: s.status, origin, via: s.source, revokedAt: s.revokedAt?.toISOString() ?? null, reason: s.reason, producedAt: s.thisUpdate.toISOString() });

    const embedded = await firstStatus(cert, issuer, opts.embedded);
    // a revocation is final; "good" counts only if it speaks about the proven time or later
    if (embedded && (embedded.status === 'revoked' || embedded.thisUpdate >= at || (embedded.nextUpdate && embedded.nextUpdate >= at))) {
      done(embedded, 'embedded');
      continue;
    }
    const urls = revocationUrls(cert);
    if (!urls.crl.length && !urls.ocsp.length) {
      if (embedded) done(embedded, 'embedded');
      else out.push({ ...base, status: 'not-checked', problem: 'the certificate names no CRL or OCSP service' });
      continue;
    }
    if (opts.fetch === false) {
      out.push({ ...base, problem: 'fetching revocation data is switched off' });
      continue;
    }
    const problems: string[] = [];
    let status: RevocationStatus | null = null;
    for (const url of urls.ocsp) {
      try {
        status = await statusFromOcsp(await fetchOcsp(url, cert, issuer, opts.timeoutMs ?? 10_000), cert, issuer);
        if (status) break;
        problems.push(`OCSP ${url}: no usable answer`);
      } catch (err) {
        problems.push(`OCSP ${url}: ${(err as Error).message}`);
      }
    }
    for (const url of status ? [] : urls.crl) {
      try {
        status = await statusFromCrl(await fetchCrl(url, opts.timeoutMs ?? 10_000), cert, issuer);
        if (status) break;
        problems.push(`CRL ${url}: not a CRL of the issuer`);
      } catch (err) {
        problems.push(`CRL ${url}: ${(err as Error).message}`);
      }
    }
    if (status) done(status, 'fetched');
    else out.push({ ...base, problem: problems.join('; ') });
  }
  return out;
}

/** The certificates embedded as validation data (PAdES DSS), for chain building. */
export function embeddedCertificates(data: ValidationData | undefined): pkijs.Certificate[] {
  const certs: pkijs.Certificate[] = [];
  for (const der of parsed(data?.certs)) {
    try {
      certs.push(pkijs.Certificate.fromBER(toArrayBuffer(der)));
    } catch {
      // not a certificate: ignored, as a verifier ignores unusable validation data
    }
  }
  return certs;
}

/**
 * What the revocation checks mean for the signature (ETSI EN 319 102-1): a signer certificate
 * revoked after the proven time leaves it valid; revoked before, it is TOTAL_FAILED/REVOKED when
 * the signer's own claimed signing time is after the revocation, else INDETERMINATE/
 * REVOKED_NO_POE; a revoked CA certificate is REVOKED_CA_NO_POE; a status that could not be
 * obtained although the certificate names a service is TRY_LATER.
 */
export function revocationOutcome(checks: RevocationCheck[], provenTime: Date, claimedSigningTime: string | null): { indication: 'TOTAL_FAILED' | 'INDETERMINATE'; subIndication: string; problem: string } | null {
  for (const [i, c] of checks.entries()) {
    if (c.status !== 'revoked' || !c.revokedAt) continue;
    const revokedAt = new Date(c.revokedAt);
    if (revokedAt > provenTime) continue;
    const why = `${c.subject} was revoked ${c.revokedAt}${c.reason ? ` (${c.reason})` : ''}, by ${c.via === 'ocsp' ? 'OCSP' : 'CRL'}${c.origin === 'embedded' ? ' embedded in the file' : ''}`;
    if (i > 0) return { indication: 'INDETERMINATE', subIndication: 'REVOKED_CA_NO_POE', problem: why };
    if (claimedSigningTime && new Date(claimedSigningTime) >= revokedAt) return { indication: 'TOTAL_FAILED', subIndication: 'REVOKED', problem: `${why}; the signer claims to have signed after that` };
    return { indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE', problem: `${why}; nothing proves the signature was made before` };
  }
  const unknown = checks.find((c) => c.status === 'unknown');
  if (unknown) return { indication: 'INDETERMINATE', subIndication: 'TRY_LATER', problem: `the revocation status of ${unknown.subject} could not be obtained: ${unknown.problem}` };
  return null;
}
