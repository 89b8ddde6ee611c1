import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { createCadesDetached } from './cades';
import type { SealKey } from './seal-key';
import type { TimeStamp, TimeStamper } from './tsa-client';

/** PAdES baseline level reached: B-B (signature only) or B-T (with a trusted time stamp). */
export type PadesLevel = 'B-B' | 'B-T';

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
  opts: { key: SealKey; timeStamper?: TimeStamper | null; reason: string; location: string; name: string; contactInfo?: string; signingTime: Date },
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
  return { pdf: sealed, level: signer.timestamp ? 'B-T' : 'B-B', timestamp: signer.timestamp };
}
