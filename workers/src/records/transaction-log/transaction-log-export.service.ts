import { randomUUID } from 'node:crypto';
import { appendAuditLog, isNsesssEventType, isNsesssObjectType, type AuditRow } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import { auditActor, type Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { clip, el, elx } from '../xml/xml-writer';

export const TRP_NS = 'http://www.mvcr.cz/nsesss/2023/log';
const SOFTWARE = 'openspis';
const VERSION = '0.1.0';

function identifier(value: string, source: string): string {
  return [el('HodnotaID', clip(value, 50)), el('ZdrojID', clip(source, 50))].join('');
}

function parameters(row: AuditRow): string {
  const details = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;
  const params: [string, string][] = Object.entries(details ?? {})
    .filter(([k]) => k !== 'description')
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  params.push(['hash', row.hash], ['prevHash', row.prev_hash]);
  return elx('ParametryUdalosti', params.map(([k, v]) => elx('ParametrUdalosti', [el('NazevParametru', k), el('HodnotaParametru', v)])));
}

function eventXml(row: AuditRow, source: string): string {
  const details = (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;
  return elx('Udalost', [
    el('Poradi', String(row.id)),
    el('DatumVzniku', new Date(row.occurred_at).toISOString()),
    el('provedlKdo', clip(row.actor || 'neznámý', 100)),
    elx('TypUdalosti', isNsesssEventType(row.event_type) ? el('TypUdalostiId', row.event_type) : el('TypUdalostiText', row.event_type)),
    parameters(row),
    typeof details?.description === 'string' ? el('PopisUdalosti', details.description) : '',
    elx('Objekt', [
      elx('TypObjektu', isNsesssObjectType(row.object_type) ? el('TypObjektuId', row.object_type) : el('TypObjektuText', row.object_type)),
      elx('Identifikator', identifier(row.object_id, source)),
    ]),
  ]);
}

/**
 * `TransakcniLogSystemu` (nsesss-TrP.xsd) of the given rows, in their order, with their parameters
 * and the hash-chain values. Pure: reading the rows and logging the export is the caller's part.
 */
export function transactionLogXml(rows: AuditRow[], header: { identifier: string; source: string; createdAt: Date; from: Date; to: Date }): string {
  const info = elx('TransLogInfo', [
    elx('Identifikator', identifier(header.identifier, header.source)),
    el('DatumVzniku', header.createdAt.toISOString()),
    el('DatumCasOd', header.from.toISOString()),
    el('DatumCasDo', header.to.toISOString()),
    el('Software', SOFTWARE),
    el('VerzeSoftware', VERSION),
  ]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<TransakcniLogSystemu xmlns="${TRP_NS}">${info}<Udalosti>${rows.map((r) => eventXml(r, header.source)).join('\n')}</Udalosti></TransakcniLogSystemu>\n`;
}

/** The source (ZdrojID) of identifiers in the exported log. */
export const logSource = (officeCode: string) => `${officeCode}.openspis`;

/**
 * The transaction log of a period as `TransakcniLogSystemu` (nsesss-TrP.xsd): every event from
 * `from` (inclusive) to `to` (exclusive), in order, with its parameters and the hash-chain values.
 * The export itself is logged after the period's rows are read.
 */
export async function exportTransactionLog(ports: RecordsPorts, actor: Actor, period: { from: Date; to: Date }): Promise<{ xml: string; events: number }> {
  const { db, clock, config } = ports;
  if (!(period.from < period.to)) throw new DomainError('PERIOD_INVALID', 'the period must start before it ends');
  const now = clock();
  const rows: AuditRow[] = await db('audit_log').where('occurred_at', '>=', period.from).andWhere('occurred_at', '<', period.to).orderBy('id');
  const xml = transactionLogXml(rows, { identifier: randomUUID(), source: logSource(config.officeCode), createdAt: now, from: period.from, to: period.to });
  await db.transaction((trx) =>
    appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Export', objectType: 'TransakcniProtokol', objectId: `${period.from.toISOString()}/${period.to.toISOString()}`.slice(0, 50),
      details: { events: rows.length }, occurredAt: now,
    }),
  );
  return { xml, events: rows.length };
}
