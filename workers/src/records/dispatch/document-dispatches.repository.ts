import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { Channel } from '../records.model';

/**
 * Only SQL: the dispatches of an outgoing document (`document_dispatches`, NSESSS tVypraveni), one per
 * addressee, and the document's summary of them.
 */

export type DispatchState = 'created' | 'dispatched' | 'delivered';

export interface DocumentDispatchRow {
  id: string;
  document_id: string;
  position: number;
  party_id: string | null;
  addressee: string | null;
  channel: Channel | null;
  state: DispatchState;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  deemed: boolean;
  data_box_message_id: string | null;
  data_box_status: number | null;
  data_box_checked_at: Date | null;
  delivery_receipt_component_id: string | null;
  created_at: Date;
}

export async function listDocumentDispatches(db: Knex | Knex.Transaction, documentId: string): Promise<DocumentDispatchRow[]> {
  return db('document_dispatches').where({ document_id: documentId }).orderBy('position');
}

/** The dispatches of several documents at once, by document, each in its order. */
export async function dispatchesOfDocuments(db: Knex | Knex.Transaction, documentIds: string[]): Promise<Map<string, DocumentDispatchRow[]>> {
  const byDoc = new Map<string, DocumentDispatchRow[]>();
  if (!documentIds.length) return byDoc;
  const rows: DocumentDispatchRow[] = await db('document_dispatches').whereIn('document_id', documentIds).orderBy([{ column: 'document_id' }, { column: 'position' }]);
  for (const r of rows) byDoc.set(r.document_id, [...(byDoc.get(r.document_id) ?? []), r]);
  return byDoc;
}

/**
 * The dispatches of an outgoing document, its first made from the document's own addressee, way and
 * dates when it has none yet (a document registered before dispatches were kept per addressee, or by
 * a step that knows only one addressee). In the caller's transaction, with the document locked.
 */
export async function ensureDispatches(
  trx: Knex.Transaction,
  doc: { id: string; addressee_party_id: string | null; channel: string | null; state: string; dispatched_at: Date | null; delivered_at: Date | null; data_box_message_id?: string | null; data_box_status?: number | null; created_at: Date },
): Promise<DocumentDispatchRow[]> {
  const existing = await listDocumentDispatches(trx, doc.id);
  if (existing.length) return existing;
  const party = doc.addressee_party_id ? await trx('parties').where({ id: doc.addressee_party_id }).first('display_name') : null;
  const journal = party ? null : await trx('journal').where({ document_id: doc.id }).first('addressee');
  await trx('document_dispatches').insert({
    id: randomUUID(), document_id: doc.id, position: 1, party_id: doc.addressee_party_id, addressee: party?.display_name ?? journal?.addressee ?? null,
    channel: doc.channel === 'internal' ? null : doc.channel,
    state: doc.dispatched_at && doc.delivered_at ? 'delivered' : doc.dispatched_at ? 'dispatched' : 'created',
    dispatched_at: doc.dispatched_at, delivered_at: doc.delivered_at, data_box_message_id: doc.data_box_message_id ?? null, data_box_status: doc.data_box_status ?? null,
    created_at: doc.created_at,
  });
  return listDocumentDispatches(trx, doc.id);
}

/**
 * The dispatch a form or a step means: the one named (of this document), or — none named — the only
 * one that is in `state`. Several candidates and none named is DISPATCH_ADDRESSEE_REQUIRED.
 */
export function pickDispatch(rows: DocumentDispatchRow[], dispatchId: string | null | undefined, state: DispatchState, jid: string): DocumentDispatchRow {
  if (dispatchId) {
    const row = rows.find((r) => r.id === dispatchId);
    if (!row) throw new DomainError('DISPATCH_NOT_FOUND', `document ${jid} has no dispatch ${dispatchId}`);
    return row;
  }
  const candidates = rows.filter((r) => r.state === state);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) return rows[rows.length - 1];
  throw new DomainError('DISPATCH_ADDRESSEE_REQUIRED', `document ${jid} has ${candidates.length} addressees to choose from`);
}

/**
 * The document and its journal row as the summary of its dispatches: `dispatched` when every dispatch
 * is (on the last dispatch day), `delivered` when every one is (on the last delivery day: a decision's
 * legal force follows the last delivery); the addressee, way and data message of the first dispatch;
 * the journal names every addressee. A cancelled document keeps its state.
 */
export async function summariseDispatches(trx: Knex.Transaction, documentId: string): Promise<void> {
  const rows = await listDocumentDispatches(trx, documentId);
  if (!rows.length) return;
  const doc = await trx('documents').where({ id: documentId }).first('state');
  const latest = (ds: (Date | null)[]) => ds.reduce<Date | null>((m, d) => (d && (!m || new Date(d) > m) ? new Date(d) : m), null);
  const allDispatched = rows.every((r) => r.state !== 'created');
  const allDelivered = rows.every((r) => r.state === 'delivered');
  const dispatchedAt = allDispatched ? latest(rows.map((r) => r.dispatched_at)) : null;
  const deliveredAt = allDelivered ? latest(rows.map((r) => r.delivered_at)) : null;
  const first = rows[0];
  const documentUpdate: Record<string, unknown> = {
    dispatched_at: dispatchedAt, delivered_at: deliveredAt, addressee_party_id: first.party_id, ...(first.channel ? { channel: first.channel } : {}),
    data_box_message_id: first.data_box_message_id, data_box_status: first.data_box_status, data_box_checked_at: first.data_box_checked_at,
  };
  if (doc && doc.state !== 'cancelled') documentUpdate.state = allDelivered ? 'delivered' : allDispatched ? 'dispatched' : 'created';
  await trx('documents').where({ id: documentId }).update(documentUpdate);
  const names = rows.map((r) => r.addressee).filter((n): n is string => !!n);
  await trx('journal').where({ document_id: documentId }).update({
    dispatched_at: dispatchedAt, delivered_at: deliveredAt, addressee_party_id: first.party_id, addressee: names.length ? names.join('; ') : null,
    ...(first.channel ? { channel: first.channel } : {}),
  });
}
