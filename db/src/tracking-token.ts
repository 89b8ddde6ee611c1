import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Citizens track an informal submission by an expiring link. The token is
 * `base64url(submissionId[16] | expiresAt seconds[4] | HMAC-SHA256[16])`, signed with the
 * installation secret, so no token is stored and every component with the secret can mint links.
 */

const SECRET_KEY = 'tracking_secret';

export async function loadAppSecret(db: Knex): Promise<Buffer> {
  const existing = await db('settings').where({ key: SECRET_KEY }).first();
  if (existing) return Buffer.from(existing.value, 'hex');
  await db('settings').insert({ key: SECRET_KEY, value: randomBytes(32).toString('hex') }).onConflict('key').ignore();
  const row = await db('settings').where({ key: SECRET_KEY }).first();
  return Buffer.from(row.value, 'hex');
}

function mac(secret: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
}

export function mintTrackingToken(secret: Buffer, submissionId: string, expiresAt: Date): string {
  const id = Buffer.from(submissionId.replace(/-/g, ''), 'hex');
  if (id.length !== 16) throw new Error('submissionId must be a UUID');
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000));
  const payload = Buffer.concat([id, exp]);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** The submission id when the token is genuine and unexpired, otherwise null. */
export function verifyTrackingToken(secret: Buffer, token: string, now: Date = new Date()): string | null {
  if (!/^[A-Za-z0-9_-]{48}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 36) return null;
  const payload = raw.subarray(0, 20);
  if (!timingSafeEqual(mac(secret, payload), raw.subarray(20))) return null;
  if (payload.readUInt32BE(16) * 1000 < now.getTime()) return null;
  const hex = payload.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
