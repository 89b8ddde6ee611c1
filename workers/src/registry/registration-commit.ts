import { createHash, randomBytes } from 'node:crypto';
import { auditContent, auditHashSuffix, takeDeferredAuditLog, type AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
import { referenceTemplate } from './reference-number.service';

/** A row to insert or a row to update, as part of the registration's last statement. */
export type RegistrationWrite =
  | { insert: string; rows: Record<string, unknown> | Record<string, unknown>[] }
  | { update: string; where: Record<string, unknown>; set: Record<string, unknown> };

export interface RegistrationWrites {
  /** every insert and update that carries the reference number (any order: foreign keys are checked at the end of the statement) */
  writes: RegistrationWrite[];
  /** the transaction-log entries of the registration, in order */
  audit: AuditEntry[];
}

export interface Numbered {
  /** the running number taken, or null when none was asked for */
  seq: number | null;
  /** puts the running number into a text built from the reference number given to `build` */
  fill: (text: string) => string;
}

/** One registration of a statement written by `numberAndLogAll`. */
export interface NumberingRequest {
  office: string;
  year: number;
  mask: string;
  /** whether it takes the next running number of the year */
  newNumber: boolean;
  /** log entries written before those of `build` (e.g. collected with `deferAuditLog`) */
  audit?: AuditEntry[];
  /**
   * The rows to write, given the reference number as a template and the running number as a
   * token (text) the statement replaces with the number: use it as the value of an integer column.
   */
  build: (n: { seq: string | null; referenceNumber: string | null }) => RegistrationWrites;
}

const OPEN = '\u27e6';
const CLOSE = '\u27e7';

/**
 * The end of a registration transaction, as one statement: `numberAndLogAll` for one registration.
 * The transaction must have been marked with `deferAuditLog`: the entries collected so far are
 * written before those of `build`.
 */
export async function numberAndLog(
  trx: Knex.Transaction,
  opts: { office: string; year: number; mask: string; newNumber: boolean },
  build: NumberingRequest['build'],
): Promise<Numbered> {
  const [numbered] = await numberAndLogAll(trx, [{ ...opts, audit: takeDeferredAuditLog(trx), build }]);
  return numbered;
}

/**
 * SQL for the JSON text `?` with every token `⟦<batch token>:<place>:<width>⟧` replaced by the
 * running number `base + place` of `n`, padded to the width: the text is cut at each token and
 * put back together.
 */
const FILLED = `(select string_agg(case when p.k = 1 then p.piece else
    lpad((n.base + split_part(p.piece, ':', 1)::int)::text, greatest(split_part(split_part(p.piece, ':', 2), '${CLOSE}', 1)::int, length((n.base + split_part(p.piece, ':', 1)::int)::text)), '0')
    || substr(p.piece, strpos(p.piece, '${CLOSE}') + 1) end, '' order by p.k)
  from n, unnest(string_to_array(?::text, ?::text)) with ordinality as p(piece, k))::json`;

/** Quotes an identifier (table and column names come from our code, never from input). */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Names the statement so that PostgreSQL parses and plans it once per connection (node-postgres
 * prepares named statements); the name is derived from the text, and the text holds no per-call
 * values (rows travel as JSON parameters), so a batch of any size reuses the plan of its shape.
 * Other drivers ignore the option.
 */
export function prepared(raw: Knex.Raw, sql: string): Knex.Raw {
  return raw.options({ name: `openspis_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}` });
}

/**
 * Numbers and logs several registrations with one statement. The yearly journal counter (when any
 * of them needs a new running number) and the head of the transaction log are the two rows every
 * registration locks. The statement takes both — the counter first, then the head on top of it, so
 * two writers cannot deadlock — and writes everything that depends on them: the rows carrying the
 * numbers and the log rows, each linked to the one before by its hash. So the locks are held for
 * one statement and the commit, whether it numbers one registration or thirty (group commit,
 * `registration-batch.ts`); all other work runs before.
 *
 * The numbers are not known before the statement runs, so `build` gets the reference number as a
 * template (`referenceTemplate`) and the running number as a token, each naming the registration's
 * place among those taking a number. The rows of each table and the log entries go to the
 * database as JSON texts, in which the database replaces every token by its number before reading
 * them (`FILLED`). The counter goes up by the count of new numbers at once; the registrations take
 * them in the order given. The log hashes are computed by the database from the head it has just
 * locked and the canonical text of each entry (`auditHashSuffix`): SHA-256 of
 * `["<previous hash>",<suffix>` — the same value `auditHash` gives, which `verifyAuditLog` checks.
 * Log ids follow the chain order.
 *
 * Gap-free: the counter row stays locked until commit and a rollback rolls it back. All
 * registrations share office, year and mask. `blobs` is content the rows refer to, stored by the
 * statement after it has taken the locks. On the database itself rather than in a transaction, the
 * statement commits on its own.
 */
export async function numberAndLogAll(db: Knex, requests: NumberingRequest[], blobs: { sha256: string; content: Buffer }[] = []): Promise<Numbered[]> {
  if (!requests.length) return [];
  const { office, year, mask } = requests[0];
  if (requests.some((r) => r.office !== office || r.year !== year || r.mask !== mask)) throw new RangeError('registrations numbered together share office, year and mask');
  const token = `${OPEN}${randomBytes(6).toString('hex')}:`;
  let taking = 0;
  const places = requests.map((r) => (r.newNumber ? ++taking : 0));

  const inserts = new Map<string, Record<string, unknown>[]>();
  const updates = new Map<string, { table: string; where: Record<string, unknown>; set: Record<string, unknown> }>();
  const entries: Record<string, unknown>[] = [];
  requests.forEach((request, k) => {
    const place = places[k];
    const built = request.build({
      seq: place ? `${token}${place}:0${CLOSE}` : null,
      referenceNumber: place ? referenceTemplate(mask, { office, year }, `${token}${place}:`).template : null,
    });
    for (const w of built.writes) {
      if ('insert' in w) {
        const rows = inserts.get(w.insert) ?? [];
        rows.push(...(Array.isArray(w.rows) ? w.rows : [w.rows]));
        inserts.set(w.insert, rows);
      } else {
        // one statement may change a row only once: later changes of the same row are merged in
        const key = `${w.update}\u0000${JSON.stringify(w.where)}`;
        updates.set(key, { table: w.update, where: w.where, set: { ...updates.get(key)?.set, ...w.set } });
      }
    }
    for (const entry of [...(request.audit ?? []), ...built.audit]) {
      const content = auditContent(entry);
      entries.push({ ...content, details: JSON.stringify(content.details), s: auditHashSuffix(content), ord: entries.length + 1 });
    }
  });

  const ctes: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  if (taking) {
    ctes.push(`c as (insert into journal_counters (office, year, last_seq) values (?, ?, ?::int)
      on conflict (office, year) do update set last_seq = journal_counters.last_seq + excluded.last_seq returning last_seq)`);
    bindings.push(office, year, taking);
    ctes.push(`n as (select c.last_seq - ?::int as base, h.last_hash::text as last_hash from c cross join audit_log_head h where h.id = 1 for update of h)`);
    bindings.push(taking);
  } else {
    ctes.push('n as (select 0 as base, h.last_hash::text as last_hash from audit_log_head h where h.id = 1 for update of h)');
  }
  const json = (value: unknown) => [JSON.stringify(value), token];

  if (entries.length) {
    ctes.push(`entries as materialized (select * from json_to_recordset(${FILLED})
      as e(ord int, s text, occurred_at timestamptz, actor text, event_type text, object_type text, object_id text, details text))`);
    bindings.push(...json(entries));
    // materialized: the chain below reads it once per entry
    ctes.push('sfx as materialized (select array_agg(s order by ord) as a from entries)');
    ctes.push(`chain (i, hash) as (
      select 0, last_hash from n
      union all
      select chain.i + 1, encode(sha256(convert_to('["' || chain.hash || '",' || (select a[chain.i + 1] from sfx), 'UTF8')), 'hex')
      from chain where chain.i < (select count(*) from entries))`);
    ctes.push(`wa as (insert into audit_log (occurred_at, actor, event_type, object_type, object_id, details, prev_hash, hash)
      select e.occurred_at, e.actor, e.event_type, e.object_type, e.object_id, e.details::jsonb, p.hash, h.hash
      from entries e join chain p on p.i = e.ord - 1 join chain h on h.i = e.ord
      order by e.ord)`);
    ctes.push('wh as (update audit_log_head set last_hash = (select hash from chain order by i desc limit 1) where id = 1)');
  }
  if (blobs.length) {
    ctes.push(`wb as (insert into blobs (sha256, size, content)
      select b.sha256, b.size, decode(b.content, 'base64') from json_to_recordset(?::json) as b(sha256 text, size int, content text)
      on conflict (sha256) do nothing)`);
    bindings.push(JSON.stringify(blobs.map((b) => ({ sha256: b.sha256, size: b.content.length, content: b.content.toString('base64') }))));
  }
  let w = 0;
  for (const [table, rows] of inserts) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r).filter((c) => r[c] !== undefined)))].map(ident).join(', ');
    ctes.push(`w${w++} as (insert into ${ident(table)} (${columns}) select ${columns} from json_populate_recordset(null::${ident(table)}, ${FILLED}))`);
    bindings.push(...json(rows));
  }
  for (const u of updates.values()) {
    const columns = Object.keys(u.set).map(ident);
    const where = Object.keys(u.where).map((c) => `t.${ident(c)} = ?`).join(' and ');
    ctes.push(`w${w++} as (update ${ident(u.table)} t set ${columns.map((c) => `${c} = x.${c}`).join(', ')}
      from json_populate_record(null::${ident(u.table)}, ${FILLED}) x where ${where})`);
    bindings.push(...json(u.set), ...(Object.values(u.where) as Knex.RawBinding[]));
  }
  const sql = `with recursive ${ctes.join(',\n')}\nselect base from n`;
  const result = await prepared(db.raw(sql, bindings), sql);
  const base = Number(result.rows[0].base);
  return places.map((place) => {
    const seq = place ? base + place : null;
    const fill = (text: string) => text.split(`${token}${place}:`).map((piece, k) => {
      if (!k) return piece;
      const close = piece.indexOf(CLOSE);
      return String(seq).padStart(Number(piece.slice(0, close)), '0') + piece.slice(close + 1);
    }).join('');
    return { seq, fill: (text: string) => (seq === null ? text : fill(text)) };
  });
}
