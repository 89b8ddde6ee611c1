import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { buildSip } from './mets-builder';
import { sampleVolumeSipInput } from './sip.fixture';

const METS = 'http://www.loc.gov/METS/';
const NSESSS = 'http://www.mvcr.cz/nsesss/v4';
const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const children = (e: Element, name: string) => Array.from(e.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name);
const child = (e: Element, ...path: string[]) => path.reduce((at, name) => children(at, name)[0], e);

describe('SIP builder: a volume (díl) of a typed file', () => {
  it.each(['disposal', 'transfer'] as const)('describes the volume as nsesss:Dil in its part and typed file, valid against the schemas (%s)', async (kind) => {
    const sip = buildSip(sampleVolumeSipInput(kind));

    const result = await validateAgainstNsesss(sip.metsXml);
    expect(result.errors).toEqual([]);

    const doc = parse(sip.metsXml);
    const xmlData = doc.getElementsByTagNameNS(METS, 'dmdSec')[0].getElementsByTagNameNS(METS, 'xmlData')[0];
    const [dil] = children(xmlData, 'Dil');
    expect(dil).toBeDefined();
    expect(doc.getElementsByTagNameNS(NSESSS, 'Spis').length).toBe(0);
    // the volume: closure, retention with its years, its reference in the comment, its documents
    expect(child(dil, 'EvidencniUdaje', 'Popis', 'Komentar').textContent).toBe('Spisová značka dílu: STAV-2015-045/SP/1');
    expect(child(dil, 'EvidencniUdaje', 'Uzavreni', 'Datum').textContent).toBe('2015-04-01');
    expect(child(dil, 'EvidencniUdaje', 'Vyrazovani', 'DataceVyrazeni', 'RokSkartacniOperace').textContent).toBe('2026');
    expect(children(child(dil, 'Dokumenty'), 'Dokument')).toHaveLength(2);
    expect(child(dil, 'EvidencniUdaje', 'Trideni', 'PlneUrcenySpisovyZnak').textContent).toBe('3.3.SP');
    // its part, with its own retention, and the typed file above it, in the class meant for typed files
    const soucast = child(dil, 'EvidencniUdaje', 'Trideni', 'MaterskaEntita', 'Soucast');
    expect(child(soucast, 'EvidencniUdaje', 'Popis', 'Nazev').textContent).toBe('Stavební povolení');
    expect(child(soucast, 'EvidencniUdaje', 'Vyrazovani', 'SkartacniRezim', 'SkartacniZnak').textContent).toBe('A');
    const typovy = child(soucast, 'EvidencniUdaje', 'Trideni', 'MaterskaEntita', 'TypovySpis');
    expect(child(typovy, 'EvidencniUdaje', 'Popis', 'Nazev').textContent).toBe('Stavba: Bytový dům Sokolovská 45, Karlovy Vary');
    const vs = child(typovy, 'EvidencniUdaje', 'Trideni', 'MaterskaEntita', 'VecnaSkupina');
    expect(child(vs, 'EvidencniUdaje', 'UrcenoProTypoveSpisy').textContent).toBe('ano');
    // documents are classified under the part
    expect(doc.getElementsByTagNameNS(NSESSS, 'Dokument')[0].getElementsByTagNameNS(NSESSS, 'JednoduchySpisovyZnak')[0].textContent).toBe('SP');
  });

  it('maps the structure from the file plan through typed file, part and volume down to the components', () => {
    const sip = buildSip(sampleVolumeSipInput('transfer'));
    const doc = parse(sip.metsXml);
    const divs = Array.from(doc.getElementsByTagNameNS(METS, 'div'));
    expect(divs.map((d) => d.getAttribute('TYPE'))).toEqual([
      'spisový plán', 'věcná skupina', 'věcná skupina', 'typový spis', 'součást', 'díl', 'dokument', 'komponenta', 'komponenta', 'dokument', 'komponenta',
    ]);
    const ids = new Set(Array.from(doc.getElementsByTagName('*')).map((e) => e.getAttribute('ID')).filter(Boolean));
    for (const d of divs) {
      expect(ids.has(d.getAttribute('DMDID')!)).toBe(true);
      expect(ids.has(d.getAttribute('ADMID')!)).toBe(true);
    }
    // one transaction log per entity with its NSESSS object type
    const types = Array.from(doc.getElementsByTagNameNS('http://www.mvcr.cz/nsesss/2023/log', 'TypObjektuId')).map((e) => e.textContent);
    expect(types.slice(0, 6)).toEqual(['SpisovyPlan', 'VecnaSkupina', 'VecnaSkupina', 'TypovySpis', 'Soucast', 'Dil']);
    expect(doc.getElementsByTagNameNS(METS, 'file')).toHaveLength(3);
  });

  it('is rejected by the schema without the volume closure (the validation can fail)', async () => {
    const sip = buildSip(sampleVolumeSipInput('disposal'));
    const broken = sip.metsXml.replace(/<nsesss:Uzavreni>.*?<\/nsesss:Uzavreni>/s, '');
    expect(broken).not.toBe(sip.metsXml);
    expect((await validateAgainstNsesss(broken)).valid).toBe(false);
  });
});
