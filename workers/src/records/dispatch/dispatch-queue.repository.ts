import type { Knex } from 'knex';
import type { Channel } from '../records.model';

/** Only SQL: what the dispatch list of the registry office (výpravna) shows. */

export interface DispatchRow {
  document_id: string;
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
 * One page of outgoing documents of every unit: created and not yet dispatched (only in open files:
 * a closed file cannot have a document dispatched), or dispatched and not yet delivered. The oldest
 * first, so nothing waits for ever; one row more than the page tells there is a next one.
 */
export async function listDispatchQueue(db: Knex, f: DispatchFilter): Promise<{ rows: DispatchRow[]; hasNext: boolean }> {
  const q = db('documents as d')
    .join('files as f', 'f.id', 'd.file_id')
    .leftJoin('journal as j', 'j.document_id', 'd.id')
    .leftJoin('parties as p', 'p.id', 'd.addressee_party_id')
    .leftJoin('data_box_sends as s', 's.document_id', 'd.id')
    .where('d.direction', 'outgoing')
    .select(
      'd.id as document_id', 'd.jid', 'd.reference_number', 'd.subject', 'd.channel', 'd.form', 'd.state', 'd.created_at', 'd.dispatched_at', 'd.data_box_message_id', 'd.data_box_status',
      'f.id as file_id', 'f.file_reference', 'f.org_unit', db.raw('coalesce(p.display_name, j.addressee) as addressee'),
      'p.data_box_id as addressee_data_box_id', 'p.email as addressee_email', 'p.street as addressee_street', 'p.city as addressee_city', 'p.postcode as addressee_postcode',
      's.state as send_state', 's.error_code as send_error_code', 's.isds_status_code as send_isds_status_code', 's.isds_status_message as send_isds_status_message',
    );
  if (f.stage === 'to-dispatch') q.andWhere('d.state', 'created').andWhere('f.state', 'open');
  else q.andWhere('d.state', 'dispatched');
  if (f.orgUnit) q.andWhere('f.org_unit', f.orgUnit);
  if (f.channel) q.andWhere('d.channel', f.channel);
  const order = f.stage === 'to-dispatch' ? 'd.created_at' : 'd.dispatched_at';
  const rows: DispatchRow[] = await q.orderBy([{ column: order, order: 'asc' }, { column: 'd.jid' }]).limit(f.pageSize + 1).offset((f.page - 1) * f.pageSize);
  return { rows: rows.slice(0, f.pageSize), hasNext: rows.length > f.pageSize };
}

/** The units that have files, for the list's filter. */
export async function listFileUnits(db: Knex): Promise<string[]> {
  return db('files').whereNotNull('org_unit').distinct('org_unit').orderBy('org_unit').pluck('org_unit');
}
