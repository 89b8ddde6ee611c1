import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as pkijs from 'pkijs';
import { DomainError } from '../shared/domain-error';
import { createCadesDetached } from './cades';
import { addDss } from './pades-dss';
import { gatherValidationData, type RevocationStatus } from './revocation';
import type { SealKey } from './seal-key';
import type { TimeStamp, TimeStamper } from './tsa-client';

/**
 * PAdES baseline level reached: B-B (signature only), B-T (with a trusted time stamp) or B-LT (B-T
 * plus the certificates and revocation data of the seal and TSA chains in the PDF's DSS).
 */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT';

export interface SealPdfResult {
  pdf: Buffer;
  level: PadesLevel;
  timestamp: TimeStamp | null;
}

// room for the CMS: certificates, the time stamp token with its TSA certificate chain
const SIGNATURE_LENGTH = 24_576;

class CadesSigner extends Signer {
  timestamp: TimeStamp | null = null;
  constructor(
    private readonly key: SealKey,
    private readonly timeStamper: TimeStamper | null,
  ) {
    super();
  }
  async sign(bytes: Buffer): Promise<Buffer> {
    const { cms, timestamp } = await createCadesDetached(bytes, this.key, this.timeStamper);
    this.timestamp = timestamp;
    return cms;
  }
}

/**
 * Seals a PDF (PAdES baseline, /SubFilter ETSI.CAdES.detached, invisible) in an incremental update,
 * so the original PDF/A revision stays byte-for-byte inside the result.
 */
export async function sealPdf(
  pdf: Buffer,
  opts: { key: SealKey; timeStamper?: TimeStamper | null; reason: string; location: string; name: string; contactInfo?: string; signingTime: Date; revocationTimeoutMs?: number },
): Promise<SealPdfResult> {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: opts.reason,
    location: opts.location,
    name: opts.name,
    contactInfo: opts.contactInfo ?? '',
    signingTime: opts.signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    widgetRect: [0, 0, 0, 0],
    appName: 'openspis',
  });
  const signer = new CadesSigner(opts.key, opts.timeStamper ?? null);
  const sealed = await new SignPdf().sign(withPlaceholder, signer, opts.signingTime);
  if (!signer.timestamp) return { pdf: sealed, level: 'B-B', timestamp: null };
  const ltv = await longTermValidationData(opts.key, signer.timestamp, opts.revocationTimeoutMs ?? 15_000);
  if (!ltv) return { pdf: sealed, level: 'B-T', timestamp: signer.timestamp };
  return { pdf: addDss(sealed, ltv), level: 'B-LT', timestamp: signer.timestamp };
}

const der = (c: pkijs.Certificate) => Buffer.from(c.toSchema(true).toBER());

/**
 * The validation data for B-LT: the seal's chain and the TSA's chain with an OCSP response or CRL
 * for every certificate that names a revocation service. Null when the seal certificate names
 * none (the CA publishes no revocation data: B-T is as far as it goes). A service that does not
 * answer is a transient failure (the job retries), like an unreachable TSA; a revoked seal
 * certificate is not retried.
 */
async function longTermValidationData(key: SealKey, timestamp: TimeStamp, timeoutMs: number) {
  const sealChain = [key.certificate, ...key.chain].map((d) => pkijs.Certificate.fromBER(new Uint8Array(d)));
  const token = pkijs.ContentInfo.fromBER(new Uint8Array(timestamp.token));
  const tsaChain = (new pkijs.SignedData({ schema: token.content }).certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const gather = async (chain: pkijs.Certificate[], what: string) => {
    try {
      return await gatherValidationData(chain, { timeoutMs });
    } catch (err) {
      throw new DomainError('REVOCATION_DATA_UNAVAILABLE', `revocation data of the ${what} chain could not be fetched: ${(err as Error).message}`, 'transient', { cause: err });
    }
  };
  const seal = await gather(sealChain, 'seal');
  if (!seal.covered.some((c) => c === sealChain[0])) return null;
  const revoked = seal.statuses.find((s: { cert: pkijs.Certificate; status: RevocationStatus }) => s.status.status === 'revoked');
  if (revoked) throw new DomainError('SEAL_CERTIFICATE_REVOKED', `a certificate of the seal chain was revoked ${revoked.status.revokedAt?.toISOString() ?? ''}`.trim());
  const tsa = tsaChain.length ? await gather(tsaChain, 'time stamp authority') : { certs: [], crls: [], ocsps: [] };
  const unique = (list: Buffer[]) => list.filter((b, i) => list.findIndex((o) => o.equals(b)) === i);
  return {
    certs: unique([...seal.certs, ...tsa.certs, ...sealChain.map(der)]),
    crls: unique([...seal.crls, ...tsa.crls]),
    ocsps: unique([...seal.ocsps, ...tsa.ocsps]),
  };
}
