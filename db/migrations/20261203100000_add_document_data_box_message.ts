import type { Knex } from 'knex';

/**
 * An outgoing document sent through the data box keeps the ID of its data message (dmID), so its
 * delivery can be taken over from ISDS; with the last message state ISDS reported (dmMessageStatus)
 * and when it was asked, so the periodic step asks about the longest-unasked messages first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.text('data_box_message_id');
    t.integer('data_box_status');
    t.timestamp('data_box_checked_at', { useTz: true });
  });
  // the messages still waiting for their delivery: few, asked about periodically
  await knex.raw(`create index documents_data_box_pending on documents (data_box_checked_at nulls first) where state = 'dispatched' and data_box_message_id is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists documents_data_box_pending');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumns('data_box_message_id', 'data_box_status', 'data_box_checked_at');
  });
}
