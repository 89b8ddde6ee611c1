import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import type { ValidationData } from './revocation';

const require = createRequire(import.meta.url);
// the same reader @signpdf uses for its own incremental update (classic xref tables, /Prev chain)
const readPdf = (require('@signpdf/placeholder-plain/dist/readPdf') as { default: (pdf: Buffer) => PdfInfo }).default;

interface PdfInfo {
  xref: { maxIndex: number; offsets: Map<number, number> };
  rootRef: string;
  /** the catalog dictionary's entries, without the enclosing << >> */
  root: string;
  infoRef?: string;
  xRefPosition: number;
}

/**
 * Adds a Document Security Store (ETSI EN 319 142-1, 5.4: `/DSS` in the catalog with `/Certs`,
 * `/CRLs` and `/OCSPs` arrays of streams) in an incremental update after the signature, which is
 * what turns a PAdES B-T signature into B-LT. The signed revision stays byte-for-byte as it was.
 */
export function addDss(pdf: Buffer, data: ValidationData): Buffer {
  const info = readPdf(pdf);
  const rootIndex = Number(info.rootRef.split(' ')[0]);
  let next = info.xref.maxIndex + 1;
  const parts: Buffer[] = [Buffer.from('\n')];
  let offset = pdf.length + 1;
  const offsets = new Map<number, number>();
  const write = (index: number, body: Buffer) => {
    offsets.set(index, offset);
    parts.push(body);
    offset += body.length;
  };
  const streams = (items: Buffer[]) =>
    items.map((bytes) => {
      const index = next++;
      write(index, Buffer.concat([Buffer.from(`${index} 0 obj\n<< /Length ${bytes.length} >>\nstream\n`, 'latin1'), bytes, Buffer.from('\nendstream\nendobj\n', 'latin1')]));
      return `${index} 0 R`;
    });
  const certs = streams(data.certs);
  const crls = streams(data.crls);
  const ocsps = streams(data.ocsps);
  const dssIndex = next++;
  const arrays = [['Certs', certs], ['CRLs', crls], ['OCSPs', ocsps]].filter(([, refs]) => refs.length).map(([key, refs]) => `/${key as string} [${(refs as string[]).join(' ')}]`);
  write(dssIndex, Buffer.from(`${dssIndex} 0 obj\n<< /Type /DSS ${arrays.join(' ')} >>\nendobj\n`, 'latin1'));
  const catalog = info.root.replace(/\/DSS\s+\d+\s+\d+\s+R/g, '').trim();
  write(rootIndex, Buffer.from(`${rootIndex} 0 obj\n<<\n${catalog}\n/DSS ${dssIndex} 0 R\n>>\nendobj\n`, 'latin1'));

  const xrefOffset = offset;
  const rows = ['xref', '0 1', '0000000000 65535 f '];
  for (const index of [...offsets.keys()].sort((a, b) => a - b)) rows.push(`${index} 1`, `${String(offsets.get(index)).padStart(10, '0')} 00000 n `);
  const id = [...pdf.toString('latin1').matchAll(/\/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]/g)].at(-1)?.[0];
  const trailer = ['trailer', '<<', `/Size ${next}`, `/Root ${info.rootRef}`, ...(info.infoRef ? [`/Info ${info.infoRef}`] : []), `/Prev ${info.xRefPosition}`, ...(id ? [id] : []), '>>', 'startxref', String(xrefOffset), '%%EOF'];
  parts.push(Buffer.from(`${rows.join('\n')}\n${trailer.join('\n')}\n`, 'latin1'));
  return Buffer.concat([pdf, ...parts]);
}

/** The newest definition of object `index` (incremental updates append newer ones), as text up to `endobj`, with its offset. */
function objectAt(pdf: Buffer, text: string, index: number): { start: number; body: string } | null {
  const re = new RegExp(`(^|[\\r\\n\\s])${index}\\s+0\\s+obj\\b`, 'g');
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  if (!last) return null;
  const start = last.index + last[1].length;
  const end = text.indexOf('endobj', start);
  return { start, body: text.slice(start, end === -1 ? undefined : end) };
}

function streamBytes(pdf: Buffer, text: string, index: number): Buffer | null {
  const obj = objectAt(pdf, text, index);
  if (!obj) return null;
  const streamAt = obj.body.indexOf('stream');
  if (streamAt === -1) return null;
  const dict = obj.body.slice(0, streamAt);
  let dataStart = obj.start + streamAt + 'stream'.length;
  if (text[dataStart] === '\r') dataStart += 1;
  if (text[dataStart] === '\n') dataStart += 1;
  let length = Number(/\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)?.[1] ?? NaN);
  const indirect = /\/Length\s+(\d+)\s+0\s+R/.exec(dict);
  if (indirect) length = Number(/obj\s*(\d+)/.exec(objectAt(pdf, text, Number(indirect[1]))?.body ?? '')?.[1] ?? NaN);
  if (!Number.isFinite(length)) length = text.indexOf('endstream', dataStart) - dataStart;
  let bytes = pdf.subarray(dataStart, dataStart + length);
  if (/\/Filter\s*(\[\s*)?\/FlateDecode/.test(dict)) bytes = zlib.inflateSync(bytes);
  return Buffer.from(bytes);
}

function refsIn(dict: string, key: string): number[] {
  const arr = new RegExp(`/${key}\\s*\\[([^\\]]*)\\]`).exec(dict)?.[1] ?? '';
  return [...arr.matchAll(/(\d+)\s+0\s+R/g)].map((m) => Number(m[1]));
}

export interface DssContent extends ValidationData {
  /** object numbers of the DSS, its streams and VRI dictionaries (what a validation-data update may add) */
  objects: number[];
}

/** The Document Security Store of a PDF (empty lists when there is none). */
export function readDss(pdf: Buffer): DssContent {
  const text = pdf.toString('latin1');
  const empty: DssContent = { certs: [], crls: [], ocsps: [], objects: [] };
  const rootRef = [...text.matchAll(/\/Root\s+(\d+)\s+0\s+R/g)].at(-1)?.[1];
  if (!rootRef) return empty;
  const catalog = objectAt(pdf, text, Number(rootRef));
  const dssRef = catalog && /\/DSS\s+(\d+)\s+0\s+R/.exec(catalog.body)?.[1];
  if (!dssRef) return empty;
  const dss = objectAt(pdf, text, Number(dssRef));
  if (!dss) return empty;
  const read = (key: string) => refsIn(dss.body, key).map((n) => streamBytes(pdf, text, n)).filter((b): b is Buffer => !!b);
  const vri = [...dss.body.matchAll(/\/VRI\s+(\d+)\s+0\s+R/g)].map((m) => Number(m[1]));
  return { certs: read('Certs'), crls: read('CRLs'), ocsps: read('OCSPs'), objects: [Number(dssRef), ...refsIn(dss.body, 'Certs'), ...refsIn(dss.body, 'CRLs'), ...refsIn(dss.body, 'OCSPs'), ...vri] };
}

/**
 * Whether everything appended after `signedEnd` (the end of a signature's byte range) only adds
 * validation data: the catalog again with nothing changed but `/DSS`, the DSS and its streams,
 * or further signatures / document time stamps (checked as signatures of their own). Anything
 * else — a page, a form value, an annotation — is a change after signing.
 */
export function onlyValidationDataAfter(pdf: Buffer, signedEnd: number): boolean {
  const text = pdf.toString('latin1');
  const tail = text.slice(signedEnd);
  const defined = [...tail.matchAll(/(?:^|[\r\n\s])(\d+)\s+0\s+obj\b/g)].map((m) => Number(m[1]));
  if (!defined.length) return true;
  const dss = readDss(pdf);
  const rootRef = Number([...text.matchAll(/\/Root\s+(\d+)\s+0\s+R/g)].at(-1)?.[1] ?? NaN);
  const allowed = new Set(dss.objects);
  for (const n of defined) {
    if (allowed.has(n)) continue;
    if (n === rootRef) {
      const before = objectAt(pdf, text.slice(0, signedEnd), n);
      const after = objectAt(pdf, text, n);
      const norm = (s: string | undefined) => (s ?? '').replace(/\/DSS\s+\d+\s+0\s+R/g, '').replace(/\s+/g, '');
      if (before && after && norm(before.body) === norm(after.body)) continue;
      return false;
    }
    return false;
  }
  return true;
}
