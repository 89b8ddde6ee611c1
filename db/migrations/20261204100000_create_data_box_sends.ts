import type { Knex } from 'knex';

/**
 * Sending an outgoing document through the data box (CreateMessage) is asked for by the registry
 * office and done by a periodic step: one row per document is the durable request (`pending`), taken
 * by one node at a time (`sending`), and ends `sent` (with the data message's ID, in the same
 * transaction as the dispatch) or `failed` (with what ISDS said), from which it may be asked again.
 * A row is never sent twice by itself: a `sending` row left by a crash becomes `failed`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('data_box_sends', (t) => {
    t.uuid('document_id').primary().references('documents.id');
    t.text('state').notNullable(); // pending | sending | sent | failed
    t.text('requested_by').notNullable(); // user:<username>
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('claimed_at', { useTz: true });
    t.text('dm_id');
    t.timestamp('sent_at', { useTz: true });
    t.text('error_code'); // ISDS_STATUS (with the ISDS status code and message), ISDS_UNREACHABLE, ...
    t.text('isds_status_code');
    t.text('isds_status_message');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // the few rows waiting for the sender
  await knex.raw(`create index data_box_sends_waiting on data_box_sends (requested_at) where state in ('pending', 'sending')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('data_box_sends');
}
