import type { Knex } from 'knex';

/**
 * Message start events with a correlation key (Zeebe): an instance remembers the correlation key
 * of the message that started it, so that no second instance of the process starts for the same
 * key while it is active.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_process_instances', (t) => {
    t.text('start_correlation_key');
  });
  await knex.raw(`create index engine_process_instances_start_key on engine_process_instances (bpmn_process_id, start_correlation_key)
    where state = 'ACTIVE' and start_correlation_key is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists engine_process_instances_start_key');
  await knex.schema.alterTable('engine_process_instances', (t) => t.dropColumn('start_correlation_key'));
}
