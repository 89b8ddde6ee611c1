import { cmsSign, addSignatureTimeStamp, type TestPki } from './openssl-pki';

const PLACEHOLDER_BYTES = 16_384;

/**
 * A one-page PDF with an invisible PAdES signature field, signed by `signer` with a CAdES detached
 * CMS from `openssl cms` over the byte range (optionally with a signature time stamp from the test
 * TSA). Cross-reference offsets are exact, so other readers (pdfsig) accept it too.
 */
export async function signedPdf(pki: TestPki, signer: { cert: string; key: string }, opts: { timeStamp?: boolean; text?: string } = {}): Promise<Buffer> {
  const text = opts.text ?? 'Rozhodnuti c. 1';
  const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> /Annots [4 0 R] >>',
    '<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V 5 0 R /T (Signature1) /F 132 /P 3 0 R >>',
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ********** ********** **********] /Contents <${'0'.repeat(PLACEHOLDER_BYTES * 2)}> /M (D:20261201100000Z) >>`,
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;

  const pdf = Buffer.from(body, 'latin1');
  const contentsStart = pdf.indexOf('/Contents <') + '/Contents '.length;
  const contentsEnd = pdf.indexOf('>', contentsStart) + 1;
  const range = [0, contentsStart, contentsEnd, pdf.length - contentsEnd];
  const rangeText = `[${range.map((n, i) => (i === 0 ? String(n) : String(n).padStart(10, ' '))).join(' ')}]`;
  const placeholder = '[0 ********** ********** **********]';
  const withRange = Buffer.from(pdf.toString('latin1').replace(placeholder, rangeText.padEnd(placeholder.length, ' ')), 'latin1');
  const signed = Buffer.concat([withRange.subarray(0, contentsStart), withRange.subarray(contentsEnd)]);
  let cms = cmsSign(signed, signer, { detached: true });
  if (opts.timeStamp) cms = await addSignatureTimeStamp(cms, pki);
  const hex = cms.toString('hex').padEnd(PLACEHOLDER_BYTES * 2, '0');
  if (hex.length > PLACEHOLDER_BYTES * 2) throw new Error('signature larger than the placeholder');
  return Buffer.concat([withRange.subarray(0, contentsStart + 1), Buffer.from(hex, 'latin1'), withRange.subarray(contentsEnd - 1)]);
}
