import { verifyCms, type SignatureCheck, type VerifyContext } from './cms-verifier';

export interface PdfSignature {
  byteRange: [number, number, number, number];
  contents: Buffer;
}

/**
 * The signature dictionaries of a PDF, found by their `/ByteRange`: the CMS sits in the gap the
 * byte range leaves (`<hex>`), so it is read from there rather than by parsing the object tree.
 */
export function findPdfSignatures(pdf: Buffer): PdfSignature[] {
  const raw = pdf.toString('latin1');
  const out: PdfSignature[] = [];
  for (const m of raw.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const br = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
    const [a, b, c, d] = br;
    if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length) continue;
    const gap = raw.slice(a + b, c).trim();
    if (!gap.startsWith('<') || !gap.endsWith('>')) continue;
    const hex = gap.slice(1, -1).replace(/\s+/g, '');
    out.push({ byteRange: br, contents: Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex') });
  }
  return out;
}

/** PAdES: each signature's CMS verified over the bytes its byte range covers. */
export async function verifyPades(pdf: Buffer, ctx: VerifyContext): Promise<SignatureCheck[]> {
  const signatures = findPdfSignatures(pdf);
  const checks: SignatureCheck[] = [];
  for (const [i, sig] of signatures.entries()) {
    const [a, b, c, d] = sig.byteRange;
    const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
    const results = await verifyCms(sig.contents, signedBytes, ctx, { format: 'pades', location: `PDF signature ${i + 1}` });
    for (const r of results) checks.push({ ...r, coversWholeDocument: c + d === pdf.length });
  }
  return checks;
}
