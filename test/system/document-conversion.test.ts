// Acceptance 4 of issue 4: a DOCX and an ODT attachment converted to PDF/A with LibreOffice
// headless, checked with poppler (pdffonts: every font embedded) and the XMP PDF/A identification.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../../workers/src/index';
import { registerDocument } from '../../workers/src/registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../../workers/src/testing/fixtures';

const TEXT = 'Žádost o vydání rybářského lístku\nJana Nováková, Karlovy Vary\nPříliš žluťoučký kůň úpěl ďábelské ódy.\n';

/** An office document made the way people make them: LibreOffice saving a text as DOCX or ODT. */
function officeDocument(dir: string, target: 'docx' | 'odt'): Buffer {
  const src = path.join(dir, `zadost-${target}.txt`);
  fs.writeFileSync(src, TEXT);
  const filter = target === 'docx' ? 'docx:MS Word 2007 XML' : 'odt';
  execFileSync('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${dir}/profile-${target}`, '--infilter=Text (encoded):UTF8,LF,Liberation Serif,cs-CZ', '--convert-to', filter, '--outdir', dir, src], { stdio: 'ignore', timeout: 180_000 });
  return fs.readFileSync(path.join(dir, `zadost-${target}.${target}`));
}

function poppler(tool: 'pdffonts' | 'pdftotext', pdf: Buffer, dir: string): string {
  const file = path.join(dir, `out-${Date.now()}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync(tool, tool === 'pdftotext' ? ['-enc', 'UTF-8', file, '-'] : [file], { encoding: 'utf8' });
}

describe('documents.convert with LibreOffice', () => {
  let db: Db;
  let close: () => Promise<void>;
  let dir: string;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-conv-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await close();
  });

  const config = testConfig();
  const clock = () => new Date();
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'documents.convert')!;

  for (const kind of ['docx', 'odt'] as const) {
    it(`converts a ${kind.toUpperCase()} attachment to PDF/A-2 with every font embedded, recording the conversion`, async () => {
      // given
      const original = officeDocument(dir, kind);
      const submissionId = await insertSubmission(db, { attachment: { name: `zadost.${kind}`, type: 'application/octet-stream', content: original } });
      const { documentId } = await registerDocument({ db, clock, config }, { submissionId });
      const source = await db('components').where({ document_id: documentId, file_name: `zadost.${kind}` }).first();
      const job = makeJob('documents.convert', { componentId: source.id });

      // when
      const out = completed<{ convertedComponentId: string; converted: boolean }>(await handler().handle(job, jobCtx));

      // then
      expect(out.converted).toBe(true);
      const converted = await db('components').where({ id: out.convertedComponentId }).first();
      expect(converted).toMatchObject({ document_id: documentId, source_component_id: source.id, derivation: 'converted', media_type: 'application/pdf', format: 'pdf', file_name: 'zadost.pdf' });
      const details = typeof converted.derivation_details === 'string' ? JSON.parse(converted.derivation_details) : converted.derivation_details;
      expect(details).toMatchObject({ tool: 'LibreOffice', toolVersion: expect.stringMatching(/^LibreOffice \d+\.\d+/), sourceFormat: kind, sourceSha256: source.blob_sha256, output: 'PDF/A-2b' });
      expect((await db('components').where({ id: source.id }).first()).format).toBe(kind);
      const pdf = Buffer.from((await db('blobs').where({ sha256: converted.blob_sha256 }).first()).content);
      const raw = pdf.toString('latin1');
      expect(raw).toMatch(/pdfaid:part>2<|pdfaid:part="2"/);
      expect(raw).toMatch(/pdfaid:conformance>B<|pdfaid:conformance="B"/);
      expect(raw).toContain('/OutputIntents');
      expect(raw).not.toMatch(/\/Encrypt\b/);
      const fonts = poppler('pdffonts', pdf, dir).split('\n').slice(2).filter((l) => l.trim());
      expect(fonts.length).toBeGreaterThan(0);
      for (const line of fonts) expect(line.split(/\s+/).slice(-5, -4)[0], line).toBe('yes');
      expect(poppler('pdftotext', pdf, dir)).toContain('Příliš žluťoučký kůň úpěl ďábelské ódy.');

      const events = await db('audit_log').whereIn('object_id', [source.id, converted.id]).select('event_type', 'object_id');
      expect(events).toEqual(expect.arrayContaining([{ event_type: 'KonverzeFormatu', object_id: source.id }, { event_type: 'Zalozeni', object_id: converted.id }]));

      // re-delivery returns the same component and converts nothing again
      const rows = await countRows(db, ['components', 'blobs', 'audit_log']);
      expect(completed(await handler().handle(job, jobCtx))).toEqual(out);
      expect(await countRows(db, ['components', 'blobs', 'audit_log'])).toEqual(rows);
    });
  }

  it('converts an image and an HTML page (through Writer, no Draw or browser needed)', async () => {
    const { convertToPdfA } = await import('../../workers/src/conversion/libreoffice-converter');
    const { PNG } = await import('../../workers/src/intake/testing/sample-files');
    const opts = { sofficePath: 'soffice', timeoutMs: 180_000, concurrency: 1 };
    const image = await convertToPdfA(PNG, 'png', opts);
    expect(image.pdf.toString('latin1')).toMatch(/pdfaid:part>2</);
    const html = await convertToPdfA(Buffer.from('<!DOCTYPE html><html><body><h1>Oznámení</h1><p>Úřední deska č. 5</p></body></html>'), 'html', opts);
    expect(poppler('pdftotext', html.pdf, dir)).toContain('Úřední deska č. 5');
  });
});
