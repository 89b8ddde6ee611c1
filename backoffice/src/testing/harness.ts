import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createTestDb } from '@openspis/db';
import type { WorkersConfig } from '@openspis/workers';
import { loadCatalogue } from '../catalogue';
import { readServerConfig } from '../config';
import { PROCESSES_DIR } from '../paths';
import { createServer } from '../server';
import { FakeEngine } from './fake-engine';

/** A server on a fresh test database with a fake engine, for supertest; `workers`: the records screens' settings (e.g. ISDS). */
export async function createTestServer(env: Record<string, string> = {}, opts: { workers?: WorkersConfig } = {}) {
  const { db, close } = await createTestDb();
  const engine = new FakeEngine();
  const config = readServerConfig({ UPLOAD_MAX_BYTES: String(64 * 1024), PUBLIC_BASE_URL: 'http://localhost:3000', ...env });
  const log = pino({ level: 'silent' });
  const catalogue = loadCatalogue(path.resolve(PROCESSES_DIR));
  const app = createServer({ db, engine, config, log, catalogue, registrationWaitMs: 300, workers: opts.workers });
  return { app, db, engine, config, close, callback: app.callback() };
}

/** Signs a demo user in (password `demo`) through the login form; returns the session cookie (`openspis_session=…`) for supertest. */
export async function signIn(callback: ReturnType<Awaited<ReturnType<typeof createTestServer>>['app']['callback']>, username: string): Promise<string> {
  const res = await request(callback).post('/login').set('Origin', 'http://localhost:3000').type('form').send({ username, password: 'demo' }).expect(302);
  return (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('openspis_session='))!.split(';')[0];
}
