import type { Knex } from 'knex';

/**
 * The confirmation of receipt as a document: the PDF/A rendering kept as a component of the
 * received document (`component_id`, `derivation = 'receipt-confirmation'`) and its sealed version
 * (`sealed_component_id`, the seal service's next version of it), in the language it was issued in
 * (`locale`). Confirmations issued before this keep their text only, until they are rendered.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipt_confirmations', (t) => {
    t.text('locale');
    t.uuid('component_id').references('components.id');
    t.uuid('sealed_component_id').references('components.id');
    t.timestamp('sealed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipt_confirmations', (t) => {
    t.dropColumn('sealed_at');
    t.dropColumn('sealed_component_id');
    t.dropColumn('component_id');
    t.dropColumn('locale');
  });
}
