import { el, serializeXml } from '../sip/xml-writer';
import type { DecisionOperation } from './archive-decision.parser';

/** What the archive sends back: a list (nsesss-DA.xsd) with an operation or a digital-archive id per entity. */
export function archiveDecisionXml(opts: {
  listId?: string;
  originatorId?: string;
  disposalProcedureId?: string;
  createdAt?: string;
  entities: { identifier: string; source?: string; operation?: DecisionOperation; archiveIdentifier?: string }[];
}): string {
  return serializeXml(el('Seznam', {
    xmlns: 'http://www.mvcr.cz/nsesss/v4',
    ID: opts.listId ?? 'SR-2026-17',
    identifikatorArchivu: 'SOA-Plzen',
    identifikatorPuvodce: opts.originatorId ?? '00254657',
    identifikatorSkartacnihoRizeni: opts.disposalProcedureId ?? 'SR/17/2026',
    datumVytvoreni: opts.createdAt ?? '2026-12-10T10:00:00+01:00',
  }, ...opts.entities.map((e) => el('EntitaSeznamu',
    el('Identifikator', { zdroj: e.source ?? 'MMKV' }, e.identifier),
    e.archiveIdentifier ? el('IdentifikatorDA', { zdroj: 'SOA-Plzen' }, e.archiveIdentifier) : el('Operace', e.operation ?? 'zničit'))),
  ));
}
