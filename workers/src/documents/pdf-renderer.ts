import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

/**
 * A tiny layout language that handlebars templates of documents produce, one block per line:
 * `@title text` centred title, `@h text` heading, `@center text` centred line, `@r text`
 * right-aligned line, `@b text` bold line, `@t text` (or a bare line) text, `@small text`, `@gap`
 * vertical space, `@hr` horizontal rule, `@page` page break. Blank lines are ignored, so template
 * authors may format the template freely; user text goes through the `text` helper, which prefixes
 * every line with `@t` so it can never be read as a directive.
 */
export type TextKind = 'title' | 'h' | 'center' | 'r' | 'b' | 't' | 'small';
/**
 * `table`: rows of cells under column headings, the columns' widths in proportion to `width`; a row
 * that does not fit the page goes to the next one, which repeats the headings. Consecutive table
 * blocks with the same columns continue one table (so a long table can be produced in batches).
 */
export interface TableBlock {
  kind: 'table';
  columns: { title: string; width: number }[];
  rows: string[][];
}
export type Block = { kind: TextKind; text: string } | { kind: 'gap' | 'hr' | 'page' } | TableBlock;

const TEXT_KINDS = new Set<string>(['title', 'h', 'center', 'r', 'b', 't', 'small']);

export function parseLayout(source: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const m = /^\s*@(title|h|center|r|b|t|small|gap|hr|page)(?:\s(.*))?$/.exec(line);
    if (!m) {
      blocks.push({ kind: 't', text: line.trim() });
    } else if (TEXT_KINDS.has(m[1])) {
      blocks.push({ kind: m[1] as TextKind, text: m[2] ?? '' });
    } else {
      blocks.push({ kind: m[1] as 'gap' | 'hr' | 'page' });
    }
  }
  return blocks;
}

/** Handlebars helper: user-supplied multi-line text as `@t` lines, blank lines as paragraph gaps. */
export function textBlockHelper(value: unknown): string {
  return String(value ?? '')
    .split(/\r?\n/)
    .map((l) => (l.trim() === '' ? '@gap' : `@t ${l}`))
    .join('\n');
}

/**
 * What every page carries: the office, the reference number, the file reference and the
 * document's machine-readable identifier (JID, as text and as a QR code), plus "page n of m".
 */
export interface PageMarks {
  officeName: string;
  /** right-hand header lines, e.g. `Č. j.: MMKV/12/2026`, `Sp. zn.: S-MMKV/3/2026` */
  headerLines: string[];
  /** the identifier printed and encoded in the QR code, e.g. the JID */
  identifier: string;
  /** the text line under the QR code, e.g. `JID: MMKV-…` */
  identifierLine: string;
  /** `(page, pages) => "Strana 1 z 2"` */
  pageLabel: (page: number, pages: number) => string;
  /**
   * `(page) => "Strana 1"`: when given, the marks are drawn as each page begins, with this label
   * (no page count), so pdfkit writes every finished page out instead of keeping all of them to the
   * end — for documents of thousands of pages (a year's journal), whose memory would otherwise grow
   * with every page.
   */
  streamedPageLabel?: (page: number) => string;
}

const MARGIN = { top: 90, bottom: 95, left: 70, right: 70 };
const QR_SIZE = 48;

function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / (n + 2); // one-module quiet zone on each side
  doc.save().rect(x, y, size, size).fill('white');
  doc.fillColor('black');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + (c + 1) * cell, y + (r + 1) * cell, cell, cell);
    }
  }
  doc.fill('black').restore();
}

function drawMarks(doc: PDFKit.PDFDocument, marks: PageMarks, pageLabel: string): void {
  const left = MARGIN.left;
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0; // writing into the margin must not start a new page
  doc.font('bold').fontSize(9).fillColor('#222222').text(marks.officeName, left, 34, { width: width * 0.55, lineBreak: true, height: 24, ellipsis: true });
  doc.font('regular').fontSize(8);
  marks.headerLines.forEach((line, i) => doc.text(line, left + width * 0.55, 34 + i * 11, { width: width * 0.45, align: 'right', lineBreak: false }));
  const ruleY = 34 + Math.max(2, marks.headerLines.length) * 11 + 4;
  doc.moveTo(left, ruleY).lineTo(left + width, ruleY).lineWidth(0.4).strokeColor('#777777').stroke();

  const qrY = doc.page.height - 30 - QR_SIZE;
  doc.moveTo(left, qrY - 6).lineTo(left + width, qrY - 6).lineWidth(0.4).strokeColor('#777777').stroke();
  drawQr(doc, marks.identifier, left + width - QR_SIZE, qrY, QR_SIZE);
  doc.font('regular').fontSize(8).fillColor('#222222');
  doc.text(marks.identifierLine, left, qrY + 8, { width: width - QR_SIZE - 10, lineBreak: false });
  doc.text(pageLabel, left, qrY + 22, { width: width - QR_SIZE - 10, lineBreak: false });
  doc.fillColor('black').strokeColor('black');
  doc.page.margins.bottom = bottom;
}

const TABLE_FONT = 7;
const CELL_PAD = 2;

/** Draws a table block from the current position, page by page; headings on every page it touches. */
function drawTable(doc: PDFKit.PDFDocument, b: TableBlock, x: number, width: number, continued: boolean): void {
  const total = b.columns.reduce((sum, c) => sum + c.width, 0);
  const widths = b.columns.map((c) => (c.width / total) * width);
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const rowHeight = (cells: string[]) => Math.max(...cells.map((text, i) => doc.heightOfString(text || ' ', { width: widths[i] - 2 * CELL_PAD }))) + 2 * CELL_PAD;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(TABLE_FONT);
    const h = rowHeight(cells);
    const y = doc.y;
    let cx = x;
    cells.forEach((text, i) => {
      doc.text(text, cx + CELL_PAD, y + CELL_PAD, { width: widths[i] - 2 * CELL_PAD, lineBreak: true });
      cx += widths[i];
    });
    doc.moveTo(x, y + h).lineTo(x + width, y + h).lineWidth(bold ? 0.6 : 0.2).strokeColor('#777777').stroke().strokeColor('black');
    doc.x = x;
    doc.y = y + h;
  };
  const headings = b.columns.map((c) => c.title);
  const headingHeight = () => (doc.font('bold').fontSize(TABLE_FONT), rowHeight(headings));
  if (!continued) {
    if (doc.y + headingHeight() + 20 > bottom()) doc.addPage();
    drawRow(headings, true);
  }
  for (const row of b.rows) {
    doc.font('regular').fontSize(TABLE_FONT);
    if (doc.y + rowHeight(row) > bottom()) {
      doc.addPage();
      drawRow(headings, true);
    }
    drawRow(row, false);
  }
}

/**
 * Renders blocks to a PDF/A-2b (fonts embedded, XMP, output intent) A4 document; with marks on every
 * page. The blocks may come as an async iterable, so a long document (a year's journal) is produced
 * from rows read in batches rather than from all of them at once.
 */
export async function renderPdf(
  blocks: Iterable<Block> | AsyncIterable<Block>,
  meta: { title: string; author: string; lang: string; subject?: string; keywords?: string; landscape?: boolean },
  marks?: PageMarks,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: meta.landscape ? 'landscape' : 'portrait',
    margins: marks ? MARGIN : { top: 60, bottom: 60, left: 70, right: 70 },
    pdfVersion: '1.7',
    subset: 'PDF/A-2b',
    tagged: true,
    lang: meta.lang,
    displayTitle: true,
    bufferPages: !marks?.streamedPageLabel,
    font: REGULAR,
    info: { Title: meta.title, Author: meta.author, Creator: 'openspis', ...(meta.subject ? { Subject: meta.subject } : {}), ...(meta.keywords ? { Keywords: meta.keywords } : {}) },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  {
    doc.registerFont('regular', REGULAR);
    doc.registerFont('bold', BOLD);
    const streamed = marks?.streamedPageLabel;
    if (marks && streamed) {
      let page = 0;
      const markPage = () => {
        const { x: px, y: py } = doc;
        drawMarks(doc, marks, streamed(++page));
        doc.x = px;
        doc.y = py;
      };
      markPage();
      doc.on('pageAdded', markPage);
    }
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    const x = doc.page.margins.left;
    let previous: Block | undefined;
    for await (const b of blocks) {
      switch (b.kind) {
        case 'table': {
          const continued = previous?.kind === 'table' && JSON.stringify(previous.columns) === JSON.stringify(b.columns);
          drawTable(doc, b, x, width, continued);
          break;
        }
        case 'title':
          doc.font('bold').fontSize(16).text(b.text, x, undefined, { width, align: 'center' });
          doc.moveDown(0.4);
          break;
        case 'h':
          doc.font('bold').fontSize(13).text(b.text, x, undefined, { width });
          doc.moveDown(0.3);
          break;
        case 'center':
          doc.font('bold').fontSize(11).text(b.text, x, undefined, { width, align: 'center' });
          break;
        case 'r':
          doc.font('regular').fontSize(10).text(b.text, x, undefined, { width, align: 'right' });
          break;
        case 'b':
          doc.font('bold').fontSize(11).text(b.text, x, undefined, { width });
          break;
        case 't':
          doc.font('regular').fontSize(11).text(b.text, x, undefined, { width, align: 'left' });
          break;
        case 'small':
          doc.font('regular').fontSize(8).fillColor('#444444').text(b.text, x, undefined, { width }).fillColor('black');
          break;
        case 'gap':
          doc.moveDown(0.8);
          break;
        case 'page':
          doc.addPage();
          break;
        case 'hr': {
          const y = doc.y + 4;
          doc.moveTo(x, y).lineTo(x + width, y).lineWidth(0.5).stroke();
          doc.moveDown(0.8);
          break;
        }
      }
      previous = b;
    }
    if (marks && !streamed) {
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        drawMarks(doc, marks, marks.pageLabel(i - range.start + 1, range.count));
      }
    }
  }
  doc.end();
  return done;
}
