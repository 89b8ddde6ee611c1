import { createHash, randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { el, serializeXml, type XmlElement } from '../sip/xml-writer';
import type { ComponentRow } from './lifecycle.repository';

const NS = 'urn:openspis:structured-data:1';

function toXml(value: unknown, name: string, key?: string): XmlElement {
  const attrs = key === undefined ? {} : { key };
  if (value === null) return el(name, { ...attrs, type: 'null' });
  if (Array.isArray(value)) return el(name, { ...attrs, type: 'array' }, ...value.map((v) => toXml(v, 'item')));
  if (typeof value === 'object') return el(name, { ...attrs, type: 'object' }, ...Object.entries(value as Record<string, unknown>).map(([k, v]) => toXml(v, 'entry', k)));
  return el(name, { ...attrs, type: typeof value }, String(value));
}

/**
 * JSON (the form data of an electronic submission) is no output data format; XML is. The data is
 * carried over losslessly — every key, value and type — into an XML component derived from the
 * original, which stays as it was. Logged as KonverzeFormatu on the original component.
 */
export async function convertJsonComponent(trx: Knex.Transaction, c: ComponentRow, content: Buffer, actor: string, at: Date): Promise<string | null> {
  let data: unknown;
  try {
    data = JSON.parse(content.toString('utf8'));
  } catch {
    return null; // not JSON after all: the closure check reports it
  }
  const root = toXml(data, 'data');
  root.attrs = { ...root.attrs, xmlns: NS };
  const xml = Buffer.from(serializeXml(root), 'utf8');
  const sha256 = createHash('sha256').update(xml).digest('hex');
  await trx('blobs').insert({ sha256, size: xml.length, content: xml }).onConflict('sha256').ignore();
  const id = randomUUID();
  await trx('components').insert({
    id, document_id: c.document_id, blob_sha256: sha256, file_name: c.file_name.replace(/\.json$/i, '') + '.xml', media_type: 'application/xml',
    size: xml.length, version: c.version + 1, created_at: at, source_component_id: c.id, derivation: 'converted', format: 'xml',
    derivation_details: JSON.stringify({ tool: 'openspis json-to-xml', namespace: NS, at: at.toISOString() }),
  });
  await appendAuditLog(trx, {
    actor, eventType: 'KonverzeFormatu', objectType: 'Komponenta', objectId: c.id, occurredAt: at,
    details: { to: 'application/xml', result: id },
  });
  await appendAuditLog(trx, { actor, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: id, occurredAt: at, details: { documentId: c.document_id, convertedFrom: c.id } });
  return id;
}
