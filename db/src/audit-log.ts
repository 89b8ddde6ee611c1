import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** NSESSS transaction-log event types (nsesss-TrP.xsd, tTypUdalosti/TypUdalostiId). */
export const NSESSS_EVENT_TYPES = [
  'Zalozeni', 'Uprava', 'Zruseni', 'Zobrazeni', 'Export', 'Prenos', 'Storno', 'Zniceni', 'VlozeniDoSpisu', 'VyjmutiZeSpisu',
  'PripojeniCJ', 'NovaVerze', 'VlozeniKDokumentu', 'VyjmutiZDokumentu', 'VlozeniKVypraveni', 'VyjmutiZVypraveni',
  'PripojeniPodpisu', 'PripojeniRazitka', 'FinalniVerze', 'PredaniVypravne', 'Vypraveno', 'Doruceno', 'Vyrizeni',
  'Schvaleni', 'Uzavreni', 'Otevreni', 'PostoupeniAgende', 'VraceniZAgendy', 'ZmenaZpracovatele',
  'PripojeniKlicovehoSlova', 'OdebraniKlicovehoSlova', 'PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VraceniZeSpisovny',
  'PozastaveniSkartacniOperace', 'ZruseniPozastaveniSkartacniOperace', 'VlozeniDoUkladaciJednotky',
  'VyjmutiZUkladaciJednotky', 'VlozeniDoSkartacnihoNavrhu', 'VyjmutiZeSkartacnihoNavrhu', 'VlozeniDoSpisoveRozluky',
  'VyjmutiZeSpisoveRozluky', 'KonverzeZMociUredni', 'KonverzeFormatu',
] as const;
export type NsesssEventType = (typeof NSESSS_EVENT_TYPES)[number];

/** NSESSS transaction-log object types (nsesss-TrP.xsd, tTypObjektu/TypObjektuId). */
export const NSESSS_OBJECT_TYPES = [
  'Komponenta', 'Zasilka', 'Dokument', 'Spis', 'Soucast', 'Dil', 'TypovySpis', 'VecnaSkupina', 'SpisovyPlan', 'Denik',
  'KonfiguraceSystemu', 'Osoba', 'FunkcniMisto', 'SpisovyUzel', 'OrganizacniJednotka', 'SkupinaUzivatelu',
  'KonverzeZMociUredni', 'Obalka', 'SkartacniRezim', 'SkartacniNavrh', 'SpisovaRozluka', 'SablonaTypovehoSpisu',
  'SablonaSoucasti', 'Subjekt', 'DruhDokumentu', 'TypSpisu', 'UkladaciJednotka', 'SchvaleniSpis', 'SchvaleniDokument',
  'SchvaleniKomponenta', 'ZpusobVyrizeni',
] as const;
export type NsesssObjectType = (typeof NSESSS_OBJECT_TYPES)[number];

const EVENT_TYPES = new Set<string>(NSESSS_EVENT_TYPES);
const OBJECT_TYPES = new Set<string>(NSESSS_OBJECT_TYPES);

/** Whether the type is one of the standard's; others are exported as free text (TypUdalostiText). */
export const isNsesssEventType = (t: string): t is NsesssEventType => EVENT_TYPES.has(t);
export const isNsesssObjectType = (t: string): t is NsesssObjectType => OBJECT_TYPES.has(t);

export interface AuditEntry {
  /** `user:<username>` or `system:<component>` */
  actor: string;
  /** NSESSS event type: Zalozeni, Uprava, Zobrazeni, Export, VlozeniDoSpisu, Vyrizeni, Uzavreni, ... */
  eventType: NsesssEventType | string;
  /** NSESSS object type: Dokument, Spis, Komponenta, ... */
  objectType: NsesssObjectType | string;
  objectId: string;
  /** event parameters (ParametryUdalosti); `description` becomes PopisUdalosti in the export */
  details?: Record<string, unknown>;
  occurredAt?: Date;
}

export interface AuditRow {
  id: string | number;
  occurred_at: Date | string;
  actor: string;
  event_type: string;
  object_type: string;
  object_id: string;
  details: unknown;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Object keys sorted at every level: jsonb gives keys back in its own order, so the hash must not depend on it. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function auditHash(prevHash: string, row: { occurred_at: string; actor: string; event_type: string; object_type: string; object_id: string; details: unknown }): string {
  const canonical = JSON.stringify([prevHash, row.occurred_at, row.actor, row.event_type, row.object_type, row.object_id, canonicalJson(row.details)]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends to the transaction log inside the caller's transaction, so the change and its log row
 * commit together. The head row lock serialises writers, which keeps the hash chain linear. Use the
 * NSESSS event and object types; anything else is exported as free text (TypUdalostiText).
 */
export async function appendAuditLog(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
  if (!entry.eventType || !entry.objectType || !entry.actor) throw new RangeError('audit entry needs an actor, an event type and an object type');
  const head = await trx('audit_log_head').where({ id: 1 }).forUpdate().first();
  const row = {
    occurred_at: (entry.occurredAt ?? new Date()).toISOString(),
    actor: entry.actor,
    event_type: entry.eventType,
    object_type: entry.objectType,
    object_id: entry.objectId,
    details: entry.details ?? {},
  };
  const hash = auditHash(head.last_hash, row);
  await trx('audit_log').insert({ ...row, details: JSON.stringify(row.details), prev_hash: head.last_hash, hash });
  await trx('audit_log_head').where({ id: 1 }).update({ last_hash: hash });
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** the first entry whose content, link or position no longer matches the chain */
  firstBroken?: { id: string; reason: 'content-altered' | 'chain-broken' | 'head-mismatch'; row?: AuditRow };
}

function parseDetails(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/**
 * Walks the whole chain in id order and recomputes every hash. An edited row fails its own hash
 * (`content-altered`); a deleted or reordered row breaks the link of the next one (`chain-broken`);
 * a cut-off tail no longer ends at the head (`head-mismatch`).
 */
export async function verifyAuditLog(db: Knex, opts: { batchSize?: number } = {}): Promise<AuditVerification> {
  const batch = opts.batchSize ?? 5000;
  let prev = GENESIS_HASH;
  let lastId: string | number = 0;
  let checked = 0;
  for (;;) {
    const rows: AuditRow[] = await db('audit_log').where('id', '>', lastId).orderBy('id').limit(batch);
    if (!rows.length) break;
    for (const row of rows) {
      const content = {
        occurred_at: new Date(row.occurred_at).toISOString(),
        actor: row.actor,
        event_type: row.event_type,
        object_type: row.object_type,
        object_id: row.object_id,
        details: parseDetails(row.details),
      };
      if (row.prev_hash !== prev) return { ok: false, checked, firstBroken: { id: String(row.id), reason: 'chain-broken', row } };
      if (auditHash(row.prev_hash, content) !== row.hash) return { ok: false, checked, firstBroken: { id: String(row.id), reason: 'content-altered', row } };
      prev = row.hash;
      lastId = row.id;
      checked += 1;
    }
  }
  const head = await db('audit_log_head').where({ id: 1 }).first();
  if (head && head.last_hash !== prev) return { ok: false, checked, firstBroken: { id: String(lastId), reason: 'head-mismatch' } };
  return { ok: true, checked };
}
