import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream, type PDFObject } from 'pdf-lib';

export interface PdfACheck {
  ok: boolean;
  /** `pdfaid:part` and `pdfaid:conformance` from the XMP metadata, if present */
  part: string | null;
  conformance: string | null;
  problems: string[];
}

function streamText(stream: PDFStream): string {
  const bytes = stream instanceof PDFRawStream ? (stream.dict.has(PDFName.of('Filter')) ? decodePDFRawStream(stream).decode() : stream.contents) : stream.getContents();
  return Buffer.from(bytes).toString('utf8');
}

function xmpValue(xmp: string, name: string): string | null {
  return new RegExp(`pdfaid:${name}\\s*=\\s*"([^"]*)"`).exec(xmp)?.[1] ?? new RegExp(`<pdfaid:${name}>([^<]*)</pdfaid:${name}>`).exec(xmp)?.[1] ?? null;
}

/**
 * A structural PDF/A-2 check (a subset of what veraPDF checks): PDF/A identification in the XMP
 * metadata, an output intent with an ICC profile, every font embedded, no encryption, no
 * JavaScript. Reads the last revision, so it also checks a sealed (incrementally updated) file.
 */
export async function checkPdfA(pdf: Buffer, expectedPart = '2'): Promise<PdfACheck> {
  const problems: string[] = [];
  if (/\/Encrypt\s/.test(pdf.toString('latin1'))) problems.push('encrypted (trailer /Encrypt)');
  const doc = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
  const ctx = doc.context;
  const lookup = (o: PDFObject | undefined) => (o instanceof PDFRef ? ctx.lookup(o) : o);

  let part: string | null = null;
  let conformance: string | null = null;
  const metadata = lookup(doc.catalog.get(PDFName.of('Metadata')));
  if (!(metadata instanceof PDFStream)) {
    problems.push('no XMP metadata stream in the catalog');
  } else {
    const xmp = streamText(metadata);
    part = xmpValue(xmp, 'part');
    conformance = xmpValue(xmp, 'conformance');
    if (part !== expectedPart) problems.push(`XMP pdfaid:part is ${part ?? 'missing'}, expected ${expectedPart}`);
    if (!conformance || !/^[ABU]$/.test(conformance)) problems.push(`XMP pdfaid:conformance is ${conformance ?? 'missing'}`);
  }

  const intents = lookup(doc.catalog.get(PDFName.of('OutputIntents')));
  const pdfaIntent =
    intents instanceof PDFArray &&
    intents.asArray().some((i) => {
      const d = lookup(i);
      return d instanceof PDFDict && d.get(PDFName.of('S')) === PDFName.of('GTS_PDFA1') && lookup(d.get(PDFName.of('DestOutputProfile'))) instanceof PDFStream;
    });
  if (!pdfaIntent) problems.push('no GTS_PDFA1 output intent with an ICC profile');

  const names = lookup(doc.catalog.get(PDFName.of('Names')));
  if (names instanceof PDFDict && names.has(PDFName.of('JavaScript'))) problems.push('JavaScript name tree');
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    const dict = obj instanceof PDFDict ? obj : obj instanceof PDFStream ? obj.dict : null;
    if (!dict) continue;
    if (dict.has(PDFName.of('JS')) || dict.get(PDFName.of('S')) === PDFName.of('JavaScript')) problems.push(`JavaScript action in object ${ref.objectNumber}`);
    if (dict.get(PDFName.of('Type')) !== PDFName.of('Font')) continue;
    const subtype = dict.get(PDFName.of('Subtype'));
    if (subtype === PDFName.of('Type3')) continue;
    let descriptorHolder: PDFDict | undefined = dict;
    if (subtype === PDFName.of('Type0')) {
      const descendants = lookup(dict.get(PDFName.of('DescendantFonts')));
      const first = descendants instanceof PDFArray ? lookup(descendants.get(0)) : undefined;
      descriptorHolder = first instanceof PDFDict ? first : undefined;
    }
    const descriptor = descriptorHolder ? lookup(descriptorHolder.get(PDFName.of('FontDescriptor'))) : undefined;
    const embedded = descriptor instanceof PDFDict && ['FontFile', 'FontFile2', 'FontFile3'].some((k) => descriptor.has(PDFName.of(k)));
    if (!embedded) problems.push(`font ${String(dict.get(PDFName.of('BaseFont')) ?? ref.objectNumber)} is not embedded`);
  }
  return { ok: problems.length === 0, part, conformance, problems };
}
