import { buildSpis, isoDateTime, xmlId } from './nsesss-metadata';
import { buildDil } from './nsesss-volume-metadata';
import { SIP_LABELS, type SipComponent, type SipDocument, type SipInput, type SipLogEvent } from './sip.model';
import { buildObjectLog, type LogObject } from './transaction-log-xml';
import { el, serializeXml, type XmlElement } from './xml-writer';

const NS = {
  mets: 'http://www.loc.gov/METS/',
  nsesss: 'http://www.mvcr.cz/nsesss/v4',
  tp: 'http://www.mvcr.cz/nsesss/2023/log',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
// příloha 2, 1.1: the schema locations as the standard writes them
const SCHEMA_LOCATION = 'http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/mets.xsd '
  + 'http://www.mvcr.cz/nsesss/v4 https://www.mvcr.cz/nsesss/v4/nsesss.xsd '
  + 'http://www.mvcr.cz/nsesss/2023/log https://www.mvcr.cz/nsesss/v4/nsesss-TrP.xsd';

/** A file of the package besides mets.xml, relative to the package folder. */
export interface SipPayloadFile {
  path: string;
  content: Uint8Array;
}

export interface BuiltSip {
  /** package (folder and zip) name */
  name: string;
  metsXml: string;
  files: SipPayloadFile[];
}

/** A package name that is safe as a folder and zip name on every system. */
export function packageName(packageId: string): string {
  return packageId.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'sip';
}

function componentPath(c: SipComponent): string {
  const safe = c.fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
  return `komponenty/${c.id}_${safe || 'soubor'}`;
}

interface Entity {
  divType: string;
  dmdId: string;
  log: LogObject;
  events: readonly SipLogEvent[];
  children: Entity[];
  component?: SipComponent;
}

const amdId = (e: Entity) => `amd-${e.dmdId}`;
const fileId = (c: SipComponent) => `file-${c.id}`;

/**
 * Builds the SIP of one file as NSESSS příloha 2 prescribes: METS with the NSESSS description in one
 * dmdSec, one amdSec with the transaction log per entity (plan, classes, file, documents,
 * components), the structural map from the file plan down to the components and — in a transfer
 * package — the fileSec pointing at `komponenty/`. A volume of a typed file is described as a díl
 * (`nsesss:Dil`) with its part and typed file between it and its class.
 */
export function buildSip(input: SipInput): BuiltSip {
  const f = input.file;
  const inner = f.files ?? [];
  if (f.documents.length === 0 && !inner.some((x) => x.documents.length)) throw new RangeError(`file ${f.fileReference} has no documents`);
  if (f.classPath.length === 0) throw new RangeError(`file ${f.fileReference} has no class`);
  const transfer = input.kind === 'transfer';
  const source = input.identifierSource;

  const components = [...f.documents, ...inner.flatMap((x) => x.documents)].flatMap((d) => d.components);
  if (transfer) {
    const missing = components.find((c) => !c.content);
    if (missing) throw new RangeError(`component ${missing.id} of file ${f.fileReference} has no content to transfer`);
  }

  const documentEntity = (d: SipDocument): Entity => ({
    divType: 'dokument',
    dmdId: xmlId.document(d),
    log: { type: 'Dokument', id: d.jid, source },
    events: d.log,
    children: d.components.map((c) => ({
      divType: 'komponenta', dmdId: xmlId.component(c), log: { type: 'Komponenta', id: c.id, source }, events: c.log, children: [], component: c,
    })),
  });
  // the structure, top down; the class chain nests each class in its parent; a volume (díl) sits
  // in its part (součást) in its typed file (typový spis) in the class
  const fileEntity: Entity = {
    divType: f.typed ? 'díl' : 'spis',
    dmdId: f.typed ? xmlId.volume(f) : xmlId.file(f),
    log: { type: f.typed ? 'Dil' : 'Spis', id: f.id, source },
    events: f.log,
    // a volume of the 2023 decree: its files, each with its documents
    children: inner.length
      ? inner.map((x) => ({ divType: 'spis', dmdId: xmlId.file(x), log: { type: 'Spis', id: x.id, source }, events: x.log, children: x.documents.map(documentEntity) }))
      : f.documents.map(documentEntity),
  };
  let top: Entity = fileEntity;
  if (f.typed) {
    const { typedFile, part } = f.typed;
    const partEntity: Entity = { divType: 'součást', dmdId: xmlId.part(part), log: { type: 'Soucast', id: part.id, source }, events: part.log, children: [fileEntity] };
    top = { divType: 'typový spis', dmdId: xmlId.typedFile(typedFile), log: { type: 'TypovySpis', id: typedFile.id, source }, events: typedFile.log, children: [partEntity] };
  }
  for (const cls of [...f.classPath].reverse()) {
    top = { divType: 'věcná skupina', dmdId: xmlId.fileClass(cls), log: { type: 'VecnaSkupina', id: `${f.plan.identifier}:${cls.classCode}`, source }, events: [], children: [top] };
  }
  const root: Entity = { divType: 'spisový plán', dmdId: xmlId.plan(f.plan), log: { type: 'SpisovyPlan', id: f.plan.identifier, source }, events: [], children: [top] };

  const all: Entity[] = [];
  const walk = (e: Entity) => { all.push(e); e.children.forEach(walk); };
  walk(root);

  const logOpts = { createdAt: input.createdAt, software: input.software };
  const amdSecs = all.map((e) => el('mets:amdSec', { ID: amdId(e) },
    el('mets:digiprovMD', { ID: `dp-${e.dmdId}` },
      el('mets:mdWrap', { MDTYPE: 'OTHER', OTHERMDTYPE: 'TP', MDTYPEVERSION: '4.0', MIMETYPE: 'text/xml' },
        el('mets:xmlData', buildObjectLog(e.log, e.events, logOpts))))));

  const div = (e: Entity): XmlElement => el('mets:div', { TYPE: e.divType, DMDID: e.dmdId, ADMID: amdId(e) },
    ...(e.component && transfer ? [el('mets:fptr', { FILEID: fileId(e.component) })] : []),
    ...e.children.map(div));

  const files: SipPayloadFile[] = transfer ? components.map((c) => ({ path: componentPath(c), content: c.content as Uint8Array })) : [];
  const fileSec = transfer && components.length
    ? el('mets:fileSec', el('mets:fileGrp', { ID: 'fg-komponenty' }, ...components.map((c) => el('mets:file', {
      ID: fileId(c), DMDID: xmlId.component(c), MIMETYPE: c.mediaType, SIZE: c.size, CREATED: isoDateTime(c.createdAt), CHECKSUM: c.sha256, CHECKSUMTYPE: 'SHA-256',
    }, el('mets:FLocat', { LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': componentPath(c) })))))
    : null;

  const mets = el('mets:mets', {
    'xmlns:mets': NS.mets, 'xmlns:nsesss': NS.nsesss, 'xmlns:tp': NS.tp, 'xmlns:xlink': NS.xlink, 'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': SCHEMA_LOCATION, OBJID: input.packageId, LABEL: SIP_LABELS[input.kind],
  },
  el('mets:metsHdr', { CREATEDATE: isoDateTime(input.createdAt), LASTMODDATE: isoDateTime(input.createdAt) },
    el('mets:agent', { ROLE: 'CREATOR', TYPE: 'ORGANIZATION', ID: 'agent-puvodce' }, el('mets:name', input.organisation.name)),
    el('mets:agent', { ROLE: 'CREATOR', TYPE: 'INDIVIDUAL', ID: 'agent-zpracovatel' }, el('mets:name', input.creator.name))),
  el('mets:dmdSec', { ID: f.typed ? 'dmd-dil' : 'dmd-spis' },
    el('mets:mdWrap', { MDTYPE: 'OTHER', OTHERMDTYPE: 'NSESSS', MDTYPEVERSION: '4.0', MIMETYPE: 'text/xml' },
      el('mets:xmlData', f.typed ? buildDil(input) : buildSpis(input)))),
  ...amdSecs,
  fileSec,
  el('mets:structMap', div(root)));

  return { name: packageName(input.packageId), metsXml: serializeXml(mets), files };
}
