import type { Knex } from 'knex';

/**
 * Tables of the embedded engine (@openspis/engine). bpmn-engine keeps its own state as one JSON
 * document per instance; everything another node or a person must see or lock (jobs, timers,
 * subscriptions, user tasks, incidents) is a row here, written in the same transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_process_definitions', (t) => {
    t.bigIncrements('key');
    t.text('bpmn_process_id').notNullable();
    t.integer('version').notNullable();
    t.text('sha256').notNullable();
    t.text('resource_name').notNullable();
    t.text('xml').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['bpmn_process_id', 'version']);
  });

  await knex.schema.createTable('engine_process_instances', (t) => {
    t.bigIncrements('key');
    t.bigInteger('definition_key').notNullable().references('engine_process_definitions.key');
    t.text('bpmn_process_id').notNullable();
    t.integer('version').notNullable();
    t.text('state').notNullable(); // ACTIVE | COMPLETED | TERMINATED
    t.jsonb('variables').notNullable();
    t.text('engine_state'); // bpmn-engine getState() without the definition source
    t.timestamp('start_date', { useTz: true }).notNullable();
    t.timestamp('end_date', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('engine_jobs', (t) => {
    t.bigIncrements('key');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id').notNullable();
    // bpmn-engine execution id: the same after recover, so a re-executed task finds its job
    t.text('execution_id').notNullable();
    t.text('type').notNullable();
    t.integer('retries').notNullable();
    t.text('state').notNullable(); // ACTIVATABLE | ACTIVATED | FAILED | ERROR_THROWN | COMPLETED | CANCELED
    t.timestamp('deadline', { useTz: true });
    t.text('worker');
    t.timestamp('backoff_until', { useTz: true });
    t.jsonb('custom_headers').notNullable();
    t.text('error_message');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['instance_key', 'execution_id']);
    t.index(['type', 'state']);
  });

  await knex.schema.createTable('engine_timers', (t) => {
    t.bigIncrements('key');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable().index();
    t.unique(['instance_key', 'execution_id']);
  });

  await knex.schema.createTable('engine_message_subscriptions', (t) => {
    t.bigIncrements('key');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('message_ref').notNullable(); // id of the bpmn:message, what bpmn-engine is signalled with
    t.text('message_name').notNullable();
    t.text('correlation_key').notNullable();
    t.unique(['instance_key', 'execution_id']);
    t.index(['message_name', 'correlation_key']);
  });

  await knex.schema.createTable('engine_messages', (t) => {
    t.bigIncrements('key');
    t.text('name').notNullable();
    t.text('correlation_key').notNullable();
    t.text('message_id');
    t.jsonb('variables').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('correlated_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['name', 'correlation_key']);
  });

  await knex.schema.createTable('engine_user_tasks', (t) => {
    t.bigIncrements('key');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id').notNullable();
    t.text('execution_id').notNullable();
    t.text('name').notNullable();
    t.text('state').notNullable(); // CREATED | COMPLETED | CANCELED
    t.text('assignee');
    t.jsonb('candidate_groups').notNullable();
    t.jsonb('candidate_users').notNullable();
    t.text('form_id');
    t.text('due_date');
    t.text('follow_up_date');
    t.integer('priority').notNullable().defaultTo(50);
    t.timestamp('creation_date', { useTz: true }).notNullable();
    t.timestamp('completion_date', { useTz: true });
    t.unique(['instance_key', 'execution_id']);
    t.index(['state']);
  });

  await knex.schema.createTable('engine_incidents', (t) => {
    t.bigIncrements('key');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id').notNullable();
    t.bigInteger('job_key');
    t.text('error_type').notNullable();
    t.text('error_message').notNullable();
    t.text('state').notNullable(); // ACTIVE | RESOLVED
    t.timestamp('creation_time', { useTz: true }).notNullable();
    t.timestamp('resolved_at', { useTz: true });
    t.index(['instance_key']);
  });

  await knex.schema.createTable('engine_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('instance_key').notNullable().references('engine_process_instances.key');
    t.text('element_id');
    t.text('element_type');
    t.text('event').notNullable(); // ELEMENT_ENTERED | ELEMENT_LEFT | INCIDENT_CREATED | ...
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.index(['instance_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['engine_events', 'engine_incidents', 'engine_user_tasks', 'engine_messages', 'engine_message_subscriptions',
    'engine_timers', 'engine_jobs', 'engine_process_instances', 'engine_process_definitions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
