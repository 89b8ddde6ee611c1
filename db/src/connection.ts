import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { DbConfig } from './config';
import { migrations } from '../migrations/index';

export type Db = Knex;

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');

/** `pg` for PostgreSQL, `pglite` for the embedded database. */
export function dbKind(db: Db): 'pg' | 'pglite' {
  return (db.client.config as { client?: unknown }).client === ClientPgLite ? 'pglite' : 'pg';
}

/**
 * Session settings of every PostgreSQL connection the app opens (and the benchmarks, which measure
 * the app's configuration). JIT compilation pays off for long analytical queries; for the short
 * statements of this application (and searches whose estimated match set is large) it only adds
 * tens of ms.
 */
export const PG_SESSION_OPTIONS = '-c jit=off';

/**
 * Opens the database: PostgreSQL when a URL is configured, otherwise PGlite with its data on disk
 * (`memory: true` keeps PGlite in memory, for fast unit tests).
 */
export function createDb(config: Pick<DbConfig, 'databaseUrl' | 'dataDir' | 'poolMax'>, opts: { memory?: boolean } = {}): Db {
  if (config.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: { connectionString: config.databaseUrl, options: PG_SESSION_OPTIONS },
      pool: { min: 0, max: config.poolMax },
    });
  }
  let connection: object = {};
  if (!opts.memory) {
    const dir = path.join(config.dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    connection = { filename: dir };
  }
  return knexFactory({ client: ClientPgLite, dialect: 'postgres', connection } as Knex.Config);
}

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/** Closes the pool; for PGlite this closes the database cleanly so that everything committed is on disk. */
export async function closeDb(db: Db): Promise<void> {
  await db.destroy();
}
