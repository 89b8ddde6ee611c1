import { randomUUID } from 'node:crypto';
import { appendAuditLog, lockAuditHead, type AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import { assertRole } from '../files/file-access';
import { auditActor, type Actor, type PartyKind, type PartyRow } from '../records.model';
import { normalizeSearchText } from '../search-text';

export interface PartyInput {
  kind: PartyKind;
  /** a party of the register chosen by its id: it is that party (PARTY_NOT_FOUND when it is not live), the other fields are not used */
  id?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  organisationName?: string | null;
  companyId?: string | null;
  birthDate?: string | null;
  email?: string | null;
  phone?: string | null;
  dataBoxId?: string | null;
  street?: string | null;
  city?: string | null;
  postcode?: string | null;
}

export function partyDisplayName(p: PartyInput): string {
  const person = [p.givenName, p.familyName].filter(Boolean).join(' ').trim();
  if (p.kind === 'person') return person || p.email || '(neuvedeno)';
  return p.organisationName?.trim() || person || '(neuvedeno)';
}

function searchText(p: PartyInput): string {
  return normalizeSearchText([partyDisplayName(p), p.companyId, p.email, p.dataBoxId, p.city].filter(Boolean).join(' '));
}

/** The strong identifier that makes two inputs the same party (IČO, data box, e-mail + name), if any. */
export function partyIdentity(p: PartyInput): string | null {
  if (p.id) return `id:${p.id}`;
  if (p.companyId) return `company:${p.companyId}`;
  if (p.dataBoxId) return `data-box:${p.dataBoxId}`;
  if (p.email) return `email:${p.email.toLowerCase()}\u0000${partyDisplayName(p)}`;
  return null;
}

/** An existing party with the same strong identifier (IČO, data box, e-mail + name), so senders are reused, not duplicated. */
export async function findSameParty(db: Knex, p: PartyInput): Promise<PartyRow | undefined> {
  const live = () => db('parties').whereNull('merged_into');
  if (p.id) return live().where({ id: p.id }).first();
  if (p.companyId) return live().where({ company_id: p.companyId }).first();
  if (p.dataBoxId) return live().where({ data_box_id: p.dataBoxId }).first();
  if (p.email) return live().where({ email: p.email.toLowerCase(), display_name: partyDisplayName(p) }).first();
  return undefined;
}

/**
 * `findSameParty` for many inputs at once, as an SQL expression for a bigger statement: a JSON
 * array of the live parties that share an input's strong identifier (by e-mail: any of the names);
 * `pickSameParty` then picks each input's own as `findSameParty` would. Only the kinds of
 * identifier the inputs have are looked up — an empty list would still cost its scan — so the text
 * varies with them (fifteen shapes at most, each prepared once per connection).
 */
export function samePartiesSql(db: Knex, inputs: PartyInput[]): Knex.Raw {
  const ids = inputs.filter((p) => p.id).map((p) => p.id);
  const named = inputs.filter((p) => !p.id);
  const companies = named.filter((p) => p.companyId).map((p) => p.companyId);
  const boxes = named.filter((p) => !p.companyId && p.dataBoxId).map((p) => p.dataBoxId);
  const emails = named.filter((p) => !p.companyId && !p.dataBoxId && p.email).map((p) => p.email?.toLowerCase());
  const branches: string[] = [];
  const bindings: string[] = [];
  if (ids.length) {
    // a malformed id matches nothing instead of failing the statement (it is shared by a batch of registrations)
    branches.push(`select * from parties where merged_into is null and id = any(array(select x::uuid from json_array_elements_text(?::json) x where x ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))`);
    bindings.push(JSON.stringify([...new Set(ids)]));
  }
  for (const [column, values] of [['company_id', companies], ['data_box_id', boxes], ['email', emails]] as const) {
    if (!values.length) continue;
    branches.push(`select * from parties where merged_into is null and ${column} = any(array(select json_array_elements_text(?::json)))`);
    bindings.push(JSON.stringify([...new Set(values)]));
  }
  if (!branches.length) return db.raw(`'[]'::json`);
  return db.raw(`(select coalesce(json_agg(x), '[]'::json) from (${branches.join(' union all ')}) x)`, bindings);
}

/** The party `findSameParty` would find for `p` among `rows` (from `samePartiesSql`). */
export function pickSameParty(rows: PartyRow[], p: PartyInput): PartyRow | undefined {
  if (p.id) return rows.find((r) => r.id === p.id);
  if (p.companyId) return rows.find((r) => r.company_id === p.companyId);
  if (p.dataBoxId) return rows.find((r) => r.data_box_id === p.dataBoxId);
  if (p.email) {
    const email = p.email.toLowerCase();
    const name = partyDisplayName(p);
    return rows.find((r) => r.email === email && r.display_name === name);
  }
  return undefined;
}

/** The row of a new party and its log entry (no personal data in the log: the id is enough to find the record). */
export function newParty(actor: Actor, p: PartyInput, at: Date): { row: PartyRow; audit: AuditEntry } {
  const row = {
    id: randomUUID(),
    kind: p.kind,
    display_name: partyDisplayName(p),
    given_name: p.givenName ?? null,
    family_name: p.familyName ?? null,
    organisation_name: p.organisationName ?? null,
    company_id: p.companyId ?? null,
    birth_date: p.birthDate ?? null,
    email: p.email?.toLowerCase() ?? null,
    phone: p.phone ?? null,
    data_box_id: p.dataBoxId ?? null,
    street: p.street ?? null,
    city: p.city ?? null,
    postcode: p.postcode ?? null,
    country: 'CZ',
    search_text: searchText(p),
    merged_into: null,
    created_by: auditActor(actor),
    created_at: at,
    updated_at: at,
  } as PartyRow;
  return { row, audit: { actor: auditActor(actor), eventType: 'Zalozeni', objectType: 'Subjekt', objectId: row.id, details: { kind: p.kind }, occurredAt: at } };
}

/** The unique indexes that keep one live party per strong identifier (migration 20261204000000). */
const IDENTITY_INDEXES = new Set(['parties_live_company_id', 'parties_live_data_box_id', 'parties_live_email_name']);

/**
 * Whether the database refused a new party because a live party with its strong identifier exists:
 * one that another process recorded after this one looked (and committed: the insert waited for
 * it), so a look-up made now finds it.
 */
export function isPartyIdentityConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && IDENTITY_INDEXES.has(String(e.constraint));
}

/** Returns the matching party of the register or records a new one (jmenný rejstřík). */
export async function findOrCreateParty(trx: Knex.Transaction, actor: Actor, p: PartyInput, at: Date): Promise<{ party: PartyRow; created: boolean }> {
  const existing = await findSameParty(trx, p);
  if (existing) return { party: existing, created: false };
  if (p.id) throw new DomainError('PARTY_NOT_FOUND', `no live party ${p.id} in the register`);
  const { row, audit } = newParty(actor, p, at);
  // the log head before the party's identifier, in the order a registration's numbering statement
  // takes them: were it the other way round, the two could wait for each other
  await lockAuditHead(trx);
  // another process may record the same party meanwhile: then the insert waits for it, does nothing, and the look-up finds it
  const inserted = await trx('parties').insert(row).onConflict().ignore().returning('id');
  if (!inserted.length) {
    const recorded = await findSameParty(trx, p);
    if (recorded) return { party: recorded, created: false };
    throw new Error('a party with the same identifier was recorded meanwhile but is not visible to this transaction');
  }
  await appendAuditLog(trx, audit);
  return { party: row, created: true };
}

/** Parties whose name, IČO, e-mail, data box or city starts a word with the query, accent-insensitive. */
export async function searchParties(db: Knex, query: string, opts: { limit?: number; offset?: number } = {}): Promise<PartyRow[]> {
  const q = normalizeSearchText(query);
  if (!q) return [];
  return db('parties')
    .whereNull('merged_into')
    .andWhere((w) => w.where('search_text', 'like', `${q}%`).orWhere('search_text', 'like', `% ${q}%`))
    .orderBy([{ column: 'display_name' }, { column: 'id' }])
    .offset(opts.offset ?? 0)
    .limit(opts.limit ?? 20);
}

/** Who keeps the parties register clean (merges duplicates): the registry office and the administrator. */
export const PARTY_MERGERS = ['podatelna', 'admin'] as const;

/**
 * Merges a duplicate into the party kept: documents and journal rows point at the kept one, the
 * duplicate stays (for the history) marked `merged_into`. Logged on both.
 */
export async function mergeParties(db: Knex, actor: Actor, input: { keepId: string; duplicateId: string }, at: Date): Promise<{ documents: number }> {
  assertRole(actor, PARTY_MERGERS);
  if (input.keepId === input.duplicateId) throw new DomainError('PARTY_MERGE_SAME', 'a party cannot be merged into itself');
  return db.transaction(async (trx) => {
    const [keep, dup] = await Promise.all([
      trx('parties').where({ id: input.keepId }).forUpdate().first(),
      trx('parties').where({ id: input.duplicateId }).forUpdate().first(),
    ]);
    if (!keep || !dup) throw new DomainError('PARTY_NOT_FOUND', 'party to merge does not exist');
    if (keep.merged_into || dup.merged_into) throw new DomainError('PARTY_ALREADY_MERGED', 'party was already merged');
    const documents = (await trx('documents').where({ sender_party_id: dup.id }).update({ sender_party_id: keep.id }))
      + (await trx('documents').where({ addressee_party_id: dup.id }).update({ addressee_party_id: keep.id }));
    await trx('journal').where({ sender_party_id: dup.id }).update({ sender_party_id: keep.id });
    await trx('journal').where({ addressee_party_id: dup.id }).update({ addressee_party_id: keep.id });
    await trx('document_dispatches').where({ party_id: dup.id }).update({ party_id: keep.id });
    await trx('parties').where({ id: dup.id }).update({ merged_into: keep.id, updated_at: at });
    try {
      await trx('parties').where({ id: keep.id }).update({
        email: keep.email ?? dup.email, phone: keep.phone ?? dup.phone, data_box_id: keep.data_box_id ?? dup.data_box_id,
        company_id: keep.company_id ?? dup.company_id, updated_at: at,
      });
    } catch (err) {
      // the kept party would take over an identifier (IČO, data box, e-mail with its name) a third live party has
      if (isPartyIdentityConflict(err)) throw new DomainError('PARTY_MERGE_CONFLICT', 'another party of the register has the identifier the kept party would take over: merge that one first');
      throw err;
    }
    const a = auditActor(actor);
    await appendAuditLog(trx, { actor: a, eventType: 'Uprava', objectType: 'Subjekt', objectId: keep.id, details: { mergedFrom: dup.id, documents }, occurredAt: at });
    await appendAuditLog(trx, { actor: a, eventType: 'Zruseni', objectType: 'Subjekt', objectId: dup.id, details: { mergedInto: keep.id }, occurredAt: at });
    return { documents };
  });
}
