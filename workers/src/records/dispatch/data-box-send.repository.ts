import type { Knex } from 'knex';
import type { DataBoxSendOptions } from './request-data-box-send';

/** Only SQL: the durable requests to send a document through the data box (`data_box_sends`). */

export type DataBoxSendState = 'pending' | 'sending' | 'sent' | 'failed';

export interface DataBoxSendRow {
  /** the addressee's dispatch the request sends */
  dispatch_id: string;
  document_id: string;
  state: DataBoxSendState;
  requested_by: string;
  requested_at: Date;
  attempts: number;
  claimed_at: Date | null;
  dm_id: string | null;
  sent_at: Date | null;
  error_code: string | null;
  isds_status_code: string | null;
  isds_status_message: string | null;
  to_hands: string | null;
  personal_delivery: boolean;
  legal_title_law: number | null;
  legal_title_year: number | null;
  legal_title_sect: string | null;
  legal_title_par: string | null;
  legal_title_point: string | null;
}

/** What the request asked to be set on the message. */
export function sendOptionsOf(row: DataBoxSendRow): DataBoxSendOptions {
  return {
    toHands: row.to_hands,
    personalDelivery: !!row.personal_delivery,
    legalTitle: row.legal_title_law && row.legal_title_year
      ? { law: row.legal_title_law, year: row.legal_title_year, sect: row.legal_title_sect, par: row.legal_title_par, point: row.legal_title_point }
      : null,
  };
}

export async function findSend(trx: Knex | Knex.Transaction, dispatchId: string): Promise<DataBoxSendRow | undefined> {
  return trx('data_box_sends').where({ dispatch_id: dispatchId }).first();
}

/** A new request, or a failed one asked for again: pending, with no trace of the failure. */
export async function putPendingSend(trx: Knex.Transaction, row: { dispatchId: string; documentId: string; requestedBy: string; at: Date; options: DataBoxSendOptions }): Promise<void> {
  const { toHands, personalDelivery, legalTitle } = row.options;
  const fresh = {
    state: 'pending', requested_by: row.requestedBy, requested_at: row.at, claimed_at: null, error_code: null, isds_status_code: null, isds_status_message: null,
    to_hands: toHands, personal_delivery: personalDelivery, legal_title_law: legalTitle?.law ?? null, legal_title_year: legalTitle?.year ?? null,
    legal_title_sect: legalTitle?.sect ?? null, legal_title_par: legalTitle?.par ?? null, legal_title_point: legalTitle?.point ?? null,
  };
  await trx('data_box_sends').insert({ dispatch_id: row.dispatchId, document_id: row.documentId, ...fresh }).onConflict('dispatch_id').merge(fresh);
}

/** The oldest pending requests. */
export async function listPendingSends(db: Knex, limit: number): Promise<DataBoxSendRow[]> {
  return db('data_box_sends').where({ state: 'pending' }).orderBy([{ column: 'requested_at' }, { column: 'dispatch_id' }]).limit(limit);
}

/** Takes a pending request for this run; false when another node (or run) took it first. */
export async function claimSend(db: Knex, dispatchId: string, at: Date): Promise<boolean> {
  const n = await db('data_box_sends').where({ dispatch_id: dispatchId, state: 'pending' }).update({ state: 'sending', claimed_at: at, attempts: db.raw('attempts + 1') });
  return n === 1;
}

/** Back to pending: ISDS certainly did not take the message (the connection or the login was refused). */
export async function releaseSend(db: Knex, dispatchId: string): Promise<void> {
  await db('data_box_sends').where({ dispatch_id: dispatchId, state: 'sending' }).update({ state: 'pending', claimed_at: null });
}

export async function failSend(db: Knex | Knex.Transaction, dispatchId: string, f: { code: string; isdsCode?: string | null; isdsMessage?: string | null }): Promise<void> {
  await db('data_box_sends').where({ dispatch_id: dispatchId, state: 'sending' })
    .update({ state: 'failed', error_code: f.code, isds_status_code: f.isdsCode ?? null, isds_status_message: f.isdsMessage ?? null });
}

export async function markSent(trx: Knex.Transaction, dispatchId: string, dmId: string, at: Date): Promise<void> {
  await trx('data_box_sends').where({ dispatch_id: dispatchId }).update({ state: 'sent', dm_id: dmId, sent_at: at, error_code: null, isds_status_code: null, isds_status_message: null });
}

/**
 * Requests taken longer ago than `before` and never finished: the node died during the call, so
 * nobody knows whether ISDS took the message. They fail (never sent again by themselves).
 */
export async function failInterruptedSends(db: Knex, before: Date): Promise<number> {
  return db('data_box_sends').where({ state: 'sending' }).andWhere('claimed_at', '<', before)
    .update({ state: 'failed', error_code: 'DATA_BOX_SEND_INTERRUPTED', isds_status_code: null, isds_status_message: null });
}

export interface MessageComponentRow {
  id: string;
  file_name: string;
  media_type: string;
  blob_sha256: string | null;
  size: number;
}

/**
 * The files of an outgoing document as it goes out: its components in the order they were made,
 * each in its latest form (a sealed PDF instead of the unsealed one), without what was derived for
 * the records only (conversions, unpacked parts, verification reports, delivery receipts).
 */
export async function listMessageComponents(trx: Knex | Knex.Transaction, documentId: string): Promise<MessageComponentRow[]> {
  const rows: (MessageComponentRow & { source_component_id: string | null; derivation: string | null; destroyed_at: Date | null })[] = await trx('components')
    .where({ document_id: documentId }).orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('id', 'file_name', 'media_type', 'blob_sha256', 'size', 'source_component_id', 'derivation', 'destroyed_at');
  const replaced = new Set(rows.filter((r) => r.derivation === 'sealed' && r.source_component_id).map((r) => r.source_component_id!));
  const originals = rows.filter((r) => (r.derivation === null || r.derivation === 'sealed') && !replaced.has(r.id));
  // a sealed PDF takes its source's place in the order
  const orderOf = (r: (typeof rows)[number]): number => {
    const source = r.derivation === 'sealed' ? rows.find((x) => x.id === r.source_component_id) : undefined;
    return rows.indexOf(source ?? r);
  };
  return originals.sort((a, b) => orderOf(a) - orderOf(b)).map(({ id, file_name, media_type, blob_sha256, size }) => ({ id, file_name, media_type, blob_sha256, size }));
}
