import type { Knex } from 'knex';

/**
 * Fewer index entries per registered document, the same look-ups and the same uniqueness.
 * - `journal.reference_number` had two b-trees: the unique constraint and `text_pattern_ops` for
 *   the prefix search. One unique `text_pattern_ops` index (the constraint's name kept) does both:
 *   it serves `=` as well as `like 'prefix%'`, and enforces uniqueness the same.
 * - `documents.render_key`, `documents.submission_id` and `components.source_component_id` are
 *   empty for most rows (registered documents, original components), yet every row got an index
 *   entry. Partial indexes (`where … is not null`) keep them for the rows that have a value; every
 *   query and foreign-key check looks them up by `=`, which implies not null.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table journal drop constraint journal_reference_number_unique');
  await knex.raw('create unique index journal_reference_number_unique on journal (reference_number text_pattern_ops)');
  await knex.raw('drop index journal_reference_pattern');
  await knex.raw('alter table documents drop constraint documents_render_key_unique');
  await knex.raw('create unique index documents_render_key_unique on documents (render_key) where render_key is not null');
  await knex.raw('drop index documents_submission_id_index');
  await knex.raw('create index documents_submission_id_index on documents (submission_id) where submission_id is not null');
  await knex.raw('drop index components_source_component_id_index');
  await knex.raw('create index components_source_component_id_index on components (source_component_id) where source_component_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index components_source_component_id_index');
  await knex.raw('create index components_source_component_id_index on components (source_component_id)');
  await knex.raw('drop index documents_submission_id_index');
  await knex.raw('create index documents_submission_id_index on documents (submission_id)');
  await knex.raw('drop index documents_render_key_unique');
  await knex.raw('alter table documents add constraint documents_render_key_unique unique (render_key)');
  await knex.raw('create index journal_reference_pattern on journal (reference_number text_pattern_ops)');
  await knex.raw('drop index journal_reference_number_unique');
  await knex.raw('alter table journal add constraint journal_reference_number_unique unique (reference_number)');
}
