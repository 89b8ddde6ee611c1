import type { Knex } from 'knex';

/**
 * A file put on disposal hold while it is in a disposal proposal leaves the proposal: the row stays
 * (the proposal's history), marked withdrawn with who, when and why.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('disposal_proposal_files', (t) => {
    t.timestamp('withdrawn_at', { useTz: true });
    t.text('withdrawn_by');
    t.text('withdrawn_reason');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('disposal_proposal_files', (t) => {
    t.dropColumns('withdrawn_at', 'withdrawn_by', 'withdrawn_reason');
  });
}
