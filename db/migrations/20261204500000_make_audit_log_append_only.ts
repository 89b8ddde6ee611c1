import type { Knex } from 'knex';

/**
 * The transaction log is append-only in the database itself, not only by the application's habit:
 * an UPDATE, DELETE or TRUNCATE of audit_log fails. The hash chain still detects an edit made by
 * someone who first disables the trigger (which takes the table's owner or a superuser); the
 * trigger makes an accidental or casual change impossible.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the transaction log (audit_log) is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
    $$`);
  await knex.raw('create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_refuse_change()');
  await knex.raw('create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse_change()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists audit_log_no_truncate on audit_log');
  await knex.raw('drop trigger if exists audit_log_append_only on audit_log');
  await knex.raw('drop function if exists audit_log_refuse_change()');
}
