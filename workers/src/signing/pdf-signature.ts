import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids';

export interface PdfSignatureField {
  byteRange: [number, number, number, number];
  /** the bytes the signature covers (both ranges, concatenated) */
  signedContent: Buffer;
  /** DER of the CMS ContentInfo, without the placeholder's zero padding */
  cms: Buffer;
  /** /SubFilter value, e.g. `ETSI.CAdES.detached` */
  subFilter: string | null;
  /** true when the last byte range ends at the end of the file (nothing appended after signing) */
  coversWholeFile: boolean;
}

/** Every signature dictionary of a PDF, in file order (found by /ByteRange, as signature validators do). */
export function extractPdfSignatures(pdf: Buffer): PdfSignatureField[] {
  const text = pdf.toString('latin1');
  const out: PdfSignatureField[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const br = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
    if (br[1] === 0 && br[2] === 0) continue;
    const gap = text.slice(br[0] + br[1], br[2]);
    const hex = /^<([0-9A-Fa-f]*)>$/.exec(gap.trim())?.[1];
    if (!hex) continue;
    const raw = Buffer.from(hex, 'hex');
    const parsed = asn1js.fromBER(new Uint8Array(raw));
    const cms = parsed.offset > 0 ? raw.subarray(0, parsed.offset) : raw;
    const dictStart = text.lastIndexOf('<<', m.index);
    const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(text.slice(dictStart, br[2] + 2000))?.[1] ?? null;
    out.push({
      byteRange: br,
      signedContent: Buffer.concat([pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])]),
      cms: Buffer.from(cms),
      subFilter,
      coversWholeFile: br[2] + br[3] === pdf.length,
    });
  }
  return out;
}

/** The signer's signature value and its signature-time-stamp token (DER), if the CMS carries one. */
export function signatureValueAndTimeStamp(cms: Buffer): { signatureValue: Buffer; timeStampToken: Buffer | null } {
  const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(cms));
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const signer = signedData.signerInfos[0];
  const attr = signer.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken);
  return {
    signatureValue: Buffer.from(signer.signature.valueBlock.valueHexView),
    timeStampToken: attr ? Buffer.from(attr.values[0].valueBeforeDecodeView.byteLength ? attr.values[0].valueBeforeDecodeView : new Uint8Array(attr.values[0].toBER())) : null,
  };
}
