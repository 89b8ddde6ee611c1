import type { Knex } from 'knex';

/**
 * A command's writes go out as the CTEs of one statement: each round trip to the database costs
 * more than the statement itself.
 */

/** SQL text with `?` for each binding (knex's raw form) */
export interface Sql { sql: string; bindings: unknown[] }

/** one part of that statement, named so that later parts (and the result) can refer to it */
export type Cte = { name: string; query: Knex.QueryBuilder } | ({ name: string } & Sql);

/*
 * The statements every command sends are built here as text, not with knex's query builder: they
 * are few and simple, and building and compiling a builder per statement cost more CPU than the
 * rest of the statement's way to the socket. The text is what knex would make of the same call
 * (a column missing from some rows is DEFAULT there).
 */

/** insert into table (the rows' columns) values …, then tail (e.g. `on conflict … returning …`) */
export function insertSql(table: string, rows: Record<string, unknown>[], tail = ''): Sql {
  const seen = new Set<string>();
  for (const row of rows) for (const column in row) seen.add(column);
  const columns = [...seen].sort();
  const bindings: unknown[] = [];
  const values: string[] = [];
  for (const row of rows) {
    const marks: string[] = [];
    for (const column of columns) {
      const value = row[column];
      if (value === undefined) marks.push('default');
      else {
        marks.push('?');
        bindings.push(value);
      }
    }
    values.push(`(${marks.join(', ')})`);
  }
  return { sql: `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values.join(', ')}${tail && ` ${tail}`}`, bindings };
}

/** update table set … where each column of `where` equals its value, then tail (e.g. `returning …`) */
export function updateSql(table: string, set: Record<string, unknown>, where: Record<string, unknown>, tail = ''): Sql {
  const bindings: unknown[] = [];
  const assign: string[] = [];
  for (const column in set) {
    if (set[column] === undefined) continue;
    assign.push(`"${column}" = ?`);
    bindings.push(set[column]);
  }
  const conditions: string[] = [];
  for (const column in where) {
    conditions.push(`"${column}" = ?`);
    bindings.push(where[column]);
  }
  return { sql: `update "${table}" set ${assign.join(', ')} where ${conditions.join(' and ')}${tail && ` ${tail}`}`, bindings };
}

/**
 * On PostgreSQL, a statement whose text was seen before runs as a named prepared statement: the
 * server parses and plans it once per connection, and only the values travel. Texts differ by
 * the command's shape (how many rows of which kind), so there are few; past this many, the rest
 * run unnamed.
 */
const MAX_NAMED = 200;
const statementNames = new Map<string, string>();

function statementName(sql: string): string | undefined {
  // (the key is the text with `?`: it stands for the same `$n` text)
  let name = statementNames.get(sql);
  if (!name && statementNames.size < MAX_NAMED) {
    name = `engine_write_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

interface PgClient { query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> }
interface KnexPgClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
  /** `?` → `$1`, `$2`, … */
  positionBindings(sql: string): string;
}

/**
 * A statement of its own (no transaction) straight on a connection of knex's pool: knex's runner
 * adds nothing such a statement needs, and a good part of its CPU.
 */
async function onPgConnection(q: Knex, sql: string, bindings: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
  const client = q.client as unknown as KnexPgClient;
  const connection = await client.acquireConnection();
  try {
    return await connection.query({ name: statementName(sql), text: client.positionBindings(sql), values: bindings });
  } finally {
    await client.releaseConnection(connection);
  }
}

const isPg = (q: Knex | Knex.Transaction) => ['pg', 'postgres', 'postgresql'].includes((q.client.config as { client?: unknown }).client as string);

export interface NewJobRow { key: string; execution_id: string; type: string; state: string }

/** what the statement reports back: the jobs it made and the instance row's new revision */
export interface Written { jobs: NewJobRow[]; revision: string | null }

/** SQLSTATE of engine_check(): a guarded statement found the rows not as expected and wrote nothing */
export const CHECK_FAILED = 'OSE01';

/** A command meant to commit as one statement has to read something first: it needs a transaction. */
export class NeedsTransaction extends Error {
  constructor(what: string) {
    super(`the command needs a transaction: ${what}`);
    this.name = 'NeedsTransaction';
  }
}

/** The statement certainly wrote nothing: its guard did not hold, or the server aborted it (deadlock, serialization). */
export function isRolledBack(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === CHECK_FAILED || code === '40P01' || code === '40001';
}

/**
 * Runs the writes as one statement. A CTE named `saved` writes the instance row and returns its
 * revision; one named `new_jobs` returns the jobs made. With a check (an SQL condition), the
 * statement aborts with CHECK_FAILED, and so writes nothing, unless the condition holds.
 */
export async function writeAll(q: Knex | Knex.Transaction, writes: Cte[], check?: { sql: string; bindings: unknown[] }): Promise<Written> {
  const bindings: unknown[] = [];
  const ctes = writes.map((w) => {
    const compiled = 'query' in w ? w.query.toSQL() : { sql: w.sql, bindings: w.bindings };
    bindings.push(...compiled.bindings);
    return `${w.name} as (${compiled.sql})`;
  });
  const names = new Set(writes.map((w) => w.name));
  // the parts read here run first, the rest when the statement ends: the guard comes before any insert
  let tail = names.has('saved') ? `select 'saved' as kind, (select revision from saved)::text as key, null as execution_id, null as type, null as state` : `select 'none' as kind, null as key, null as execution_id, null as type, null as state`;
  if (check) {
    tail += ` where engine_check(${check.sql}, 'engine: the instance or its job changed meanwhile')`;
    bindings.push(...check.bindings);
  }
  if (names.has('new_jobs')) tail += ` union all select 'job', key::text, execution_id, type, state from new_jobs`;
  const sql = `with ${ctes.join(', ')} ${tail}`;
  let result: { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
  if (!isPg(q)) result = await q.raw(sql, bindings as Knex.RawBinding[]);
  else if (q.isTransaction) result = await q.raw(sql, bindings as Knex.RawBinding[]).options({ name: statementName(sql) });
  else result = await onPgConnection(q, sql, bindings);
  const rows = (Array.isArray(result) ? result : result.rows ?? []) as { kind: string; key: string | null; execution_id: string; type: string; state: string }[];
  const written: Written = { jobs: [], revision: null };
  for (const r of rows) {
    if (r.kind === 'saved') written.revision = r.key;
    else if (r.kind === 'job') written.jobs.push({ key: r.key!, execution_id: r.execution_id, type: r.type, state: r.state });
  }
  return written;
}
