import type { Knex } from 'knex';

/**
 * The documents addressed to a party, found by an index: a party's page in the parties register
 * (its documents as sender or addressee) and the merge of a duplicate (`mergeParties` moves both)
 * look documents up by `addressee_party_id`, which only `sender_party_id` had an index for, so each
 * read the whole table. Partial: only outgoing documents have an addressee, so a registration of a
 * received document pays for no entry.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index documents_addressee_party_id_index on documents (addressee_party_id) where addressee_party_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index documents_addressee_party_id_index');
}
