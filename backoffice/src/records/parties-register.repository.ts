import { searchParties, whereOwnUnit, type Actor, type PartyRow } from '@openspis/workers';
import type { Knex } from 'knex';

/** Only SQL: the parties register's list and a party's documents. */

export interface Page<T> { rows: T[]; page: number; hasNext: boolean }

/** Roles that see the whole journal (as the journal search does); the others see their unit's and shared files' documents. */
const WHOLE_JOURNAL = ['admin', 'spisovna', 'posuzovatel', 'podatelna'];

/** Live parties (not merged away): all alphabetically, or those a search finds (accent-insensitive, `searchParties`). */
export async function listParties(db: Knex, query: string, page: number, pageSize: number): Promise<Page<PartyRow>> {
  const offset = (page - 1) * pageSize;
  const rows: PartyRow[] = query.trim()
    ? await searchParties(db, query, { limit: pageSize + 1, offset })
    : await db('parties').whereNull('merged_into').orderBy([{ column: 'display_name' }, { column: 'id' }]).offset(offset).limit(pageSize + 1);
  return { rows: rows.slice(0, pageSize), page, hasNext: rows.length > pageSize };
}

export interface PartyDocumentRow {
  document_id: string;
  reference_number: string | null;
  jid: string;
  direction: string;
  received_at: Date;
  subject: string;
  state: string;
  file_id: string | null;
  file_reference: string | null;
  org_unit: string | null;
  role: 'sender' | 'addressee';
}

/** The documents a party sent or received, newest first, limited to the journal rows the actor may see. */
export async function listPartyDocuments(db: Knex, actor: Actor, partyId: string, page: number, pageSize: number): Promise<Page<PartyDocumentRow>> {
  const q = db('journal as j')
    .join('documents as d', 'd.id', 'j.document_id')
    .where((w) => w.where('d.sender_party_id', partyId).orWhere('d.addressee_party_id', partyId)
      // a further addressee of an outgoing document (its own dispatch)
      .orWhereExists((x) => x.select(db.raw('1')).from('document_dispatches as x').whereRaw('x.document_id = d.id').andWhere('x.party_id', partyId)))
    .select('j.document_id', 'j.reference_number', 'j.jid', 'j.direction', 'j.received_at', 'j.subject', 'j.state', 'j.file_id', 'j.file_reference', 'j.org_unit',
      db.raw(`case when d.sender_party_id = ? then 'sender' else 'addressee' end as role`, [partyId]));
  if (!actor.roles.some((r) => WHOLE_JOURNAL.includes(r))) whereOwnUnit(q, actor, 'j.org_unit', 'j.file_id');
  const rows: PartyDocumentRow[] = await q.orderBy([{ column: 'j.received_at', order: 'desc' }, { column: 'j.id', order: 'desc' }]).offset((page - 1) * pageSize).limit(pageSize + 1);
  return { rows: rows.slice(0, pageSize), page, hasNext: rows.length > pageSize };
}

/** How many documents name the party as sender or addressee (for the merge confirmation, all units). */
export async function countPartyDocuments(db: Knex, partyId: string): Promise<number> {
  const r = await db('documents as d').where('d.sender_party_id', partyId).orWhere('d.addressee_party_id', partyId)
    .orWhereExists((x) => x.select(db.raw('1')).from('document_dispatches as x').whereRaw('x.document_id = d.id').andWhere('x.party_id', partyId))
    .count<{ n: string | number }[]>({ n: '*' });
  return Number(r[0].n);
}
