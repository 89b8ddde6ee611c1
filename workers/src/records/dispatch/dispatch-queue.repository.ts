import type { Knex } from 'knex';
import type { Channel } from '../records.model';

/** Only SQL: what the dispatch list of the registry office (výpravna) shows. */

export interface DispatchRow {
  document_id: string;
  /** the addressee's dispatch (none yet for a document that never had one made: its only addressee) */
  dispatch_id: string | null;
  /** the document's addressees in all, for "and N more" */
  addressee_count: number;
  jid: string;
  reference_number: string | null;
  subject: string;
  channel: Channel | null;
  form: 'electronic' | 'analog';
  state: 'created' | 'dispatched';
  created_at: Date;
  dispatched_at: Date | null;
  /** the data message's ID (dmID) and the last state ISDS reported for it */
  data_box_message_id: string | null;
  data_box_status: number | null;
  /** the document: created until every addressee's dispatch is made */
  document_state: string;
  file_id: string;
  file_reference: string | null;
  org_unit: string | null;
  addressee: string | null;
  addressee_data_box_id: string | null;
  addressee_email: string | null;
  addressee_street: string | null;
  addressee_city: string | null;
  addressee_postcode: string | null;
  /** the registry office's request to send it through the data box (data_box_sends), if any */
  send_state: 'pending' | 'sending' | 'sent' | 'failed' | null;
  send_error_code: string | null;
  send_isds_status_code: string | null;
  send_isds_status_message: string | null;
}

export interface DispatchFilter {
  /** waiting to be sent (default), or sent and waiting for the delivery to be recorded */
  stage: 'to-dispatch' | 'to-deliver';
  /** the unit of the document's file */
  orgUnit?: string;
  channel?: Channel;
  page: number;
  pageSize: number;
}

/**
 * One page of the addressees' dispatches of outgoing documents of every unit, a row each: not yet
 * made (only of created documents in open files: a closed file cannot have a document dispatched),
 * or made and not yet delivered. The oldest
 * first, so nothing waits for ever; one row more than the page tells there is a next one.
 */
export async function listDispatchQueue(db: Knex, f: DispatchFilter): Promise<{ rows: DispatchRow[]; hasNext: boolean }> {
  const q = db('documents as d')
    .join('files as f', 'f.id', 'd.file_id')
    .leftJoin('journal as j', 'j.document_id', 'd.id')
    .leftJoin('document_dispatches as x', 'x.document_id', 'd.id')
    .leftJoin('parties as p', 'p.id', db.raw('coalesce(x.party_id, d.addressee_party_id)'))
    .leftJoin('data_box_sends as s', 's.dispatch_id', 'x.id')
    .where('d.direction', 'outgoing')
    .select(
      'd.id as document_id', 'x.id as dispatch_id', 'd.jid', 'd.reference_number', 'd.subject', db.raw('coalesce(x.channel, d.channel) as channel'), 'd.form',
      db.raw(`coalesce(x.state, case when d.state = 'delivered' then 'delivered' when d.state = 'dispatched' then 'dispatched' else 'created' end) as state`), 'd.state as document_state',
      'd.created_at', db.raw('coalesce(x.dispatched_at, d.dispatched_at) as dispatched_at'),
      db.raw('case when x.id is null then d.data_box_message_id else x.data_box_message_id end as data_box_message_id'),
      db.raw('case when x.id is null then d.data_box_status else x.data_box_status end as data_box_status'),
      db.raw('(select count(*) from document_dispatches c where c.document_id = d.id)::int as addressee_count'),
      'f.id as file_id', 'f.file_reference', 'f.org_unit', db.raw('coalesce(p.display_name, x.addressee, j.addressee) as addressee'),
      'p.data_box_id as addressee_data_box_id', 'p.email as addressee_email', 'p.street as addressee_street', 'p.city as addressee_city', 'p.postcode as addressee_postcode',
      's.state as send_state', 's.error_code as send_error_code', 's.isds_status_code as send_isds_status_code', 's.isds_status_message as send_isds_status_message',
    );
  if (f.stage === 'to-dispatch') q.andWhere('d.state', 'created').andWhere('f.state', 'open').andWhere((w) => w.whereNull('x.id').orWhere('x.state', 'created'));
  else q.andWhere((w) => w.where('x.state', 'dispatched').orWhere((v) => v.whereNull('x.id').andWhere('d.state', 'dispatched'))).andWhereNot('d.state', 'cancelled');
  if (f.orgUnit) q.andWhere('f.org_unit', f.orgUnit);
  if (f.channel) q.andWhereRaw('coalesce(x.channel, d.channel) = ?', [f.channel]);
  const order = f.stage === 'to-dispatch' ? 'd.created_at' : 'coalesce(x.dispatched_at, d.dispatched_at)';
  const rows: DispatchRow[] = await q.orderByRaw(`${order} asc, d.jid asc, x.position asc`).limit(f.pageSize + 1).offset((f.page - 1) * f.pageSize);
  return { rows: rows.slice(0, f.pageSize), hasNext: rows.length > f.pageSize };
}

/** The units that have files, for the list's filter. */
export async function listFileUnits(db: Knex): Promise<string[]> {
  return db('files').whereNotNull('org_unit').distinct('org_unit').orderBy('org_unit').pluck('org_unit');
}
