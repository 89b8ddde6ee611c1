import { PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { checkPdfA } from './pdfa-check';
import { parseLayout, renderPdf } from './pdf-renderer';

describe('checkPdfA', () => {
  it('passes what the renderer makes, with running marks on every page', async () => {
    const marks = { officeName: 'Úřad', headerLines: ['Č. j. X/1/2027', 'Sp. zn. S/1/2027'], identifier: 'MMKV-1', identifierLine: 'JID: MMKV-1', pageLabel: (p: number, n: number) => `${p}/${n}` };
    const pdf = await renderPdf(parseLayout('@title Rozhodnutí\n@t Žluťoučký kůň\n@page\n@t Druhá strana'), { title: 't', author: 'a', lang: 'cs' }, marks);
    expect(await checkPdfA(pdf)).toMatchObject({ ok: true, part: '2', conformance: 'B', problems: [] });
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2);
  });

  it('names every problem of a plain PDF with a standard font and JavaScript', async () => {
    // given a PDF without XMP and output intent, with a non-embedded font and an OpenAction script
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage().drawText('Hello', { font });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert(1)') })));
    const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));

    // when
    const check = await checkPdfA(pdf);

    // then
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/no XMP metadata/);
    expect(check.problems.join('\n')).toMatch(/no GTS_PDFA1 output intent/);
    expect(check.problems.join('\n')).toMatch(/font \/Helvetica is not embedded/);
    expect(check.problems.join('\n')).toMatch(/JavaScript action/);
  });
});
