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

/**
 * The text hashed for a row without its leading `["<prev_hash>",`: the hash is the SHA-256 of
 * `'["' || prev_hash || '",' || suffix`, so a statement that reads the head itself can link a row
 * whose content is known beforehand (the hex hash needs no JSON escaping).
 */
export function auditHashSuffix(row: { occurred_at: string; actor: string; event_type: string; object_type: string; object_id: string; details: unknown }): string {
  return JSON.stringify([row.occurred_at, row.actor, row.event_type, row.object_type, row.object_id, canonicalJson(row.details)]).slice(1);
}

export function auditHash(prevHash: string, row: { occurred_at: string; actor: string; event_type: string; object_type: string; object_id: string; details: unknown }): string {
  const canonical = JSON.stringify([prevHash, row.occurred_at, row.actor, row.event_type, row.object_type, row.object_id, canonicalJson(row.details)]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Transactions whose log entries are collected (see `deferAuditLog`) instead of written at once. */
const deferred = new WeakMap<object, AuditEntry[]>();

function checkEntry(entry: AuditEntry): void {
  if (!entry.eventType || !entry.objectType || !entry.actor) throw new RangeError('audit entry needs an actor, an event type and an object type');
}

/** The hashed content of a log entry (checked), in the column names of `audit_log`. */
export function auditContent(entry: AuditEntry) {
  checkEntry(entry);
  return {
    occurred_at: (entry.occurredAt ?? new Date()).toISOString(),
    actor: entry.actor,
    event_type: entry.eventType,
    object_type: entry.objectType,
    object_id: entry.objectId,
    details: entry.details ?? {},
  };
}

/** A log row with its link to the previous one, ready to insert. */
export interface ChainedAuditRow {
  occurred_at: string;
  actor: string;
  event_type: string;
  object_type: string;
  object_id: string;
  /** JSON text of the details (a string, so the driver does not turn arrays into SQL arrays) */
  details: string;
  prev_hash: string;
  hash: string;
}

/** Links `entries` in order onto the chain that ends with `prevHash`; `lastHash` is the new head. */
export function chainAuditEntries(prevHash: string, entries: AuditEntry[]): { rows: ChainedAuditRow[]; lastHash: string } {
  let prev = prevHash;
  const rows = entries.map((entry) => {
    const row = auditContent(entry);
    const hash = auditHash(prev, row);
    const chained = { ...row, details: JSON.stringify(row.details), prev_hash: prev, hash };
    prev = hash;
    return chained;
  });
  return { rows, lastHash: prev };
}

/** The statement that locks the head of the chain and reads its hash (`last_hash`), to be run right before `auditLogWrites`. */
export function lockAuditHead(trx: Knex.Transaction): Knex.QueryBuilder {
  return trx('audit_log_head').where({ id: 1 }).forUpdate().first('last_hash');
}

/**
 * The statements that append `entries` after the locked head `prevHash`: the log rows (one
 * multi-row insert, ids in entry order) and the head update. Callers may run them as parts of one
 * bigger statement (`with … as (…)`) so the head lock is held for as short a time as possible.
 */
export function auditLogWrites(trx: Knex.Transaction, prevHash: string, entries: AuditEntry[]): Knex.QueryBuilder[] {
  if (!entries.length) return [];
  const { rows, lastHash } = chainAuditEntries(prevHash, entries);
  return [trx('audit_log').insert(rows), trx('audit_log_head').where({ id: 1 }).update({ last_hash: lastHash })];
}

/**
 * Appends to the transaction log inside the caller's transaction, so the change and its log row
 * commit together. The head row lock serialises writers, which keeps the hash chain linear. Use the
 * NSESSS event and object types; anything else is exported as free text (TypUdalostiText).
 * In a transaction marked with `deferAuditLog` the entry is only collected, in order.
 */
export async function appendAuditLog(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
  checkEntry(entry);
  const pending = deferred.get(trx);
  if (pending) {
    pending.push({ ...entry, occurredAt: entry.occurredAt ?? new Date() });
    return;
  }
  await appendAuditLogBatch(trx, [entry]);
}

/** Appends several entries in order with one head lock, one insert and one head update. */
export async function appendAuditLogBatch(trx: Knex.Transaction, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  entries.forEach(checkEntry);
  const head = await lockAuditHead(trx);
  for (const write of auditLogWrites(trx, head.last_hash, entries)) await write;
}

/**
 * From now on `appendAuditLog(trx, …)` collects the transaction's entries instead of locking the
 * head at once; `takeDeferredAuditLog(trx)` hands them over (in order) and ends the deferral. A
 * transaction that does a lot of work and logs it all at its end holds the head lock only there.
 * The caller must write what it takes in the same transaction.
 */
export function deferAuditLog(trx: Knex.Transaction): void {
  if (!deferred.has(trx)) deferred.set(trx, []);
}

export function takeDeferredAuditLog(trx: Knex.Transaction): AuditEntry[] {
  const pending = deferred.get(trx) ?? [];
  deferred.delete(trx);
  return pending;
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
