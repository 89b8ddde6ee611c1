import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createDb, migrate, type Db } from './connection';

/**
 * A fresh, migrated database for one test file: a throw-away schema on PostgreSQL when
 * `DATABASE_URL` is set (so test files can run in parallel), otherwise an in-memory PGlite.
 */
export async function createTestDb(): Promise<{ db: Db; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = createDb({ databaseUrl: null, dataDir: '', poolMax: 1 }, { memory: true });
    await migrate(db);
    return { db, close: () => db.destroy() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema ${schema}`);
  const db = knexFactory({
    client: 'pg',
    connection: url,
    searchPath: [schema],
    pool: { min: 0, max: 10 },
  });
  await migrate(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await admin.raw(`drop schema ${schema} cascade`);
      await admin.destroy();
    },
  };
}

/**
 * What only the table's owner can do: change the append-only transaction log behind the
 * application's back, with its guard trigger switched off for this one transaction. Tests use it
 * to show that the hash chain still detects such an edit.
 */
export async function tamperWithAuditLog<T>(db: Db, change: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw('alter table audit_log disable trigger audit_log_append_only');
    const result = await change(trx);
    await trx.raw('alter table audit_log enable trigger audit_log_append_only');
    return result;
  });
}
