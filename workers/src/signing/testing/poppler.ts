// poppler-utils (Debian) as the independent reader of the PDFs the tests produce.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function withFile<T>(pdf: Buffer, fn: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-poppler-'));
  const file = path.join(dir, 'check.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `pdfsig` prints about the signatures of the PDF (its verdicts are in the text). */
export const pdfsig = (pdf: Buffer): string => withFile(pdf, (f) => spawnSync('pdfsig', [f], { encoding: 'utf8' }).stdout);

/** The text of the PDF as `pdftotext` extracts it. */
export const pdftotext = (pdf: Buffer): string => withFile(pdf, (f) => execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' }));
