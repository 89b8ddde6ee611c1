import type { Knex } from 'knex';

/**
 * Embedded engine, second step: history details, iteration-local variables of multi-instance
 * jobs and tasks, call activities (child instances know their parent), and start events that
 * create instances (message start subscriptions and start timers, kept for the latest version).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_events', (t) => {
    t.jsonb('details'); // VARIABLES_CHANGED: the new values; incidents: key, type, message
  });
  await knex.schema.alterTable('engine_jobs', (t) => {
    t.jsonb('local_variables'); // e.g. the inputElement of a multi-instance iteration
  });
  await knex.schema.alterTable('engine_user_tasks', (t) => {
    t.jsonb('local_variables');
  });
  await knex.schema.alterTable('engine_process_instances', (t) => {
    t.bigInteger('parent_instance_key').references('engine_process_instances.key');
    t.text('parent_execution_id'); // the call activity's execution in the parent
    t.text('parent_element_id');
    t.index(['parent_instance_key']);
  });
  await knex.schema.createTable('engine_start_events', (t) => {
    t.bigIncrements('key');
    t.bigInteger('definition_key').notNullable().references('engine_process_definitions.key');
    t.text('bpmn_process_id').notNullable();
    t.text('element_id').notNullable();
    t.text('kind').notNullable(); // MESSAGE | TIMER
    t.text('message_name');
    t.text('timer'); // timeDate, timeDuration or timeCycle as written
    t.timestamp('due_at', { useTz: true }); // next firing of a start timer
    t.integer('remaining'); // repetitions left of a cycle; null = unbounded
    t.index(['message_name']);
    t.index(['due_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('engine_start_events');
  await knex.schema.alterTable('engine_process_instances', (t) => {
    t.dropIndex(['parent_instance_key']);
    t.dropColumn('parent_instance_key');
    t.dropColumn('parent_execution_id');
    t.dropColumn('parent_element_id');
  });
  await knex.schema.alterTable('engine_user_tasks', (t) => t.dropColumn('local_variables'));
  await knex.schema.alterTable('engine_jobs', (t) => t.dropColumn('local_variables'));
  await knex.schema.alterTable('engine_events', (t) => t.dropColumn('details'));
}
