import type { Knex } from 'knex';

/**
 * Indexes that no query uses, dropped: every registration paid for their entries.
 * - `journal_state`: the journal search checks the state on the rows it found (`(state || '') = ?`,
 *   on purpose: a state covers half the journal), and nothing else looks the journal up by state.
 * - `files_subject_norm` (`text_pattern_ops`): the file search matches a substring (`like '%…%'`),
 *   which such a b-tree cannot serve; on PostgreSQL `files_subject_trgm` does.
 * - `journal_class_code`, where the journal search GIN index (`journal_search`, PostgreSQL with
 *   pg_trgm and btree_gin) exists: it holds the class code too, and the planner took it for every
 *   search shape of `bench:records` over 1,000,000 rows with and without the b-tree. Without the
 *   extensions (PGlite) the b-tree stays: the class is the search's only index there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists journal_state, files_subject_norm');
  const gin = await knex.raw(`select 1 from pg_indexes where schemaname = current_schema() and indexname = 'journal_search'`);
  if (gin.rows.length) await knex.raw('drop index if exists journal_class_code');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists journal_class_code on journal (class_code)');
  await knex.raw('create index if not exists journal_state on journal (state)');
  await knex.raw('create index if not exists files_subject_norm on files (subject_norm text_pattern_ops)');
}
