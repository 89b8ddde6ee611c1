import { describe, expect, it } from 'vitest';
import { detectOutputFormat } from './output-format';

const bytes = (...parts: (string | number[])[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))));

describe('output data formats (vyhláška 259/2012 Sb., příloha 3)', () => {
  it('accepts a PDF only when it declares PDF/A in its XMP metadata', () => {
    expect(detectOutputFormat(bytes('%PDF-1.7\n1 0 obj\n<x:xmpmeta><rdf:Description pdfaid:part="2" pdfaid:conformance="B"/>'))).toBe('PDF/A');
    expect(detectOutputFormat(bytes('%PDF-1.7\n<pdfaid:part>1</pdfaid:part>'))).toBe('PDF/A');
    expect(detectOutputFormat(bytes('%PDF-1.7\n1 0 obj << /Type /Catalog >>'))).toBeNull();
  });

  it('recognises images, sound, video and XML by their signatures', () => {
    expect(detectOutputFormat(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'))).toBe('PNG');
    expect(detectOutputFormat(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).toBe('JPEG');
    expect(detectOutputFormat(bytes('II*\u0000rest'))).toBe('TIFF');
    expect(detectOutputFormat(bytes('GIF89a...'))).toBe('GIF');
    expect(detectOutputFormat(bytes('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toBe('WAVE');
    expect(detectOutputFormat(bytes('\u0000\u0000\u0000\u0018ftypmp42'))).toBe('MPEG-4');
    expect(detectOutputFormat(bytes([0xef, 0xbb, 0xbf], '<?xml version="1.0"?><a/>'))).toBe('XML');
  });

  it('refuses formats that are not output formats, whatever the file is called', () => {
    expect(detectOutputFormat(bytes('PK\u0003\u0004word/document.xml'))).toBeNull(); // DOCX
    expect(detectOutputFormat(bytes('plain text'))).toBeNull();
  });
});
