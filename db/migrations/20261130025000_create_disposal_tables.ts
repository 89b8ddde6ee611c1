import type { Knex } from 'knex';

/**
 * Disposal (skartační řízení): proposals with their files, the archive's lists (decisions and
 * transfer confirmations, kept as received), and destruction of component content — the metadata
 * the law requires stays, the bytes go.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('disposal_proposals', (t) => {
    t.uuid('id').primary();
    t.text('identifier').notNullable().unique(); // e.g. SN-2026-1
    t.integer('year').notNullable();
    t.text('state').notNullable().defaultTo('open'); // open | exported | decided
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('exported_at', { useTz: true });
    t.timestamp('decided_at', { useTz: true });
  });
  await knex.raw(`alter table disposal_proposals add constraint disposal_proposals_state check (state in ('open','exported','decided'))`);

  await knex.schema.createTable('disposal_proposal_files', (t) => {
    t.uuid('proposal_id').notNullable().references('disposal_proposals.id').onDelete('CASCADE');
    t.uuid('file_id').notNullable().references('files.id');
    t.text('package_name'); // the disposal SIP exported for the file
    t.text('operation'); // the archive's operation (tOperace) once decided
    t.text('decision_list_id');
    t.timestamp('decided_at', { useTz: true });
    t.primary(['proposal_id', 'file_id']);
    t.index(['file_id']);
  });

  // every list the archive sent, as received: a decision (Operace) or a transfer confirmation (IdentifikatorDA)
  await knex.schema.createTable('archive_lists', (t) => {
    t.bigIncrements('id');
    t.text('archive_id').notNullable();
    t.text('list_id').notNullable();
    t.text('kind').notNullable(); // decision | confirmation
    t.text('disposal_procedure_id');
    t.text('transfer_id');
    t.timestamp('list_created_at', { useTz: true }).notNullable();
    t.integer('entities').notNullable();
    t.text('content').notNullable();
    t.text('imported_by').notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable();
    t.unique(['archive_id', 'list_id']);
  });

  // destroyed or transferred components keep their row (name, type, size, checksum) without the bytes
  await knex.raw('alter table components alter column blob_sha256 drop not null');
  await knex.schema.alterTable('components', (t) => {
    t.timestamp('destroyed_at', { useTz: true });
  });
  await knex.schema.alterTable('files', (t) => {
    t.text('archive_list_id'); // the list that confirmed the transfer
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('files', (t) => t.dropColumn('archive_list_id'));
  await knex.schema.alterTable('components', (t) => t.dropColumn('destroyed_at'));
  await knex.raw('alter table components alter column blob_sha256 set not null');
  await knex.schema.dropTableIfExists('archive_lists');
  await knex.schema.dropTableIfExists('disposal_proposal_files');
  await knex.schema.dropTableIfExists('disposal_proposals');
}
