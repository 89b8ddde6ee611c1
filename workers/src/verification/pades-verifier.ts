import { onlyValidationDataAfter, readDss } from '../signing/pades-dss';
import { extractPdfSignatures } from '../signing/pdf-signature';
import { verifyCms, type SignatureCheck, type VerifyContext } from './cms-verifier';

/**
 * PAdES: each signature dictionary's CMS (found by the signing module's `extractPdfSignatures`)
 * verified over the bytes its byte range covers. A signature that does not cover the whole file
 * was followed by an incremental update; one that only adds validation data (the DSS of B-LT) is
 * told apart from other changes. Revocation data in the DSS is used before asking the CAs.
 */
export async function verifyPades(pdf: Buffer, ctx: VerifyContext): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = [];
  // the Document Security Store: certificates, CRLs and OCSP responses for every signature (B-LT)
  const dss = readDss(pdf);
  const withDss: VerifyContext = { ...ctx, revocation: { ...ctx.revocation, embedded: { certs: dss.certs, crls: dss.crls, ocsps: dss.ocsps } } };
  for (const [i, field] of extractPdfSignatures(pdf).entries()) {
    // a document time stamp is no signature; it is not evaluated on its own yet (docs/signatures.md)
    if (field.subFilter === 'ETSI.RFC3161') continue;
    const results = await verifyCms(field.cms, field.signedContent, withDss, { format: 'pades', location: `PDF signature ${i + 1}${field.subFilter ? ` (${field.subFilter})` : ''}` });
    const onlyValidationData = field.coversWholeFile ? undefined : onlyValidationDataAfter(pdf, field.byteRange[2] + field.byteRange[3]);
    for (const r of results) checks.push({ ...r, coversWholeDocument: field.coversWholeFile, ...(onlyValidationData === undefined ? {} : { onlyValidationDataAdded: onlyValidationData }) });
  }
  return checks;
}
