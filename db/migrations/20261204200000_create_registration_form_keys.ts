import type { Knex } from 'knex';

/**
 * One registration per filled-in form of the back-office (records-register.route.ts): the form
 * carries a random key, claimed (without a document) just before registerRecord and given the
 * document afterwards. A second post of the same form — a double click, a reload after a slow
 * upload — finds the key and shows that document's confirmation instead of registering it again; a
 * refused registration frees its key. Keys older than a day are deleted as new ones are claimed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registration_form_keys', (t) => {
    t.uuid('key').primary();
    t.text('username').notNullable();
    t.uuid('document_id').references('documents.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.raw('create index registration_form_keys_created_at on registration_form_keys (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('registration_form_keys');
}
