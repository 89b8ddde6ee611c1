import type { Knex } from 'knex';

/**
 * Incoming-document processing (issue 4): the detected format of a component, where a derived
 * component came from (unpacked from a container, converted to PDF/A, a verification report),
 * and the result of verifying the signatures on a component.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('components', (t) => {
    t.text('format'); // detected by content, e.g. pdf, docx, eml, zfo, asic-e (null = not yet detected)
    t.uuid('source_component_id').references('components.id');
    t.text('derivation'); // unpacked | converted | verification-report (null = original)
    t.jsonb('derivation_details'); // unpacked: { container, path }; converted: { tool, toolVersion, filter, at }
    t.index(['source_component_id']);
  });
  await knex.schema.createTable('signature_verifications', (t) => {
    t.uuid('id').primary();
    t.uuid('component_id').notNullable().unique().references('components.id');
    t.text('format').notNullable(); // pades | cades | xades | asic-s | asic-e | none
    t.text('verdict').notNullable(); // valid | invalid | indeterminate | unsigned (ETSI EN 319 102-1 main indications)
    t.jsonb('signatures').notNullable(); // one entry per signature: indication, subIndication, signer, time stamp, chain
    t.uuid('report_component_id').references('components.id');
    t.timestamp('verified_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('signature_verifications');
  await knex.schema.alterTable('components', (t) => {
    t.dropIndex(['source_component_id']);
    t.dropColumn('derivation_details');
    t.dropColumn('derivation');
    t.dropColumn('source_component_id');
    t.dropColumn('format');
  });
}
