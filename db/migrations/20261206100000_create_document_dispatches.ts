import type { Knex } from 'knex';

/**
 * An outgoing document goes to several addressees, each with its own dispatch (vypravení, NSESSS
 * tVypraveni: a document has many): `document_dispatches` keeps, per addressee, the party of the
 * register (and its name as it was), the way of dispatch, the state (created → dispatched →
 * delivered), the days, deemed delivery, the data message's ID and state, and the signed delivery
 * receipt. The document's own dispatch columns stay as the summary of its dispatches (dispatched
 * when all are, delivered when all are, on the last day). Each existing outgoing document's single
 * addressee becomes its first dispatch with everything recorded so far, and the durable requests to
 * send through the data box (`data_box_sends`) become requests of that dispatch.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table document_dispatches (
      id uuid primary key,
      document_id uuid not null references documents(id),
      position integer not null,
      party_id uuid references parties(id),
      addressee text,
      channel text,
      state text not null default 'created',
      dispatched_at timestamptz,
      delivered_at timestamptz,
      deemed boolean not null default false,
      data_box_message_id text,
      data_box_status integer,
      data_box_checked_at timestamptz,
      delivery_receipt_component_id uuid references components(id),
      created_at timestamptz not null default now(),
      unique (document_id, position)
    )`);
  await knex.raw('create index document_dispatches_party_id_index on document_dispatches (party_id) where party_id is not null');
  // the messages still waiting for their delivery: few, asked about periodically
  await knex.raw(`create index document_dispatches_data_box_pending on document_dispatches (data_box_checked_at nulls first) where state = 'dispatched' and data_box_message_id is not null`);
  await knex.raw(`
    insert into document_dispatches (id, document_id, position, party_id, addressee, channel, state, dispatched_at, delivered_at, deemed,
      data_box_message_id, data_box_status, data_box_checked_at, delivery_receipt_component_id, created_at)
    select gen_random_uuid(), d.id, 1, d.addressee_party_id, coalesce(p.display_name, j.addressee),
      case when d.channel = 'internal' then null else d.channel end,
      case when d.dispatched_at is not null and d.delivered_at is not null then 'delivered' when d.dispatched_at is not null then 'dispatched' else 'created' end,
      d.dispatched_at, d.delivered_at,
      coalesce(d.data_box_status = 5, false) or exists (select 1 from audit_log a where a.object_id = d.id::text and a.event_type = 'Doruceno' and a.details->>'deemed' = 'true'),
      d.data_box_message_id, d.data_box_status, d.data_box_checked_at,
      (select c.id from components c where c.document_id = d.id and c.derivation = 'delivery-receipt' order by c.created_at, c.id limit 1),
      d.created_at
    from documents d
    left join parties p on p.id = d.addressee_party_id
    left join journal j on j.document_id = d.id
    where d.direction = 'outgoing'`);
  await knex.raw('alter table data_box_sends add column dispatch_id uuid references document_dispatches(id)');
  await knex.raw('update data_box_sends s set dispatch_id = (select x.id from document_dispatches x where x.document_id = s.document_id and x.position = 1)');
  await knex.raw('alter table data_box_sends alter column dispatch_id set not null');
  await knex.raw('alter table data_box_sends drop constraint data_box_sends_pkey');
  await knex.raw('alter table data_box_sends add primary key (dispatch_id)');
  await knex.raw('create index data_box_sends_document_id_index on data_box_sends (document_id)');
}

export async function down(knex: Knex): Promise<void> {
  // only the first dispatch's request can go back to one request per document
  await knex.raw('delete from data_box_sends s where s.dispatch_id not in (select x.id from document_dispatches x where x.position = 1)');
  await knex.raw('drop index data_box_sends_document_id_index');
  await knex.raw('alter table data_box_sends drop constraint data_box_sends_pkey');
  await knex.raw('alter table data_box_sends add primary key (document_id)');
  await knex.raw('alter table data_box_sends drop column dispatch_id');
  await knex.raw('drop table document_dispatches');
}
