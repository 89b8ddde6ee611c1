import type { Knex } from 'knex';

/**
 * The yearly closure of the registry journal (uzavření podacího deníku, vyhláška 259/2012 Sb.):
 * one row per office and calendar year, the closing record — the last running number of the year,
 * the number of entries and their states at closure, when and by whom — and the record (document)
 * keeping the year's journal in an output format (PDF/A, sealed).
 *
 * After the closure the running numbers of the year are final, in the database itself: the year's
 * counter can no longer be taken (insert or update of its `journal_counters` row fails), and no
 * journal row of the year may carry a running number the year did not have (a further document of
 * a collection sheet of the year keeps its file's number and may still be filed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('journal_year_closures', (t) => {
    t.text('office').notNullable();
    t.integer('year').notNullable();
    t.integer('last_seq'); // null: the year had no running number
    t.integer('entries').notNullable();
    t.jsonb('states').notNullable(); // entries by state at closure: registered, settled, cancelled
    t.uuid('file_id').notNullable().references('files.id');
    t.uuid('document_id').notNullable().unique().references('documents.id');
    t.uuid('pdf_component_id').notNullable().references('components.id');
    t.uuid('sealed_component_id').references('components.id');
    t.timestamp('sealed_at', { useTz: true });
    t.text('closed_by').notNullable();
    t.timestamp('closed_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['office', 'year']);
  });
  await knex.raw(`
    create function journal_year_refuse_counter() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from journal_year_closures c where c.office = new.office and c.year = new.year) then
        raise exception 'JOURNAL_YEAR_CLOSED: the registry journal % of % is closed; its running numbers are final', new.year, new.office using errcode = 'check_violation';
      end if;
      return new;
    end
    $$`);
  await knex.raw('create trigger journal_counters_year_open before insert or update on journal_counters for each row execute function journal_year_refuse_counter()');
  await knex.raw(`
    create function journal_year_refuse_entry() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from journal_year_closures c where c.office = new.office and c.year = new.year)
         and not exists (select 1 from journal j where j.office = new.office and j.year = new.year and j.seq = new.seq) then
        raise exception 'JOURNAL_YEAR_CLOSED: the registry journal % of % is closed; its running numbers are final', new.year, new.office using errcode = 'check_violation';
      end if;
      return new;
    end
    $$`);
  await knex.raw('create trigger journal_year_open before insert on journal for each row execute function journal_year_refuse_entry()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists journal_year_open on journal');
  await knex.raw('drop function if exists journal_year_refuse_entry()');
  await knex.raw('drop trigger if exists journal_counters_year_open on journal_counters');
  await knex.raw('drop function if exists journal_year_refuse_counter()');
  await knex.schema.dropTableIfExists('journal_year_closures');
}
