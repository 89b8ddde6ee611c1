import * as asn1js from 'asn1js';
import { unzipSync } from 'fflate';

/**
 * Formats recognised by content. Never by file name: a `.pdf` that is a ZIP is a ZIP.
 * `unknown` is anything we cannot name with confidence.
 */
export type FormatCode =
  | 'pdf' | 'zip' | 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp' | 'asic-s' | 'asic-e'
  | 'doc' | 'xls' | 'eml' | 'zfo' | 'cms' | 'xml' | 'png' | 'jpeg' | 'gif' | 'tiff' | 'bmp' | 'webp'
  | 'txt' | 'html' | 'rtf' | 'unknown';

export interface DetectedFormat {
  format: FormatCode;
  mediaType: string;
  /** usual file name extension for the format, without the dot */
  extension: string;
  /** PDF: the PDF/A identification claimed in its XMP metadata (a claim, not a conformance check) */
  pdfa?: { part: number; conformance: string | null };
  /** the kind of electronic signature the content carries, if any */
  signature?: 'pades' | 'cades' | 'xades' | 'asic';
  /** CMS: whether the signed content is inside (enveloping, `.p7m`) or not (detached, `.p7s`) */
  cmsContent?: 'enveloped' | 'detached';
}

const MEDIA: Record<FormatCode, [string, string]> = {
  pdf: ['application/pdf', 'pdf'],
  zip: ['application/zip', 'zip'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
  odt: ['application/vnd.oasis.opendocument.text', 'odt'],
  ods: ['application/vnd.oasis.opendocument.spreadsheet', 'ods'],
  odp: ['application/vnd.oasis.opendocument.presentation', 'odp'],
  'asic-s': ['application/vnd.etsi.asic-s+zip', 'asics'],
  'asic-e': ['application/vnd.etsi.asic-e+zip', 'asice'],
  doc: ['application/msword', 'doc'],
  xls: ['application/vnd.ms-excel', 'xls'],
  eml: ['message/rfc822', 'eml'],
  zfo: ['application/vnd.software602.filler.form-xml-zip', 'zfo'],
  cms: ['application/pkcs7-mime', 'p7m'],
  xml: ['application/xml', 'xml'],
  png: ['image/png', 'png'],
  jpeg: ['image/jpeg', 'jpg'],
  gif: ['image/gif', 'gif'],
  tiff: ['image/tiff', 'tif'],
  bmp: ['image/bmp', 'bmp'],
  webp: ['image/webp', 'webp'],
  txt: ['text/plain', 'txt'],
  html: ['text/html', 'html'],
  rtf: ['application/rtf', 'rtf'],
  unknown: ['application/octet-stream', 'bin'],
};

export function formatInfo(format: FormatCode, extra: Partial<DetectedFormat> = {}): DetectedFormat {
  const [mediaType, extension] = MEDIA[format];
  return { format, mediaType, extension, ...extra };
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const ISDS_NS = 'http://isds.czechpoint.cz/v20';

const startsWith = (buf: Buffer, bytes: number[], at = 0) => bytes.every((b, i) => buf[at + i] === b);

/** Detects the format of the bytes by magic numbers and structure. */
export function detectFormat(content: Buffer): DetectedFormat {
  if (content.length === 0) return formatInfo('unknown');
  const head = content.subarray(0, 1024).toString('latin1');

  if (head.includes('%PDF-')) return detectPdf(content);
  if (startsWith(content, [0x50, 0x4b, 0x03, 0x04])) return detectZip(content);
  if (startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return formatInfo('png');
  if (startsWith(content, [0xff, 0xd8, 0xff])) return formatInfo('jpeg');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return formatInfo('gif');
  if (startsWith(content, [0x49, 0x49, 0x2a, 0x00]) || startsWith(content, [0x4d, 0x4d, 0x00, 0x2a])) return formatInfo('tiff');
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return formatInfo('webp');
  if (head.startsWith('BM') && content.length >= 26 && content.readUInt32LE(2) === content.length) return formatInfo('bmp');
  if (startsWith(content, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return detectOle(content);
  if (head.startsWith('{\\rtf')) return formatInfo('rtf');
  if (content[0] === 0x30) {
    const cms = detectCms(content);
    if (cms) return cms;
  }
  const text = decodeText(content);
  if (text === null) return formatInfo('unknown');
  return detectText(text);
}

function detectPdf(content: Buffer): DetectedFormat {
  const raw = content.toString('latin1');
  const part = /pdfaid:part(?:>\s*|\s*=\s*["'])(\d)/.exec(raw);
  const conformance = /pdfaid:conformance(?:>\s*|\s*=\s*["'])([A-Za-z])/.exec(raw);
  const signed = /\/ByteRange\s*\[/.test(raw) && /\/Type\s*\/Sig\b|\/SubFilter\s*\//.test(raw);
  return formatInfo('pdf', {
    ...(part ? { pdfa: { part: Number(part[1]), conformance: conformance ? conformance[1].toUpperCase() : null } } : {}),
    ...(signed ? { signature: 'pades' as const } : {}),
  });
}

/** Entry names of a ZIP plus the few small entries that name its kind. Throws on a broken archive. */
function readZipHints(content: Buffer): { names: string[]; mimetype: string | null; contentTypes: string | null } {
  const names: string[] = [];
  const wanted = new Set(['mimetype', '[Content_Types].xml']);
  const files = unzipSync(content, {
    filter: (f) => {
      names.push(f.name);
      return wanted.has(f.name) && f.originalSize < 1_000_000;
    },
  });
  const text = (name: string) => (files[name] ? Buffer.from(files[name]).toString('utf8') : null);
  return { names, mimetype: text('mimetype')?.trim() ?? null, contentTypes: text('[Content_Types].xml') };
}

function detectZip(content: Buffer): DetectedFormat {
  let hints;
  try {
    hints = readZipHints(content);
  } catch {
    return formatInfo('unknown');
  }
  const { names, mimetype, contentTypes } = hints;
  if (mimetype === MEDIA['asic-s'][0]) return formatInfo('asic-s', { signature: 'asic' });
  if (mimetype === MEDIA['asic-e'][0]) return formatInfo('asic-e', { signature: 'asic' });
  for (const f of ['odt', 'ods', 'odp'] as const) if (mimetype === MEDIA[f][0]) return formatInfo(f);
  if (contentTypes) {
    if (names.some((n) => n.startsWith('word/'))) return formatInfo('docx');
    if (names.some((n) => n.startsWith('xl/'))) return formatInfo('xlsx');
    if (names.some((n) => n.startsWith('ppt/'))) return formatInfo('pptx');
  }
  // ASiC without the optional mimetype entry: a signature in META-INF names it (TS 119 162-1 4.3)
  const meta = names.filter((n) => n.startsWith('META-INF/'));
  if (meta.some((n) => /^META-INF\/ASiCManifest[^/]*\.xml$/.test(n))) return formatInfo('asic-e', { signature: 'asic' });
  if (meta.some((n) => /^META-INF\/(signature[^/]*\.p7s|signatures[^/]*\.xml|timestamp\.tst)$/.test(n))) {
    const data = names.filter((n) => !n.startsWith('META-INF/') && n !== 'mimetype' && !n.endsWith('/'));
    return formatInfo(data.length === 1 ? 'asic-s' : 'asic-e', { signature: 'asic' });
  }
  return formatInfo('zip');
}

function detectOle(content: Buffer): DetectedFormat {
  const utf16 = (s: string) => Buffer.from(s, 'utf16le');
  if (content.includes(utf16('WordDocument'))) return formatInfo('doc');
  if (content.includes(utf16('Workbook')) || content.includes(utf16('Book'))) return formatInfo('xls');
  return formatInfo('unknown');
}

/** A DER (or BER) ContentInfo of type signedData: a ZFO data message, or a CAdES `.p7m`/`.p7s`. */
export function parseSignedDataInfo(content: Buffer): { detached: boolean; eContent: Buffer | null } | null {
  try {
    const asn = asn1js.fromBER(content);
    if (asn.offset === -1) return null;
    const seq = asn.result as asn1js.Sequence;
    const oid = seq.valueBlock?.value?.[0];
    if (!(oid instanceof asn1js.ObjectIdentifier) || oid.valueBlock.toString() !== OID_SIGNED_DATA) return null;
    const explicit = seq.valueBlock.value[1] as asn1js.Constructed;
    const signedData = explicit.valueBlock.value[0] as asn1js.Sequence;
    const encap = signedData.valueBlock.value[2] as asn1js.Sequence;
    const econtentWrapper = encap.valueBlock.value[1] as asn1js.Constructed | undefined;
    if (!econtentWrapper) return { detached: true, eContent: null };
    const octets = econtentWrapper.valueBlock.value[0];
    if (!(octets instanceof asn1js.OctetString)) return { detached: false, eContent: null };
    // constructed (BER, indefinite) octet strings carry their bytes in pieces
    const bytes = octets.valueBlock.isConstructed
      ? Buffer.concat(octets.valueBlock.value.map((p) => Buffer.from((p as asn1js.OctetString).valueBlock.valueHexView)))
      : Buffer.from(octets.valueBlock.valueHexView);
    return { detached: false, eContent: bytes };
  } catch {
    return null;
  }
}

function detectCms(content: Buffer): DetectedFormat | null {
  const info = parseSignedDataInfo(content);
  if (!info) return null;
  if (info.eContent) {
    const inner = info.eContent.subarray(0, 4096).toString('utf8');
    if (inner.includes(ISDS_NS) && /dmReturnedMessage|MessageDownloadResponse|dmDelivery/.test(inner)) return formatInfo('zfo', { signature: 'cades', cmsContent: 'enveloped' });
  }
  return formatInfo('cms', { signature: 'cades', cmsContent: info.detached ? 'detached' : 'enveloped' });
}

/** UTF-8 (with or without BOM) text without binary control characters, else null. */
function decodeText(content: Buffer): string | null {
  const sample = content.subarray(0, 256 * 1024);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    // cut in the middle of a multi-byte sequence at the sample end is fine; anything else is not text
    if (sample.length === content.length) return null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - 4));
    } catch {
      return null;
    }
  }
  // eslint-disable-next-line no-control-regex -- binary control characters mark non-text
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) return null;
  return text.replace(/^\uFEFF/, '');
}

const EML_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'received', 'return-path', 'cc', 'content-type']);

function looksLikeEml(text: string): boolean {
  const end = text.search(/\r?\n\r?\n/);
  if (end <= 0) return false;
  const lines = text.slice(0, end).split(/\r?\n/);
  const names = new Set<string>();
  for (const line of lines) {
    if (/^[ \t]/.test(line)) continue; // folded header line
    const m = /^([!-9;-~]+):/.exec(line);
    if (!m) return false;
    names.add(m[1].toLowerCase());
  }
  const known = [...names].filter((n) => EML_HEADERS.has(n));
  return names.has('from') && known.length >= 3;
}

function detectText(text: string): DetectedFormat {
  const start = text.trimStart().slice(0, 2048);
  if (/^<!doctype\s+html/i.test(start) || /^(<!--[\s\S]*?-->\s*)?<html[\s>]/i.test(start)) return formatInfo('html');
  if (start.startsWith('<')) {
    if (/^<\?xml[^>]*\?>\s*(<!--[\s\S]*?-->\s*)*<(\w+:)?html[\s>]/i.test(start) && start.includes('http://www.w3.org/1999/xhtml')) return formatInfo('html');
    if (/^<(\?xml|[A-Za-z_])/.test(start)) {
      const signed = text.includes(XMLDSIG_NS) && /<(\w+:)?Signature[\s>]/.test(text);
      return formatInfo('xml', signed ? { signature: 'xades' } : {});
    }
  }
  if (looksLikeEml(text)) return formatInfo('eml');
  return formatInfo('txt');
}
