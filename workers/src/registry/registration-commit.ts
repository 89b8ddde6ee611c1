import { auditLogWrites, takeDeferredAuditLog, type AuditEntry } from '@openspis/db';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { formatJid } from './reference-number.service';

/**
 * Several inserts and updates as one statement (`with w0 as (…), w1 as (…) select 1`): one round
 * trip to the server. Rows written by one part are not visible to the others, so each part must
 * write different rows; foreign keys are checked at the end of the statement, so a part may refer
 * to a row another part inserts.
 */
export function oneStatement(trx: Knex.Transaction, writes: Knex.QueryBuilder[]): Knex.Raw {
  const parts = writes.map((w) => w.toSQL());
  const sql = `with ${parts.map((p, i) => `w${i} as (${p.sql})`).join(', ')} select 1`;
  return prepared(trx.raw(sql, parts.flatMap((p) => [...p.bindings])), sql);
}

/**
 * Names the statement so that PostgreSQL parses and plans it once per connection (node-postgres
 * prepares named statements); the name is derived from the text, so one name is never reused for
 * another text. Other drivers ignore the option.
 */
function prepared(raw: Knex.Raw, sql: string): Knex.Raw {
  return raw.options({ name: `openspis_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}` });
}

const LOCK_COUNTER_AND_HEAD = `with c as (
  insert into journal_counters (office, year, last_seq) values (?, ?, 1)
  on conflict (office, year) do update set last_seq = journal_counters.last_seq + 1
  returning last_seq)
select c.last_seq, h.last_hash, nextval('jid_seq') as jid from c cross join audit_log_head h where h.id = 1 for update of h`;

const LOCK_HEAD = `select last_hash, nextval('jid_seq') as jid from audit_log_head where id = 1 for update`;

export interface RegistrationWrites<T> {
  /** every insert and update that carries the reference number, in an order foreign keys allow */
  writes: Knex.QueryBuilder[];
  /** the transaction-log entries of the registration, written after those collected with `deferAuditLog` */
  audit: AuditEntry[];
  result: T;
}

/**
 * The end of a registration transaction. The yearly journal counter (when a new running number is
 * needed) and the head of the transaction log are the two rows every registration locks; both are
 * taken here in one statement, which also draws the JID, and everything that depends on them — the rows carrying the number
 * and the log rows with their hash chain — is written in one more statement, then the caller's
 * transaction commits. So the locks are held for two round trips and the commit instead of the
 * whole registration; all other work (parties, blobs, file-plan lookups) runs before, in parallel
 * with other registrations.
 *
 * Gap-free: the counter row stays locked until commit and a rollback rolls it back. The counter is
 * always locked before the log head (the head is locked on top of the join), so two registrations
 * cannot deadlock on them. The transaction must have been marked with `deferAuditLog`: the entries
 * collected so far are written before `audit`.
 */
export async function numberAndLog<T>(
  trx: Knex.Transaction,
  opts: { office: string; year: number; newNumber: boolean },
  build: (n: { seq: number | null; jid: string }) => RegistrationWrites<T>,
): Promise<T> {
  const locked = opts.newNumber
    ? await prepared(trx.raw(LOCK_COUNTER_AND_HEAD, [opts.office, opts.year]), LOCK_COUNTER_AND_HEAD)
    : await prepared(trx.raw(LOCK_HEAD), LOCK_HEAD);
  const row = locked.rows[0];
  const built = build({ seq: opts.newNumber ? Number(row.last_seq) : null, jid: formatJid(opts.office, Number(row.jid)) });
  const writes = [...built.writes, ...auditLogWrites(trx, row.last_hash, [...takeDeferredAuditLog(trx), ...built.audit])];
  if (writes.length) await oneStatement(trx, writes);
  return built.result;
}
