import type { Knex } from 'knex';

/**
 * Embedded engine: every write of a process instance row gets a new `revision`, drawn from a
 * sequence (never reused, not even by a rolled-back transaction), so a node that remembers the
 * revision it last wrote knows the row is still exactly that write when the revision matches.
 * That lets a command on an instance this node holds live commit as one guarded statement, with
 * no lock round trip first (see engine/src/embedded/single-statement.ts). `engine_check` aborts
 * such a statement when its guard does not hold.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence engine_revision_seq');
  await knex.raw('alter table engine_process_instances add column revision bigint not null default 0');
  // qualified by the table's schema: the same database may hold one schema per tenant or per test
  await knex.raw(`
    create function engine_next_revision() returns trigger language plpgsql as $$
    begin
      new.revision := nextval((quote_ident(tg_table_schema) || '.engine_revision_seq')::regclass);
      return new;
    end $$`);
  await knex.raw(`
    create trigger engine_process_instances_revision before insert or update on engine_process_instances
    for each row execute function engine_next_revision()`);
  await knex.raw(`
    create function engine_check(ok boolean, what text) returns boolean language plpgsql as $$
    begin
      if ok is not true then raise exception using errcode = 'OSE01', message = what; end if;
      return true;
    end $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists engine_check(boolean, text)');
  await knex.raw('drop trigger if exists engine_process_instances_revision on engine_process_instances');
  await knex.raw('drop function if exists engine_next_revision()');
  await knex.raw('alter table engine_process_instances drop column if exists revision');
  await knex.raw('drop sequence if exists engine_revision_seq');
}
