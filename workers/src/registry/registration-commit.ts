import { createHash, randomBytes } from 'node:crypto';
import { auditContent, auditHashSuffix, takeDeferredAuditLog, type AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
import { referenceTemplate } from './reference-number.service';

/** A row to insert or a row to update, as part of the registration's last statement. */
export type RegistrationWrite =
  | { insert: string; rows: Record<string, unknown> | Record<string, unknown>[] }
  | { update: string; where: Record<string, unknown>; set: Record<string, unknown> };

export interface RegistrationWrites {
  /** every insert and update that carries the reference number, in an order foreign keys allow */
  writes: RegistrationWrite[];
  /** the transaction-log entries of the registration, written after those collected with `deferAuditLog` */
  audit: AuditEntry[];
}

export interface Numbered {
  /** the running number taken, or null when none was asked for */
  seq: number | null;
  /** puts the running number into a text built from the reference number given to `build` */
  fill: (text: string) => string;
}

/**
 * Names the statement so that PostgreSQL parses and plans it once per connection (node-postgres
 * prepares named statements); the name is derived from the text, so one name is never reused for
 * another text, and the text holds no per-call values. Other drivers ignore the option.
 */
function prepared(raw: Knex.Raw, sql: string): Knex.Raw {
  return raw.options({ name: `openspis_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}` });
}

const CLOSE = '\u27e7';

/**
 * The end of a registration transaction, as one statement. The yearly journal counter (when a new
 * running number is needed) and the head of the transaction log are the two rows every
 * registration locks. This statement takes both — the counter first, then the head on top of it,
 * so two registrations cannot deadlock — and in the same statement writes everything that depends
 * on them: the rows carrying the number and the log rows, each linked to the one before by its
 * hash. The caller's transaction then commits. So the locks are held for one statement and the
 * commit; all other work (parties, blobs, JID, file-plan lookups) runs before, in parallel with
 * other registrations.
 *
 * The number is not known before the statement runs, so `build` gets the reference number as a
 * template (`referenceTemplate`) and the running number as an SQL expression; any text value of a
 * row or any log entry detail that contains the template's token gets the number filled in by the
 * database. The log hashes are computed by the database from the head it has just locked and the
 * canonical text of each entry (`auditHashSuffix`): SHA-256 of `["<previous hash>",<suffix>` — the
 * same value `auditHash` gives, which `verifyAuditLog` checks.
 *
 * Gap-free: the counter row stays locked until commit and a rollback rolls it back. The
 * transaction must have been marked with `deferAuditLog`: the entries collected so far are written
 * before `audit`.
 */
export async function numberAndLog(
  trx: Knex.Transaction,
  opts: { office: string; year: number; mask: string; newNumber: boolean },
  build: (n: { seq: Knex.Raw | null; referenceNumber: string | null }) => RegistrationWrites,
): Promise<Numbered> {
  const token = `\u27e6${randomBytes(6).toString('hex')}:`;
  const template = opts.newNumber ? referenceTemplate(opts.mask, opts, token) : null;
  const widths = template?.widths ?? [];
  const marks = widths.map((w) => `${token}${w}${CLOSE}`);
  /** SQL that fills the running number into the text `inner` (a `?` or a column) */
  const fillSql = (inner: string) => widths.reduce((acc, w) => `replace(${acc}, ?, (select s${w} from n))`, inner);
  const filled = (value: unknown): unknown =>
    typeof value === 'string' && marks.some((m) => value.includes(m)) ? trx.raw(fillSql('?'), [value, ...marks]) : value;
  const withNumber = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, filled(v)]));

  const built = build({ seq: opts.newNumber ? trx.raw('(select last_seq from n)') : null, referenceNumber: template?.template ?? null });
  const parts: Knex.QueryBuilder[] = built.writes.map((w) =>
    'insert' in w
      ? trx(w.insert).insert(Array.isArray(w.rows) ? w.rows.map(withNumber) : withNumber(w.rows))
      : trx(w.update).where(w.where).update(withNumber(w.set)),
  );

  const entries = [...takeDeferredAuditLog(trx), ...built.audit];
  const suffixes: string[] = [];
  if (entries.length) {
    const rows = entries.map((entry, k) => {
      const content = auditContent(entry);
      suffixes.push(auditHashSuffix(content));
      const details = JSON.stringify(content.details);
      return {
        ...content,
        details: marks.some((m) => details.includes(m)) ? trx.raw(`${fillSql('?')}::jsonb`, [details, ...marks]) : details,
        prev_hash: trx.raw('(select hash from chain where i = ?)', [k]),
        hash: trx.raw('(select hash from chain where i = ?)', [k + 1]),
      };
    });
    parts.push(trx('audit_log').insert(rows));
    parts.push(trx('audit_log_head').where({ id: 1 }).update({ last_hash: trx.raw('(select hash from chain where i = ?)', [entries.length]) }));
  }

  const ctes: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  if (opts.newNumber) {
    ctes.push(`c as (insert into journal_counters (office, year, last_seq) values (?, ?, 1)
      on conflict (office, year) do update set last_seq = journal_counters.last_seq + 1 returning last_seq)`);
    bindings.push(opts.office, opts.year);
    const padded = widths.map((w) => `, lpad(c.last_seq::text, greatest(${w}, length(c.last_seq::text)), '0') as s${w}`).join('');
    ctes.push(`n as (select c.last_seq, h.last_hash::text as last_hash${padded} from c cross join audit_log_head h where h.id = 1 for update of h)`);
  } else {
    ctes.push('n as (select h.last_hash::text as last_hash from audit_log_head h where h.id = 1 for update of h)');
  }
  ctes.push(`chain (i, hash) as (
      select 0, last_hash from n
      union all
      select chain.i + 1, encode(sha256(convert_to('["' || chain.hash || '",' || ${fillSql('s.suffix')}, 'UTF8')), 'hex')
      from chain join json_array_elements_text(?::json) with ordinality as s(suffix, i) on s.i = chain.i + 1)`);
  bindings.push(...marks, JSON.stringify(suffixes));
  parts.forEach((p, i) => {
    const q = p.toSQL();
    ctes.push(`w${i} as (${q.sql})`);
    bindings.push(...q.bindings);
  });
  const sql = `with recursive ${ctes.join(',\n')}\nselect ${opts.newNumber ? 'last_seq' : 'null as last_seq'} from n`;
  const result = await prepared(trx.raw(sql, bindings), sql);
  const seq = opts.newNumber ? Number(result.rows[0].last_seq) : null;
  return {
    seq,
    fill: (text) => widths.reduce((acc, w) => acc.split(`${token}${w}${CLOSE}`).join(String(seq).padStart(w, '0')), text),
  };
}
