import type { Knex } from 'knex';

/**
 * The daily sealed rendering of the transaction log (NSESSS: the day's log, output format, sealed).
 * One row per Prague calendar day: the record (document in the year's transaction-log file) holding
 * the PDF/A rendering and the nsesss-TrP.xsd XML, the range and hash of the day's entries, and the
 * sealed component once the seal is on. The primary key makes the rendering happen once per day.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('transaction_log_days', (t) => {
    t.date('day').primary();
    t.integer('year').notNullable();
    t.uuid('file_id').notNullable().references('files.id');
    t.uuid('document_id').notNullable().unique().references('documents.id');
    t.uuid('pdf_component_id').notNullable().references('components.id');
    t.uuid('xml_component_id').notNullable().references('components.id');
    t.integer('events').notNullable();
    t.bigInteger('first_entry_id'); // null on a day without events
    t.bigInteger('last_entry_id');
    t.text('last_hash').notNullable(); // chain value after the day's last entry (or before the day, when empty)
    t.uuid('sealed_component_id').references('components.id');
    t.timestamp('sealed_at', { useTz: true });
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['year']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('transaction_log_days');
}
