import type {
  SipCaseFile, SipComponent, SipDisposalDecision, SipDocument, SipExternalParty, SipFileClass, SipFilePlan, SipInput,
  SipInternalPerson, SipOrganisation, SipPart, SipRetention, SipTypedFile,
} from './sip.model';
import { pragueDay } from '../records.ports';
import { el, optional, type XmlElement } from './xml-writer';

/** XML IDs (xs:ID, NCName) of the entities; METS refers to them from structMap and fileSec. */
export const xmlId = {
  plan: (p: SipFilePlan) => `plan-${p.id}`,
  fileClass: (c: SipFileClass) => `vs-${c.id}`,
  file: (f: SipCaseFile) => `spis-${f.id}`,
  typedFile: (t: SipTypedFile) => `ts-${t.id}`,
  part: (p: SipPart) => `soucast-${p.id}`,
  volume: (f: SipCaseFile) => `dil-${f.id}`,
  document: (d: SipDocument) => `dok-${d.id}`,
  component: (c: SipComponent) => `komp-${c.id}`,
};

/** xs:dateTime without milliseconds, UTC. */
export function isoDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** tDatum: the calendar date in Prague (the office's time zone) as xs:date, with the exact moment in the `datum` attribute. */
export function datum(name: string, d: Date): XmlElement {
  return el(`nsesss:${name}`, { datum: isoDateTime(d) }, pragueDay(d));
}

/** tDatum for a date without a time of day. */
function plainDate(name: string, isoDate: string): XmlElement {
  return el(`nsesss:${name}`, isoDate.slice(0, 10));
}

export function identifikator(value: string, source: string, name = 'nsesss:Identifikator'): XmlElement {
  return el(name, { zdroj: source }, value.slice(0, 50));
}

export function internalSubject(p: SipInternalPerson, org: SipOrganisation, source: string): XmlElement {
  return el('nsesss:Subjekt',
    identifikator(org.identifier, 'IČO', 'nsesss:IdentifikatorOrganizace'),
    el('nsesss:NazevOrganizace', org.name),
    identifikator(p.username, source, 'nsesss:IdentifikatorFyzickeOsoby'),
    el('nsesss:NazevFyzickeOsoby', p.name),
    el('nsesss:OrganizacniUtvar', p.orgUnit.slice(0, 100)),
    el('nsesss:PracovniPozice', p.position.slice(0, 100)),
    el('nsesss:SidloOrganizace', org.address),
  );
}

function externalSubject(p: SipExternalParty, source: string): XmlElement {
  if (p.kind === 'organisation') {
    return el('nsesss:Subjekt',
      identifikator(p.identifier ?? '', 'IČO', 'nsesss:IdentifikatorOrganizace'),
      el('nsesss:NazevOrganizace', p.name),
      el('nsesss:SidloOrganizace', p.address),
      p.email ? el('nsesss:ElektronickyKontakt', p.email.slice(0, 100)) : null,
    );
  }
  return el('nsesss:Subjekt',
    p.identifier ? identifikator(p.identifier, source, 'nsesss:IdentifikatorFyzickeOsoby') : null,
    el('nsesss:NazevFyzickeOsoby', p.name),
    el('nsesss:PostovniAdresa', p.address),
    el('nsesss:ElektronickyKontakt', (p.email ?? '').slice(0, 100)),
  );
}

function organisationAsExternal(org: SipOrganisation): XmlElement {
  return el('nsesss:Subjekt',
    identifikator(org.identifier, 'IČO', 'nsesss:IdentifikatorOrganizace'),
    el('nsesss:NazevOrganizace', org.name),
    el('nsesss:SidloOrganizace', org.address),
  );
}

export function skartacniRezim(r: SipRetention, source: string): XmlElement {
  return el('nsesss:SkartacniRezim',
    identifikator(r.identifier, source),
    el('nsesss:Nazev', r.name),
    el('nsesss:Oduvodneni', r.reason),
    el('nsesss:SkartacniZnak', r.disposalCode),
    el('nsesss:SkartacniLhuta', String(r.years)),
    el('nsesss:SpousteciUdalost', r.triggerEvent),
  );
}

/** The codes an entity is classified under (a class's, or a part's for what a typed file holds). */
export type Classification = Pick<SipFileClass, 'simpleCode' | 'classCode'>;

export function trideni(cls: Classification, ...more: (XmlElement | null)[]): XmlElement {
  return el('nsesss:Trideni', el('nsesss:JednoduchySpisovyZnak', cls.simpleCode), el('nsesss:PlneUrcenySpisovyZnak', cls.classCode), ...more);
}

/** An element ID made unique for a copy of the class chain (the files in a volume each repeat it; xs:ID allows one of each). */
const scoped = (id: string, scope?: string) => (scope ? `${id}-${scope}` : id);

function spisovyPlan(plan: SipFilePlan, source: string, scope?: string): XmlElement {
  return el('nsesss:SpisovyPlan', { ID: scoped(xmlId.plan(plan), scope) },
    identifikator(plan.identifier, source),
    el('nsesss:Nazev', plan.title),
    el('nsesss:Manipulace', plainDate('DatumOtevreni', plan.validFrom), plan.validTo ? plainDate('DatumUzavreni', plan.validTo) : null),
    el('nsesss:Vydavatel', organisationAsExternal(plan.issuer)),
  );
}

/** The class and, nested inside it, every class above it up to the file plan. */
export function vecnaSkupina(path: SipFileClass[], index: number, plan: SipFilePlan, source: string, scope?: string): XmlElement {
  const cls = path[index];
  const parent = index === 0
    ? spisovyPlan(plan, source, scope)
    : el('nsesss:MaterskaEntita', vecnaSkupina(path, index - 1, plan, source, scope));
  return el('nsesss:VecnaSkupina', { ID: scoped(xmlId.fileClass(cls), scope) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(`${plan.identifier}:${cls.classCode}`, source)),
      el('nsesss:Popis', el('nsesss:Nazev', cls.title)),
      el('nsesss:Puvod', plainDate('DatumVytvoreni', cls.validFrom)),
      trideni(cls, parent),
      el('nsesss:Vyrazovani', cls.retention ? skartacniRezim(cls.retention, source) : null),
      el('nsesss:Manipulace',
        el('nsesss:AnalogovyDokument', 'ne'),
        plainDate('DatumOtevreni', cls.validFrom),
        cls.validTo ? plainDate('DatumUzavreni', cls.validTo) : null),
      cls.forTypedFiles ? el('nsesss:UrcenoProTypoveSpisy', 'ano') : null,
      cls.numberingMethod ? el('nsesss:ZpusobVedeni', cls.numberingMethod) : null,
    ),
  );
}

function komponenta(c: SipComponent, cls: Classification, source: string): XmlElement {
  return el('nsesss:Komponenta', { ID: xmlId.component(c), poradi: c.order, druh: c.kind.slice(0, 50), verze: c.version, forma_uchovani: c.preservationForm },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(c.id, source)),
      el('nsesss:Popis', el('nsesss:Nazev', c.fileName)),
      trideni(cls),
    ),
  );
}

export function dokument(d: SipDocument, input: SipInput, cls: Classification): XmlElement {
  const { identifierSource: source, organisation: org } = input;
  const puvod = d.origin.kind === 'received'
    ? el('nsesss:DorucenyDokument',
      datum('DatumDoruceni', d.origin.receivedAt),
      optional('nsesss:OdesilatelovoEvidencniCislo', d.origin.senderReference?.slice(0, 50)),
      el('nsesss:Odesilatel', externalSubject(d.origin.sender, source)))
    : el('nsesss:VlastniDokument',
      datum('DatumVytvoreni', d.origin.createdAt),
      el('nsesss:Autor', internalSubject(d.origin.author, org, source)));
  return el('nsesss:Dokument', { ID: xmlId.document(d) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(d.jid, source)),
      el('nsesss:Popis', el('nsesss:Nazev', d.subject)),
      el('nsesss:Evidence',
        optional('nsesss:EvidencniCislo', d.referenceNumber?.slice(0, 50)),
        optional('nsesss:PoradoveCislo', d.seq),
        el('nsesss:UrceneCasoveObdobi', el('nsesss:Rok', String(d.year))),
        el('nsesss:NazevEvidenceDokumentu', input.journalName)),
      el('nsesss:Puvod', puvod),
      trideni(cls),
      d.settlement
        ? el('nsesss:Vyrizeni',
          datum('Datum', d.settlement.at),
          optional('nsesss:Zpusob', d.settlement.method),
          optional('nsesss:Oduvodneni', d.settlement.note),
          el('nsesss:Zpracovatel', internalSubject(d.settlement.by, org, source)))
        : null,
      el('nsesss:Vyrazovani', skartacniRezim(d.retention, source)),
      el('nsesss:Manipulace', el('nsesss:AnalogovyDokument', d.analog ? 'ano' : 'ne')),
    ),
    d.components.length ? el('nsesss:Komponenty', ...d.components.map((c) => komponenta(c, cls, source))) : null,
  );
}

export function skartacniRizeni(decision: SipDisposalDecision, input: SipInput): XmlElement {
  return el('nsesss:SkartacniRizeni',
    datum('Datum', decision.decidedAt),
    el('nsesss:SkartacniOperace', 'trvalé uložení'),
    optional('nsesss:Oduvodneni', decision.reason),
    el('nsesss:Posuzovatel', internalSubject(decision.assessor, input.organisation, input.identifierSource)),
  );
}

/** The disposal of the package's file or volume: its retention, the years of its trigger and disposal, for a transfer the archive's decision. */
export function vyrazovani(input: SipInput, f: SipCaseFile = input.file): XmlElement {
  return el('nsesss:Vyrazovani',
    skartacniRezim(f.retention, input.identifierSource),
    el('nsesss:DataceVyrazeni',
      el('nsesss:RokSpousteciUdalosti', String(f.triggerYear)),
      el('nsesss:RokSkartacniOperace', String(f.disposalYear))),
    input.kind === 'transfer' && input.decision ? skartacniRizeni(input.decision, input) : null);
}

/** How a file or volume was kept: analog parts, opening and closure, where it is stored. */
export function manipulace(f: SipCaseFile): XmlElement {
  return el('nsesss:Manipulace',
    el('nsesss:AnalogovyDokument', f.documents.some((d) => d.analog) ? 'ano' : 'ne'),
    datum('DatumOtevreni', f.createdAt),
    datum('DatumUzavreni', f.closedAt),
    optional('nsesss:Umisteni', f.storageUnit));
}

/** `<nsesss:Spis>` (nsesss.xsd) for the file, its documents and, nested in its class, the file plan. */
export function buildSpis(input: SipInput): XmlElement {
  const f = input.file;
  const cls = f.classPath[f.classPath.length - 1];
  if (!cls) throw new RangeError(`file ${f.fileReference} has no class`);
  return spis(f, input, cls);
}

/**
 * A file (spis) with its documents, classified under `codes` (its class's, or for a file in a volume
 * its part's) and nested in its class chain; `scope` makes the chain's IDs unique when several files
 * of one package each repeat it (tTrideniSpisu requires it).
 */
export function spis(f: SipCaseFile, input: SipInput, codes: Classification, scope?: string): XmlElement {
  const source = input.identifierSource;
  return el('nsesss:Spis', { ID: xmlId.file(f) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(f.id, source)),
      el('nsesss:Popis', el('nsesss:Nazev', f.subject)),
      el('nsesss:Evidence',
        el('nsesss:EvidencniCislo', f.fileReference.slice(0, 50)),
        optional('nsesss:PoradoveCislo', f.seq),
        el('nsesss:UrceneCasoveObdobi', el('nsesss:Rok', String(f.year))),
        el('nsesss:NazevEvidenceDokumentu', input.journalName)),
      el('nsesss:Puvod', datum('DatumVytvoreni', f.createdAt)),
      trideni(codes, el('nsesss:MaterskaEntita', vecnaSkupina(f.classPath, f.classPath.length - 1, f.plan, source, scope))),
      el('nsesss:VyrizeniUzavreni',
        datum('Datum', f.closedAt),
        optional('nsesss:Zpusob', f.settlementMethod),
        el('nsesss:Zpracovatel', internalSubject(f.closedBy, input.organisation, source))),
      vyrazovani(input, f),
      manipulace(f),
    ),
    el('nsesss:Dokumenty', ...f.documents.map((d) => dokument(d, input, codes))),
  );
}
