import { AUDIT_EVENT_TYPES_TRP } from './trp-vocabulary';
import type { SipLogEvent } from './sip.model';
import { isoDateTime } from './nsesss-metadata';
import { el, optional, type XmlElement } from './xml-writer';

export interface LogObject {
  /** NSESSS object type (tTypObjektu), e.g. Spis, Dokument, Komponenta, VecnaSkupina, SpisovyPlan */
  type: string;
  id: string;
  source: string;
}

function tpIdentifier(name: string, value: string, source: string): XmlElement {
  return el(name, el('tp:HodnotaID', value.slice(0, 50)), el('tp:ZdrojID', source.slice(0, 50)));
}

/**
 * `<tp:TransakcniLogObjektu>` (nsesss-TrP.xsd) of one entity: the events in order, numbered from 1.
 * Event types outside the NSESSS list are written as TypUdalostiText so nothing is lost.
 */
export function buildObjectLog(object: LogObject, events: readonly SipLogEvent[], opts: { createdAt: Date; software: { name: string; version: string } }): XmlElement {
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const from = sorted[0]?.occurredAt ?? opts.createdAt;
  return el('tp:TransakcniLogObjektu',
    el('tp:TransLogInfo',
      tpIdentifier('tp:Identifikator', `TP-${object.id}`, object.source),
      el('tp:DatumVzniku', isoDateTime(opts.createdAt)),
      el('tp:DatumCasOd', isoDateTime(from)),
      el('tp:DatumCasDo', isoDateTime(opts.createdAt)),
      el('tp:Software', opts.software.name),
      el('tp:VerzeSoftware', opts.software.version),
      el('tp:Objekt',
        el('tp:TypObjektu', el('tp:TypObjektuId', object.type)),
        tpIdentifier('tp:Identifikator', object.id, object.source))),
    el('tp:Udalosti', ...sorted.map((e, i) => el('tp:Udalost',
      el('tp:Poradi', String(i + 1)),
      el('tp:DatumVzniku', isoDateTime(e.occurredAt)),
      el('tp:provedlKdo', (e.actor || 'system').slice(0, 100)),
      el('tp:TypUdalosti', (AUDIT_EVENT_TYPES_TRP as readonly string[]).includes(e.eventType)
        ? el('tp:TypUdalostiId', e.eventType)
        : el('tp:TypUdalostiText', e.eventType)),
      optional('tp:PopisUdalosti', e.description)))),
  );
}
