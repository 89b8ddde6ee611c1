/**
 * Output data formats (výstupní datové formáty, vyhláška 259/2012 Sb., příloha 3): the formats a
 * digital document must have before its file is closed and handed to the records centre. The format
 * is recognised from the content, never from the file name; a PDF must declare PDF/A conformance
 * in its XMP metadata (pdfaid:part).
 */
export type OutputFormat = 'PDF/A' | 'PNG' | 'TIFF' | 'JPEG' | 'GIF' | 'MP3' | 'WAVE' | 'MPEG-4' | 'XML';

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((b, i) => bytes[offset + i] === b);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The output format of the content, or null when it is not one (an ordinary PDF, DOCX, ...). */
export function detectOutputFormat(content: Uint8Array): OutputFormat | null {
  if (startsWith(content, ascii('%PDF-'))) {
    // pdfaid:part appears in the XMP packet as an attribute or an element
    const text = Buffer.from(content).toString('latin1');
    return /pdfaid:part\s*(=\s*["']?[1-4]|>\s*[1-4])/.test(text) ? 'PDF/A' : null;
  }
  if (startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(content, [0x49, 0x49, 0x2a, 0x00]) || startsWith(content, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (startsWith(content, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(content, ascii('GIF87a')) || startsWith(content, ascii('GIF89a'))) return 'GIF';
  if (startsWith(content, ascii('ID3')) || (content[0] === 0xff && (content[1] & 0xe0) === 0xe0)) return 'MP3';
  if (startsWith(content, ascii('RIFF')) && startsWith(content, ascii('WAVE'), 8)) return 'WAVE';
  if (startsWith(content, ascii('ftyp'), 4)) return 'MPEG-4';
  const head = Buffer.from(content.subarray(0, 64)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<?xml')) return 'XML';
  return null;
}
