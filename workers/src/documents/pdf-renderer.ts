import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

/**
 * A tiny layout language that handlebars templates of letters produce, one block per line:
 * `@h text` heading, `@r text` right-aligned line, `@b text` bold line, `@t text` (or a bare line)
 * text, `@small text`, `@gap` vertical space, `@hr` horizontal rule. Blank lines are ignored, so
 * template authors may format the template freely; user text goes through the `text` helper,
 * which prefixes every line with `@t` so it can never be read as a directive.
 */
export type Block = { kind: 'h' | 'r' | 'b' | 't' | 'small'; text: string } | { kind: 'gap' | 'hr' };

export function parseLayout(source: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const m = /^\s*@(h|r|b|t|small|gap|hr)(?:\s(.*))?$/.exec(line);
    if (!m) {
      blocks.push({ kind: 't', text: line.trim() });
    } else if (m[1] === 'gap' || m[1] === 'hr') {
      blocks.push({ kind: m[1] });
    } else {
      blocks.push({ kind: m[1] as 'h' | 'r' | 'b' | 't' | 'small', text: m[2] ?? '' });
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

/** Renders blocks to a PDF/A-2b (tagged, fonts embedded) A4 document. */
export function renderPdf(blocks: Block[], meta: { title: string; author: string; lang: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 60, bottom: 60, left: 70, right: 70 },
      pdfVersion: '1.7',
      subset: 'PDF/A-2b',
      tagged: true,
      lang: meta.lang,
      displayTitle: true,
      font: REGULAR,
      info: { Title: meta.title, Author: meta.author, Creator: 'openspis' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('regular', REGULAR);
    doc.registerFont('bold', BOLD);
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    for (const b of blocks) {
      switch (b.kind) {
        case 'h':
          doc.font('bold').fontSize(15).text(b.text, { width });
          doc.moveDown(0.3);
          break;
        case 'r':
          doc.font('regular').fontSize(10).text(b.text, { width, align: 'right' });
          break;
        case 'b':
          doc.font('bold').fontSize(11).text(b.text, { width });
          break;
        case 't':
          doc.font('regular').fontSize(11).text(b.text, { width, align: 'left' });
          break;
        case 'small':
          doc.font('regular').fontSize(8).fillColor('#444444').text(b.text, { width }).fillColor('black');
          break;
        case 'gap':
          doc.moveDown(0.8);
          break;
        case 'hr': {
          const y = doc.y + 4;
          doc.moveTo(doc.page.margins.left, y).lineTo(doc.page.margins.left + width, y).lineWidth(0.5).stroke();
          doc.moveDown(0.8);
          break;
        }
      }
    }
    doc.end();
  });
}
