import type { Knex } from 'knex';

/**
 * A command's writes go out as the CTEs of one statement: each round trip to the database costs
 * more than the statement itself.
 */

/** one part of that statement, named so that later parts (and the result) can refer to it */
export type Cte = { name: string; query: Knex.QueryBuilder } | { name: string; sql: string; bindings: unknown[] };

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
  const result = (await q.raw(`with ${ctes.join(', ')} ${tail}`, bindings as Knex.RawBinding[])) as { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
  const rows = (Array.isArray(result) ? result : result.rows ?? []) as { kind: string; key: string | null; execution_id: string; type: string; state: string }[];
  const written: Written = { jobs: [], revision: null };
  for (const r of rows) {
    if (r.kind === 'saved') written.revision = r.key;
    else if (r.kind === 'job') written.jobs.push({ key: r.key!, execution_id: r.execution_id, type: r.type, state: r.state });
  }
  return written;
}
