import type { Knex } from 'knex';

/**
 * Outgoing documents (issue 4): `documents.render_key` makes rendering idempotent per job (one
 * document per process instance and element instance), `component_seals` records each electronic
 * seal placed on a component (the sealed PDF is a new version of the component).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.text('render_key').unique(); // `<processInstanceKey>:<elementInstanceKey>` of the rendering job
  });
  await knex.schema.createTable('component_seals', (t) => {
    t.uuid('id').primary();
    t.uuid('document_id').notNullable().references('documents.id');
    t.uuid('source_component_id').notNullable().unique().references('components.id'); // the unsealed PDF
    t.uuid('sealed_component_id').notNullable().unique().references('components.id');
    t.text('level').notNullable(); // PAdES baseline level reached: B-B | B-T
    t.text('signer_subject').notNullable();
    t.text('certificate_sha256').notNullable();
    t.boolean('qualified').notNullable(); // false for the generated dev seal
    t.text('key_source').notNullable(); // dev | pkcs12 | pkcs11 (never a secret)
    t.timestamp('signing_time', { useTz: true }).notNullable();
    t.timestamp('timestamp_time', { useTz: true }); // genTime of the RFC 3161 token (B-T)
    t.text('tsa_subject');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['document_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('component_seals');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('render_key');
  });
}
