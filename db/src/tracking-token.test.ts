import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintTrackingToken, verifyTrackingToken } from './tracking-token';

describe('tracking token', () => {
  const secret = randomBytes(32);
  const id = randomUUID();
  const inAYear = new Date(Date.now() + 365 * 86400_000);

  it('returns the submission id for a genuine token', () => {
    expect(verifyTrackingToken(secret, mintTrackingToken(secret, id, inAYear))).toBe(id);
  });
  it('rejects a token signed with another secret', () => {
    expect(verifyTrackingToken(randomBytes(32), mintTrackingToken(secret, id, inAYear))).toBeNull();
  });
  it('rejects an expired token', () => {
    expect(verifyTrackingToken(secret, mintTrackingToken(secret, id, new Date(Date.now() - 1000)))).toBeNull();
  });
  it('rejects a token with one character changed', () => {
    const t = mintTrackingToken(secret, id, inAYear);
    const forged = (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    expect(verifyTrackingToken(secret, forged)).toBeNull();
  });
});
