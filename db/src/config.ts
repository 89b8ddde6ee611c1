import path from 'node:path';

/**
 * Database settings, read once from the environment.
 *
 * - `DATABASE_URL` — PostgreSQL connection string (`postgres://user@host:5432/db`). When unset the
 *   embedded PGlite database is used.
 * - `OPENSPIS_DATA_DIR` — folder for the embedded database and other local data (default `./data`).
 *   The PGlite data lives in `<dir>/pglite`.
 * - `DATABASE_POOL_MAX` — PostgreSQL pool size (default 10). PGlite always has one connection.
 */
export interface DbConfig {
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly poolMax: number;
}

export function readDbConfig(env: NodeJS.ProcessEnv = process.env): DbConfig {
  const errors: string[] = [];
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    errors.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const poolMax = env.DATABASE_POOL_MAX ? Number(env.DATABASE_POOL_MAX) : 10;
  if (!Number.isInteger(poolMax) || poolMax < 1) errors.push('DATABASE_POOL_MAX must be a positive integer');
  if (errors.length) throw new Error(`Invalid database configuration: ${errors.join('; ')}`);
  return Object.freeze({
    databaseUrl,
    dataDir: path.resolve(env.OPENSPIS_DATA_DIR || 'data'),
    poolMax,
  });
}
