import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { AppError } from '../app-error';
import type { SessionUser } from '../http';
import type { Language } from '../i18n';

// Local clerk accounts. The cookie carries a random token; the sessions table keeps only its
// SHA-256, so a leaked table does not leak sessions.

/** argon2id with the library defaults (m=19 MiB, t=2, p=1: OWASP's minimum) */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: 2 /* Argon2id */ });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// verifying against a real hash when the user does not exist keeps the timing the same
let dummyHash: Promise<string> | undefined;

/** `language`: the one the clerk logs in with, remembered for the e-mails the system writes to them. */
export async function login(db: Knex, input: { username: string; password: string; language: Language }, ttlHours: number, now: Date): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
  const row = await db('users').where({ username: input.username, active: true }).first();
  const ok = row
    ? await verify(row.password_hash, input.password).catch(() => false)
    : await verify(await (dummyHash ??= hashPassword('not-a-password')), input.password).then(() => false);
  if (!row || !ok) throw new AppError('INVALID_CREDENTIALS');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await db('sessions').insert({ id: sha256(token), user_id: row.id, created_at: now, expires_at: expiresAt });
  await rememberLanguage(db, row, input.language);
  return { token, expiresAt, user: await sessionUser(db, row) };
}

/** `switchedTo`: the language the clerk just switched the back-office to (`?lang=`), remembered like the one at login. */
export async function userForSession(db: Knex, token: string, now: Date, switchedTo?: Language): Promise<SessionUser | null> {
  const session = await db('sessions').where({ id: sha256(token) }).where('expires_at', '>', now).first();
  if (!session) return null;
  const row = await db('users').where({ id: session.user_id, active: true }).first();
  if (!row) return null;
  if (switchedTo) await rememberLanguage(db, row, switchedTo);
  return sessionUser(db, row);
}

async function rememberLanguage(db: Knex, row: { id: number; locale: string | null }, language: Language): Promise<void> {
  if (row.locale !== language) await db('users').where({ id: row.id }).update({ locale: language });
}

export async function logout(db: Knex, token: string): Promise<void> {
  await db('sessions').where({ id: sha256(token) }).delete();
}

async function sessionUser(db: Knex, row: { id: number; username: string; display_name: string; org_unit: string | null }): Promise<SessionUser> {
  const roles = (await db('user_roles').where({ user_id: row.id }).orderBy('role').select('role')).map((r: { role: string }) => r.role);
  return { id: row.id, username: row.username, displayName: row.display_name, roles, orgUnit: row.org_unit ?? null };
}
