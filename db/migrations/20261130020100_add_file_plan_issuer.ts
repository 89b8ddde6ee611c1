import type { Knex } from 'knex';

/** The issuer of a file plan as NSESSS exports it: organisation identifier (IČO) and seat. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('file_plans', (t) => {
    t.text('issuer_id').notNullable().defaultTo('');
    t.text('issuer_seat').notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('file_plans', (t) => t.dropColumns('issuer_id', 'issuer_seat'));
}
