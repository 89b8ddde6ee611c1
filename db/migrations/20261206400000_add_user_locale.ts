import type { Knex } from 'knex';

/**
 * The language a clerk uses the back-office in (cs, en, uk; null = never chosen, Czech), remembered
 * at login and when they switch it, so that e-mails to that clerk (an undeliverable data message)
 * are written in it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('locale');
  });
  await knex.raw(`alter table users add constraint users_locale_check check (locale in ('cs', 'en', 'uk'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('locale'); // its check goes with it
  });
}
