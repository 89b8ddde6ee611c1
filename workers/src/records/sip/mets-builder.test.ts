import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { buildSip } from './mets-builder';
import { sampleSipInput } from './sip.fixture';
import { SIP_LABELS } from './sip.model';

function parse(xml: string) {
  return new DOMParser().parseFromString(xml, 'text/xml');
}
const METS = 'http://www.loc.gov/METS/';
const NSESSS = 'http://www.mvcr.cz/nsesss/v4';

describe('SIP builder (NSESSS příloha 2)', () => {
  it('builds a disposal-proposal package of metadata only that validates against METS, nsesss.xsd and nsesss-TrP.xsd', async () => {
    // given a closed file with two documents and three components
    const sip = buildSip(sampleSipInput('disposal'));

    // then the XML validates against the official schemas
    const result = await validateAgainstNsesss(sip.metsXml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);

    // and it carries the disposal label, no components and no fileSec
    const doc = parse(sip.metsXml);
    expect(doc.documentElement.getAttribute('LABEL')).toBe(SIP_LABELS.disposal);
    expect(sip.files).toEqual([]);
    expect(doc.getElementsByTagNameNS(METS, 'fileSec').length).toBe(0);
    expect(doc.getElementsByTagNameNS(METS, 'fptr').length).toBe(0);
    // component metadata is still described so the assessor sees what the documents consist of
    expect(doc.getElementsByTagNameNS(NSESSS, 'Komponenta').length).toBe(3);
  });

  it('builds a transfer package with the components, checksums and file pointers that validates', async () => {
    const input = sampleSipInput('transfer');
    const sip = buildSip(input);

    const result = await validateAgainstNsesss(sip.metsXml);
    expect(result.errors).toEqual([]);

    const doc = parse(sip.metsXml);
    expect(doc.documentElement.getAttribute('LABEL')).toBe(SIP_LABELS.transfer);
    const files = Array.from(doc.getElementsByTagNameNS(METS, 'file'));
    expect(files).toHaveLength(3);
    const components = input.file.documents.flatMap((d) => d.components);
    for (const f of files) {
      const c = components.find((x) => `komp-${x.id}` === f.getAttribute('DMDID'));
      expect(c).toBeDefined();
      expect(f.getAttribute('CHECKSUMTYPE')).toBe('SHA-256');
      expect(f.getAttribute('CHECKSUM')).toBe(c!.sha256);
      expect(f.getAttribute('SIZE')).toBe(String(c!.size));
      const href = f.getElementsByTagNameNS(METS, 'FLocat')[0].getAttributeNS('http://www.w3.org/1999/xlink', 'href');
      expect(href).toMatch(/^komponenty\//);
      const payload = sip.files.find((p) => p.path === href);
      expect(Buffer.from(payload!.content).equals(Buffer.from(c!.content!))).toBe(true);
    }
    // the decision of the disposal procedure is recorded on the file
    expect(doc.getElementsByTagNameNS(NSESSS, 'SkartacniOperace')[0].textContent).toBe('trvalé uložení');
  });

  it('links every structural division, file and log to an entity present in the package', () => {
    const sip = buildSip(sampleSipInput('transfer'));
    const doc = parse(sip.metsXml);
    const ids = new Set<string>();
    const all = doc.getElementsByTagName('*');
    for (let i = 0; i < all.length; i++) {
      const id = all[i].getAttribute('ID');
      if (id) {
        expect(ids.has(id)).toBe(false);
        ids.add(id);
      }
    }
    const divs = Array.from(doc.getElementsByTagNameNS(METS, 'div'));
    expect(divs.map((d) => d.getAttribute('TYPE'))).toEqual([
      'spisový plán', 'věcná skupina', 'věcná skupina', 'spis', 'dokument', 'komponenta', 'komponenta', 'dokument', 'komponenta',
    ]);
    for (const d of divs) {
      expect(ids.has(d.getAttribute('DMDID')!)).toBe(true);
      expect(ids.has(d.getAttribute('ADMID')!)).toBe(true);
    }
    for (const p of Array.from(doc.getElementsByTagNameNS(METS, 'fptr'))) expect(ids.has(p.getAttribute('FILEID')!)).toBe(true);
    // one transaction log per entity, each numbered from 1
    expect(doc.getElementsByTagNameNS(METS, 'amdSec').length).toBe(divs.length);
  });

  it('writes the file transaction log in order with the NSESSS event types', () => {
    const sip = buildSip(sampleSipInput('disposal'));
    const doc = parse(sip.metsXml);
    const fileLog = Array.from(doc.getElementsByTagNameNS('http://www.mvcr.cz/nsesss/2023/log', 'TransakcniLogObjektu'))
      .find((l) => l.getElementsByTagNameNS('http://www.mvcr.cz/nsesss/2023/log', 'TypObjektuId')[0].textContent === 'Spis')!;
    const types = Array.from(fileLog.getElementsByTagNameNS('http://www.mvcr.cz/nsesss/2023/log', 'TypUdalostiId')).map((e) => e.textContent);
    expect(types).toEqual(['Zalozeni', 'Uzavreni', 'PrevzetiNaSpisovnu']);
  });

  it('escapes markup in subjects and still validates', async () => {
    const sip = buildSip(sampleSipInput('disposal'));
    expect(sip.metsXml).toContain('Příčná &lt;ul.&gt; &amp; okolí');
    const doc = parse(sip.metsXml);
    expect(doc.getElementsByTagNameNS(NSESSS, 'Nazev')[0].textContent).toBe('Žádost o zvláštní užívání komunikace – Příčná <ul.> & okolí');
  });

  it('is rejected by the schema when a required element is missing (the validation can fail)', async () => {
    const sip = buildSip(sampleSipInput('disposal'));
    const broken = sip.metsXml.replace(/<nsesss:SpousteciUdalost>[^<]*<\/nsesss:SpousteciUdalost>/, '');
    const result = await validateAgainstNsesss(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/SpousteciUdalost|KontrolaLhuta|Expected/);
  });

  it('refuses a transfer package whose component content is missing', () => {
    const input = sampleSipInput('transfer');
    input.file.documents[0].components[0].content = null;
    expect(() => buildSip(input)).toThrow(/no content/);
  });
});
