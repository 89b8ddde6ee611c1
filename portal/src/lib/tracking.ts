// Rules the tracking pages show to the citizen. The API decides for real (409 ALREADY_SETTLED);
// this only hides the withdrawal offer where it cannot succeed.

const SETTLED = new Set(['answered', 'withdrawn', 'settled', 'closed']);

export function canWithdraw(status: string): boolean {
  return !SETTLED.has(status);
}

/** A pasted tracking link (or the bare token) → the token, or null. */
export function tokenFromInput(input: string | null | undefined): string | null {
  const text = (input ?? '').trim();
  if (!text) return null;
  const match = /\/sledovani\/([^/?#\s]+)/.exec(text);
  let token = match ? match[1] : text;
  try {
    token = decodeURIComponent(token);
  } catch {
    return null;
  }
  // Tokens are URL-safe (base64url, dots); anything else cannot be one.
  return /^[A-Za-z0-9._~-]{8,2048}$/.test(token) ? token : null;
}
