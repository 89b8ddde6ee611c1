import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DomainError } from '../shared/domain-error';
import type { FormatCode } from '../intake/format-detection';

/** What LibreOffice (writer + calc) turns into PDF/A here, and with which export filter. */
const WRITER = 'writer_pdf_Export';
const CALC = 'calc_pdf_Export';
export const CONVERTIBLE: Partial<Record<FormatCode, { filter: string; ext: string; infilter?: string }>> = {
  doc: { filter: WRITER, ext: 'doc' },
  docx: { filter: WRITER, ext: 'docx' },
  odt: { filter: WRITER, ext: 'odt' },
  rtf: { filter: WRITER, ext: 'rtf' },
  txt: { filter: WRITER, ext: 'txt', infilter: 'Text (encoded):UTF8,LF,Liberation Serif,cs-CZ' },
  // HTML and images go through Writer's HTML import so no browser or Draw is needed
  html: { filter: WRITER, ext: 'html', infilter: 'HTML (StarWriter)' },
  png: { filter: WRITER, ext: 'png' },
  jpeg: { filter: WRITER, ext: 'jpg' },
  gif: { filter: WRITER, ext: 'gif' },
  tiff: { filter: WRITER, ext: 'tif' },
  bmp: { filter: WRITER, ext: 'bmp' },
  xls: { filter: CALC, ext: 'xls' },
  xlsx: { filter: CALC, ext: 'xlsx' },
  ods: { filter: CALC, ext: 'ods' },
};
const IMAGES = new Set<FormatCode>(['png', 'jpeg', 'gif', 'tiff', 'bmp']);

/** PDF/A-2b, fonts embedded (the export filter embeds every font for PDF/A). */
export const PDFA_OPTIONS = '{"SelectPdfVersion":{"type":"long","value":"2"},"UseTaggedPDF":{"type":"boolean","value":"true"}}';

export interface ConverterOptions {
  sofficePath: string;
  timeoutMs: number;
  concurrency: number;
}

// A small semaphore: LibreOffice is heavy (a process of ~200 MB per conversion).
let running = 0;
const waiting: Array<() => void> = [];
async function withSlot<T>(limit: number, fn: () => Promise<T>): Promise<T> {
  if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

let versionCache: Promise<string> | null = null;
/** `LibreOffice 7.4.7.2 40(Build:2)` → recorded on every converted component. */
export function libreOfficeVersion(sofficePath: string): Promise<string> {
  versionCache ??= new Promise((resolve) => {
    execFile(sofficePath, ['--version'], { timeout: 30_000 }, (err, stdout) => resolve(err ? 'unknown' : stdout.trim()));
  });
  return versionCache;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // own process group, so a hung soffice.bin it started dies with it on timeout
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: cwd } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/**
 * Converts office documents, text, HTML and images to PDF/A-2b with LibreOffice headless. Each
 * call has its own temporary profile (`-env:UserInstallation`), so parallel calls and a crashed
 * profile never interfere; the number of calls at once is bounded; a call over the time limit is
 * killed with its process group.
 */
export async function convertToPdfA(content: Buffer, format: FormatCode, opts: ConverterOptions): Promise<{ pdf: Buffer; filter: string; toolVersion: string }> {
  const spec = CONVERTIBLE[format];
  if (!spec) throw new DomainError('CONVERSION_NOT_SUPPORTED', `format ${format} cannot be converted to PDF/A here`, 'business');
  const toolVersion = await libreOfficeVersion(opts.sofficePath);
  return withSlot(opts.concurrency, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openspis-convert-'));
    try {
      const outDir = path.join(dir, 'out');
      await fs.mkdir(outDir);
      let input = path.join(dir, `vstup.${spec.ext}`);
      await fs.writeFile(input, content);
      let infilter = spec.infilter;
      if (IMAGES.has(format)) {
        // a page with the image scaled to the text width
        const page = path.join(dir, 'obrazek.html');
        await fs.writeFile(page, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p><img src="${path.basename(input)}" style="max-width:100%" width="100%"></p></body></html>`);
        input = page;
        infilter = 'HTML (StarWriter)';
      }
      const args = [
        '--headless', '--norestore', '--nologo', '--nodefault', '--nolockcheck', '--nofirststartwizard',
        `-env:UserInstallation=${pathToFileURL(path.join(dir, 'profile')).href}`,
        ...(infilter ? [`--infilter=${infilter}`] : []),
        '--convert-to', `pdf:${spec.filter}:${PDFA_OPTIONS}`,
        '--outdir', outDir,
        input,
      ];
      let result;
      try {
        result = await run(opts.sofficePath, args, dir, opts.timeoutMs);
      } catch (err) {
        throw new DomainError('CONVERTER_UNAVAILABLE', `LibreOffice cannot be started (${opts.sofficePath})`, 'transient', { cause: err });
      }
      if (result.timedOut) throw new DomainError('CONVERSION_TIMEOUT', `LibreOffice did not finish within ${opts.timeoutMs} ms`, 'transient');
      const outFile = path.join(outDir, `${path.basename(input).replace(/\.[^.]+$/, '')}.pdf`);
      const pdf = await fs.readFile(outFile).catch(() => null);
      if (!pdf || pdf.length === 0) {
        throw new DomainError('CONVERSION_FAILED', `LibreOffice produced no PDF (exit ${result.code}): ${result.output.trim().slice(0, 300)}`, 'business');
      }
      return { pdf, filter: `${spec.filter}:${PDFA_OPTIONS}`, toolVersion };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
