import type { Knex } from 'knex';

/**
 * Journal search over a million rows.
 * - One GIN index over class, state and the trigrams of subject and sender (btree_gin + pg_trgm,
 *   where the server has them): a search combining a common word with a class and a state is
 *   answered inside the index, without visiting the rows that match only one of them. It replaces
 *   the two single-column trigram indexes. A small pending list (128 kB) keeps each search from
 *   scanning up to 4 MB of not yet merged entries after many registrations.
 * - `(received_at, id)` in place of `(received_at)`: the newest-first order of the search, exact.
 * - The `text_pattern_ops` b-trees on `subject_norm` and `sender_norm` served no query (searches
 *   are substring matches); every registration paid for them.
 * Without the extensions (the embedded PGlite) the search runs on the remaining b-trees.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists journal_subject_norm, journal_sender_norm');
  await knex.raw('create index if not exists journal_received_at_id on journal (received_at, id)');
  await knex.raw('drop index if exists journal_received_at');

  const available = await knex.raw(`select name from pg_available_extensions where name in ('pg_trgm', 'btree_gin')`);
  if (available.rows.length < 2) return;
  const installed = await knex.raw(`select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`);
  const schema = installed.rows[0]?.nspname ?? 'public';
  // in the schema of pg_trgm (`public`), shared by databases with one schema per tenant or per test
  await knex.raw(`create extension if not exists pg_trgm schema ${schema}`);
  await knex.raw(`create extension if not exists btree_gin schema ${schema}`);
  await knex.raw(
    `create index if not exists journal_search on journal
     using gin (class_code, state, subject_norm ${schema}.gin_trgm_ops, sender_norm ${schema}.gin_trgm_ops)
     with (gin_pending_list_limit = 128)`,
  );
  await knex.raw('drop index if exists journal_subject_trgm, journal_sender_trgm');
}

export async function down(knex: Knex): Promise<void> {
  const trgm = await knex.raw(`select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`);
  if (trgm.rows.length) {
    const schema = trgm.rows[0].nspname;
    await knex.raw(`create index if not exists journal_subject_trgm on journal using gin (subject_norm ${schema}.gin_trgm_ops)`);
    await knex.raw(`create index if not exists journal_sender_trgm on journal using gin (sender_norm ${schema}.gin_trgm_ops)`);
  }
  await knex.raw('drop index if exists journal_search');
  await knex.raw('create index if not exists journal_received_at on journal (received_at)');
  await knex.raw('drop index if exists journal_received_at_id');
  await knex.raw('create index if not exists journal_subject_norm on journal (subject_norm text_pattern_ops)');
  await knex.raw('create index if not exists journal_sender_norm on journal (sender_norm text_pattern_ops)');
}
