import type { Knex } from 'knex';

/** Pozastavení skartační operace (disposal / legal hold): who placed it, when and why. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('files', (t) => {
    t.text('disposal_hold_reason');
    t.text('disposal_hold_by');
    t.timestamp('disposal_hold_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('files', (t) => {
    t.dropColumns('disposal_hold_reason', 'disposal_hold_by', 'disposal_hold_at');
  });
}
