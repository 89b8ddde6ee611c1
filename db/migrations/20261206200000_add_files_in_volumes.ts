import type { Knex } from 'knex';

/**
 * NSESSS 2023 (nsesss-common.xsd, tDil): a volume (díl) of a typed file opened under the 2023
 * decree holds files (spisy), not loose documents. A file in a volume names it (`volume_id`); a
 * volume that already holds documents keeps them as a legacy volume (its SIP lists them as
 * Dokumenty) and takes no files. Parts (součásti) close and reopen like files: when and by whom,
 * with the reason, and when they were last reopened.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('files', (t) => {
    t.uuid('volume_id').references('files.id');
    t.index(['volume_id']);
  });
  await knex.raw(`alter table files add constraint files_volume_holds_files check (volume_id is null or kind = 'file')`);
  await knex.schema.alterTable('file_parts', (t) => {
    t.timestamp('closed_at', { useTz: true });
    t.text('closed_by');
    t.text('closure_reason');
    t.timestamp('reopened_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('file_parts', (t) => {
    t.dropColumn('reopened_at');
    t.dropColumn('closure_reason');
    t.dropColumn('closed_by');
    t.dropColumn('closed_at');
  });
  await knex.raw('alter table files drop constraint if exists files_volume_holds_files');
  await knex.schema.alterTable('files', (t) => {
    t.dropIndex(['volume_id']);
    t.dropColumn('volume_id');
  });
}
