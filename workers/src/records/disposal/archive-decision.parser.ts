import { DOMParser } from '@xmldom/xmldom';

type XmlDomElement = Element;
import { DomainError } from '../../shared/domain-error';

const NSESSS = 'http://www.mvcr.cz/nsesss/v4';

/** tOperace of nsesss-DA.xsd */
export const DECISION_OPERATIONS = ['vybrat za archiválii', 'zničit', 'předložit k výběru', 'vyřadit z výběru'] as const;
export type DecisionOperation = (typeof DECISION_OPERATIONS)[number];

export interface DecisionEntity {
  /** the originator's identifier of the entity (as written in the SIP) and its source */
  identifier: string;
  source: string;
  /** the decision, in a list sent after the disposal procedure */
  operation: DecisionOperation | null;
  /** the digital archive's identifier, in a list confirming the transfer */
  archiveIdentifier: { value: string; source: string } | null;
}

/** `<Seznam>` of nsesss-DA.xsd: the archive's decision or its confirmation of a transfer. */
export interface ArchiveDecision {
  listId: string;
  archiveId: string;
  originatorId: string;
  disposalProcedureId: string | null;
  transferId: string | null;
  createdAt: Date;
  entities: DecisionEntity[];
}

const MAX_DECISION_BYTES = 20 * 1024 * 1024;

function invalid(message: string): DomainError {
  return new DomainError('DECISION_INVALID', message);
}

function children(el: XmlDomElement): XmlDomElement[] {
  const out: XmlDomElement[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) out.push(n as XmlDomElement);
    else if (n.nodeType === 3 && (n.nodeValue ?? '').trim() !== '') throw invalid(`unexpected text inside <${el.localName}>`);
  }
  return out;
}

function only(el: XmlDomElement, name: string): boolean {
  return el.namespaceURI === NSESSS && el.localName === name;
}

function identifier(el: XmlDomElement, what: string): { value: string; source: string } {
  const value = (el.textContent ?? '').trim();
  const source = el.getAttribute('zdroj');
  if (!value || value.length > 50) throw invalid(`${what}: the identifier must have 1–50 characters`);
  if (!source) throw invalid(`${what}: the identifier has no zdroj attribute`);
  return { value, source };
}

/**
 * Parses the archive's list (nsesss-DA.xsd) strictly: the root, every required attribute, and each
 * entity with its identifier and either an operation or the digital archive's identifier. Anything
 * else is refused with DECISION_INVALID before a single row changes. A DOCTYPE is refused too, so
 * no entity can expand.
 */
export function parseArchiveDecision(xml: string | Uint8Array): ArchiveDecision {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml) : xml.byteLength;
  if (size > MAX_DECISION_BYTES) throw invalid(`the file is larger than ${MAX_DECISION_BYTES} bytes`);
  const text = typeof xml === 'string' ? xml : new TextDecoder('utf-8', { fatal: true }).decode(xml);
  if (/<!DOCTYPE/i.test(text)) throw invalid('a DOCTYPE is not allowed');
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m: string) => problems.push(m), fatalError: (m: string) => problems.push(m) },
  }).parseFromString(text, 'text/xml');
  if (problems.length || !doc?.documentElement) throw invalid(`not well-formed XML: ${problems[0] ?? 'no root element'}`);
  const root = doc.documentElement;
  if (!only(root, 'Seznam')) throw invalid(`the root element must be Seznam in ${NSESSS}, found ${root.localName} in ${root.namespaceURI ?? 'no namespace'}`);

  const attr = (name: string, required: boolean): string | null => {
    const v = root.getAttribute(name);
    if (required && !v) throw invalid(`Seznam has no ${name} attribute`);
    return v || null;
  };
  const listId = attr('ID', true) as string;
  const created = attr('datumVytvoreni', true) as string;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(created) || Number.isNaN(Date.parse(created))) {
    throw invalid(`datumVytvoreni ${created} is not an xs:dateTime`);
  }

  const entities: DecisionEntity[] = [];
  for (const child of children(root)) {
    if (!only(child, 'EntitaSeznamu')) throw invalid(`unexpected element ${child.localName} in Seznam`);
    const [idEl, second, ...rest] = children(child);
    if (!idEl || !only(idEl, 'Identifikator')) throw invalid(`EntitaSeznamu ${entities.length + 1} has no Identifikator`);
    if (!second || rest.length) throw invalid(`EntitaSeznamu ${entities.length + 1} must have exactly one Operace or IdentifikatorDA`);
    const id = identifier(idEl, `EntitaSeznamu ${entities.length + 1}`);
    if (only(second, 'Operace')) {
      const op = (second.textContent ?? '').trim();
      if (!(DECISION_OPERATIONS as readonly string[]).includes(op)) throw invalid(`unknown operation "${op}" for ${id.value}`);
      entities.push({ identifier: id.value, source: id.source, operation: op as DecisionOperation, archiveIdentifier: null });
    } else if (only(second, 'IdentifikatorDA')) {
      entities.push({ identifier: id.value, source: id.source, operation: null, archiveIdentifier: identifier(second, `IdentifikatorDA of ${id.value}`) });
    } else {
      throw invalid(`unexpected element ${second.localName} for ${id.value}`);
    }
  }
  if (entities.length === 0) throw invalid('Seznam lists no entity');
  const seen = new Set<string>();
  for (const e of entities) {
    const key = `${e.source}\u0000${e.identifier}`;
    if (seen.has(key)) throw invalid(`entity ${e.identifier} is listed twice`);
    seen.add(key);
  }

  return {
    listId,
    archiveId: attr('identifikatorArchivu', true) as string,
    originatorId: attr('identifikatorPuvodce', true) as string,
    disposalProcedureId: attr('identifikatorSkartacnihoRizeni', false),
    transferId: attr('identifikatorPrejimky', false),
    createdAt: new Date(created),
    entities,
  };
}
