import type { Knex } from 'knex';

/**
 * The client's idempotency key of a submission (HTTP header `Idempotency-Key`): the portal sends the
 * same key when the citizen submits the same form again after a timeout, and the API answers with the
 * submission it already has instead of creating a second one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.text('idempotency_key').unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('idempotency_key');
  });
}
