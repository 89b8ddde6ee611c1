import { extractPdfSignatures } from '../signing/pdf-signature';
import { verifyCms, type SignatureCheck, type VerifyContext } from './cms-verifier';

/**
 * PAdES: each signature dictionary's CMS (found by the signing module's `extractPdfSignatures`)
 * verified over the bytes its byte range covers. A signature that does not cover the whole file
 * was followed by an incremental update.
 */
export async function verifyPades(pdf: Buffer, ctx: VerifyContext): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = [];
  for (const [i, field] of extractPdfSignatures(pdf).entries()) {
    // a document time stamp is no signature; it is not evaluated on its own yet (docs/signatures.md)
    if (field.subFilter === 'ETSI.RFC3161') continue;
    const results = await verifyCms(field.cms, field.signedContent, ctx, { format: 'pades', location: `PDF signature ${i + 1}${field.subFilter ? ` (${field.subFilter})` : ''}` });
    for (const r of results) checks.push({ ...r, coversWholeDocument: field.coversWholeFile });
  }
  return checks;
}
