import { DOMParser } from '@xmldom/xmldom';

/** The part of a DOM element this reader uses. */
interface XmlElement {
  localName: string | null;
  namespaceURI: string | null;
  textContent: string | null;
  nodeType: number;
  firstChild: XmlElement | null;
  nextSibling: XmlElement | null;
}
import { DISPOSAL_CODES, NUMBERING_METHOD_NSESSS, type DisposalCode, type FileClassRow, type FilePlanRow, type NumberingMethod } from '../records.model';
import { clip, el, elx } from '../xml/xml-writer';
import type { NewFileClass, NewFilePlan } from './file-plan.repository';

export const NSESSS_NS = 'http://www.mvcr.cz/nsesss/v4';

function retentionXml(c: FileClassRow, source: string): string {
  if (!c.disposal_code || c.retention_years === null) return '';
  return elx('SkartacniRezim', [
    el('Identifikator', clip(c.retention_id ?? `${c.disposal_code}/${c.retention_years}`, 50), { zdroj: source }),
    el('Nazev', `${c.disposal_code}/${c.retention_years}`),
    el('Oduvodneni', c.retention_reason ?? `Skartační režim věcné skupiny ${c.class_code}`),
    el('SkartacniZnak', c.disposal_code),
    el('SkartacniLhuta', c.retention_years),
    el('SpousteciUdalost', c.trigger_event ?? 'uzavření spisu'),
  ]);
}

function classXml(c: FileClassRow, children: Map<string | null, FileClassRow[]>, source: string): string {
  const evidence = elx('EvidencniUdaje', [
    elx('Identifikace', el('Identifikator', c.id, { zdroj: source })),
    elx('Popis', [el('Nazev', c.title), c.comment ? el('Komentar', c.comment) : '']),
    elx('Puvod', el('DatumVytvoreni', c.valid_from)),
    elx('Trideni', [el('JednoduchySpisovyZnak', clip(c.simple_code, 50)), el('PlneUrcenySpisovyZnak', clip(c.class_code, 255))]),
    elx('Vyrazovani', retentionXml(c, source)),
    elx('Manipulace', [el('DatumOtevreni', c.valid_from), c.valid_to ? el('DatumUzavreni', c.valid_to) : '']),
    el('UrcenoProTypoveSpisy', c.for_typed_files ? 'ano' : 'ne'),
    el('ZpusobVedeni', NUMBERING_METHOD_NSESSS[c.numbering_method]),
    el('TrvalySkartacniSouhlas', c.permanent_disposal_consent ? 'ano' : 'ne'),
  ]);
  const kids = (children.get(c.id) ?? []).map((k) => classXml(k, children, source));
  return elx('PlanVecnaSkupina', [evidence, ...kids], { ID: `vs-${c.id}` });
}

/** The file plan as `SpisovyPlan` (nsesss-plan.xsd). `source` names who issued the identifiers. */
export function filePlanToXml(plan: FilePlanRow, classes: readonly FileClassRow[], source: string): string {
  const children = new Map<string | null, FileClassRow[]>();
  for (const c of classes) {
    const list = children.get(c.parent_id) ?? [];
    list.push(c);
    children.set(c.parent_id, list);
  }
  const roots = children.get(null) ?? [];
  if (!roots.length) throw new RangeError('a file plan needs at least one class');
  const body = [
    el('Identifikator', clip(plan.identifier, 50), { zdroj: source }),
    el('Nazev', plan.title),
    plan.comment ? el('Komentar', plan.comment) : '',
    elx('Manipulace', [el('DatumOtevreni', plan.valid_from), plan.valid_to ? el('DatumUzavreni', plan.valid_to) : '']),
    elx('Vydavatel', elx('Subjekt', [
      el('IdentifikatorOrganizace', clip(plan.issuer_id || source, 50), { zdroj: 'IČO' }),
      el('NazevOrganizace', plan.issuer),
      el('SidloOrganizace', plan.issuer_seat || plan.issuer),
    ])),
    ...roots.map((c) => classXml(c, children, source)),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${elx('SpisovyPlan', body, { xmlns: NSESSS_NS, ID: `plan-${plan.id}` })}\n`;
}

export interface ParsedClass extends NewFileClass {
  children: ParsedClass[];
}

export interface ParsedFilePlan {
  plan: NewFilePlan;
  classes: ParsedClass[];
}

function childElements(parent: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (!name || n.localName === name)) out.push(n);
  }
  return out;
}
function child(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent ? childElements(parent, name)[0] : undefined;
}
function text(parent: XmlElement | undefined, ...path: string[]): string | null {
  let node = parent;
  for (const p of path) node = child(node, p);
  return node ? (node.textContent ?? '').trim() : null;
}

function parseClass(e: XmlElement, order: { n: number }): ParsedClass {
  const ev = child(e, 'EvidencniUdaje');
  const rezim = child(child(ev, 'Vyrazovani'), 'SkartacniRezim');
  const code = text(rezim, 'SkartacniZnak');
  const years = text(rezim, 'SkartacniLhuta');
  const method = text(ev, 'ZpusobVedeni');
  const classCode = text(ev, 'Trideni', 'PlneUrcenySpisovyZnak') ?? '';
  const validFrom = text(ev, 'Manipulace', 'DatumOtevreni') ?? text(ev, 'Puvod', 'DatumVytvoreni') ?? '';
  order.n += 1;
  return {
    simple_code: text(ev, 'Trideni', 'JednoduchySpisovyZnak') ?? '',
    class_code: classCode,
    title: text(ev, 'Popis', 'Nazev') ?? '',
    comment: text(ev, 'Popis', 'Komentar'),
    retention_id: text(rezim, 'Identifikator'),
    disposal_code: code && (DISPOSAL_CODES as readonly string[]).includes(code) ? (code as DisposalCode) : null,
    retention_years: years === null ? null : Number(years),
    trigger_event: text(rezim, 'SpousteciUdalost'),
    retention_reason: text(rezim, 'Oduvodneni'),
    numbering_method: (method === 'Priorace' ? 'priorace' : 'collection-sheet') as NumberingMethod,
    for_typed_files: text(ev, 'UrcenoProTypoveSpisy') === 'ano',
    permanent_disposal_consent: text(ev, 'TrvalySkartacniSouhlas') === 'ano',
    valid_from: validFrom.slice(0, 10),
    valid_to: text(ev, 'Manipulace', 'DatumUzavreni')?.slice(0, 10) ?? null,
    sort_order: order.n,
    children: childElements(e, 'PlanVecnaSkupina').map((k) => parseClass(k, order)),
  };
}

/** Reads a `SpisovyPlan` document that has already been validated against nsesss-plan.xsd. */
export function parseFilePlanXml(xml: string): ParsedFilePlan {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement as unknown as XmlElement | null;
  if (!root || root.localName !== 'SpisovyPlan' || root.namespaceURI !== NSESSS_NS) throw new RangeError('not an NSESSS file plan (SpisovyPlan)');
  const subject = child(child(root, 'Vydavatel'), 'Subjekt');
  const order = { n: 0 };
  return {
    plan: {
      identifier: text(root, 'Identifikator') ?? '',
      title: text(root, 'Nazev') ?? '',
      comment: text(root, 'Komentar'),
      valid_from: (text(root, 'Manipulace', 'DatumOtevreni') ?? '').slice(0, 10),
      valid_to: text(root, 'Manipulace', 'DatumUzavreni')?.slice(0, 10) ?? null,
      issuer: text(subject, 'NazevOrganizace') ?? text(subject, 'NazevFyzickeOsoby') ?? '',
      issuer_id: text(subject, 'IdentifikatorOrganizace') ?? '',
      issuer_seat: text(subject, 'SidloOrganizace') ?? text(subject, 'PostovniAdresa') ?? '',
    },
    classes: childElements(root, 'PlanVecnaSkupina').map((e) => parseClass(e, order)),
  };
}
