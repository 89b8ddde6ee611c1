import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat } from './format-detection';
import { PNG, emlWithAttachments, isdsMessageXml, minimalDocx, minimalOdt, minimalPdf, pdfaXmp, zip } from './testing/sample-files';
import { cmsSign, createTestPki, type TestPki } from '../verification/testing/openssl-pki';

describe('detectFormat (by content, never by name)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.cleanup());

  it('recognises a PDF and the PDF/A identification it claims', () => {
    expect(detectFormat(minimalPdf())).toMatchObject({ format: 'pdf', mediaType: 'application/pdf' });
    expect(detectFormat(minimalPdf()).pdfa).toBeUndefined();
    expect(detectFormat(minimalPdf(pdfaXmp(2, 'b'))).pdfa).toEqual({ part: 2, conformance: 'B' });
    expect(detectFormat(minimalPdf('4 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] >>\nendobj\n')).signature).toBe('pades');
  });

  it('tells ZIP, OOXML, ODF and ASiC apart by their entries', () => {
    expect(detectFormat(zip({ 'a.txt': 'x' })).format).toBe('zip');
    expect(detectFormat(minimalDocx())).toMatchObject({ format: 'docx', extension: 'docx' });
    expect(detectFormat(minimalOdt())).toMatchObject({ format: 'odt', mediaType: 'application/vnd.oasis.opendocument.text' });
    expect(detectFormat(zip({ mimetype: 'application/vnd.etsi.asic-e+zip', 'a.pdf': 'x', 'META-INF/ASiCManifest.xml': '<x/>' }, { storedFirst: 'mimetype' }))).toMatchObject({ format: 'asic-e', signature: 'asic' });
    expect(detectFormat(zip({ mimetype: 'application/vnd.etsi.asic-s+zip', 'a.pdf': 'x', 'META-INF/signature.p7s': 'x' }, { storedFirst: 'mimetype' })).format).toBe('asic-s');
    expect(detectFormat(zip({ 'a.pdf': 'x', 'META-INF/signature.p7s': 'x' })).format).toBe('asic-s');
  });

  it('recognises images, RTF, HTML, XML with an XML signature and plain text', () => {
    expect(detectFormat(PNG).format).toBe('png');
    expect(detectFormat(Buffer.from('ffd8ffe000104a464946', 'hex')).format).toBe('jpeg');
    expect(detectFormat(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')).format).toBe('gif');
    expect(detectFormat(Buffer.from('{\\rtf1\\ansi Ahoj}')).format).toBe('rtf');
    expect(detectFormat(Buffer.from('<!DOCTYPE html><html><body>Ahoj</body></html>')).format).toBe('html');
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><a/>'))).toMatchObject({ format: 'xml' });
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><a><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></a>')).signature).toBe('xades');
    expect(detectFormat(Buffer.from('Žluťoučký kůň úpěl ďábelské ódy.\n'))).toMatchObject({ format: 'txt', mediaType: 'text/plain' });
    expect(detectFormat(Buffer.from([0, 1, 2, 3, 0xff, 0xfe])).format).toBe('unknown');
    expect(detectFormat(Buffer.alloc(0)).format).toBe('unknown');
  });

  it('recognises an e-mail message but not text that merely has a colon', async () => {
    expect(detectFormat(await emlWithAttachments([])).format).toBe('eml');
    expect(detectFormat(Buffer.from('Poznámka: zavolat zítra\n\nděkuji')).format).toBe('txt');
  });

  it('recognises CMS signatures (enveloping and detached) and an ISDS data message (ZFO)', () => {
    const data = Buffer.from('podepsaný obsah');
    expect(detectFormat(cmsSign(data, pki.signer, { detached: false }))).toMatchObject({ format: 'cms', cmsContent: 'enveloped', signature: 'cades' });
    expect(detectFormat(cmsSign(data, pki.signer, { detached: true }))).toMatchObject({ format: 'cms', cmsContent: 'detached' });
    const zfo = cmsSign(Buffer.from(isdsMessageXml([{ name: 'a.pdf', mimeType: 'application/pdf', content: minimalPdf() }])), pki.signer, { detached: false });
    expect(detectFormat(zfo)).toMatchObject({ format: 'zfo', extension: 'zfo' });
  });

  it('does not trust a misleading start: a ZIP header with garbage is unknown', () => {
    expect(detectFormat(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40, 7)])).format).toBe('unknown');
  });
});
