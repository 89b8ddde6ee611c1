import type { Knex } from 'knex';

/**
 * Trigram indexes for accent-insensitive "contains" search of subjects and senders, where the
 * server offers pg_trgm (PostgreSQL with contrib). The embedded PGlite has no extensions loaded;
 * there the same queries run without these indexes, which suits its small data.
 */
export async function up(knex: Knex): Promise<void> {
  const available = await knex.raw(`select installed_version from pg_available_extensions where name = 'pg_trgm'`);
  if (!available.rows.length) return;
  const installedElsewhere = await knex.raw(`select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`);
  const schema = installedElsewhere.rows[0]?.nspname ?? 'public';
  // in `public`, so databases with one schema per tenant or per test share the one extension
  await knex.raw(`create extension if not exists pg_trgm schema ${schema}`);
  await knex.raw(`create index if not exists journal_subject_trgm on journal using gin (subject_norm ${schema}.gin_trgm_ops)`);
  await knex.raw(`create index if not exists journal_sender_trgm on journal using gin (sender_norm ${schema}.gin_trgm_ops)`);
  await knex.raw(`create index if not exists files_subject_trgm on files using gin (subject_norm ${schema}.gin_trgm_ops)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists journal_subject_trgm, journal_sender_trgm, files_subject_trgm');
}
