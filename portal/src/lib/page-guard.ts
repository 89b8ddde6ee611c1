import { ApiNotFoundError, ApiUnavailableError } from './api-client';

// Loads what a page needs from the API and turns the API's failures into a page state, so every
// page can answer with a translated 404 or 503 page instead of a stack trace.

export type PageProblem = 'not-found' | 'unavailable';
export type Guarded<T> = { ok: true; data: T } | { ok: false; problem: PageProblem; status: 404 | 503 };

export async function guard<T>(load: () => Promise<T>, log: (msg: string, err: unknown) => void = defaultLog): Promise<Guarded<T>> {
  try {
    return { ok: true, data: await load() };
  } catch (err) {
    if (err instanceof ApiNotFoundError) return { ok: false, problem: 'not-found', status: 404 };
    // Anything unexpected is logged (no personal data: only the message and the path) and shown as
    // "temporarily unavailable" — the citizen cannot fix it either way.
    log(err instanceof ApiUnavailableError ? 'public API unavailable' : 'unexpected error while loading a page', err);
    return { ok: false, problem: 'unavailable', status: 503 };
  }
}

function defaultLog(msg: string, err: unknown): void {
  const detail = err instanceof Error ? `${err.name}: ${err.message}${err.cause instanceof Error ? ` (cause: ${err.cause.message})` : ''}` : String(err);
  console.error(JSON.stringify({ level: 'error', time: new Date().toISOString(), msg, err: detail }));
}
