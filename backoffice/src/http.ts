import type Koa from 'koa';
import type pino from 'pino';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { AppError, type AppErrorCode } from './app-error';
import type { Language } from './i18n';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  /** the organisational unit the user works in (null: none, e.g. the administrator) */
  orgUnit: string | null;
}

export interface AppState {
  requestId: string;
  log: pino.Logger;
  lng: Language;
  /** the language asked for by `?lang=` on a page of the clerk UI (the clerk switched to it), else unset */
  lngSwitched?: Language;
  t: TFunction;
  user?: SessionUser;
}

export type Ctx = Koa.ParameterizedContext<AppState>;

/** Parses route params / query / body with zod; a mismatch is the caller's fault (400). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, code: AppErrorCode = 'BAD_REQUEST'): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError(code, `invalid input: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return r.data;
}

/**
 * The address the language switch links to: the page itself for a GET. A refused form POST shows
 * its form again at the POST address, which a GET would not find, so there the switch goes back to
 * the page the form was on (the Referer of the form's own site: the back-office sends it with
 * `same-origin`), or to the start page when there is none. Only its path is used: the link stays here.
 */
export function pagePath(ctx: Ctx): string {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return ctx.url;
  try {
    const from = new URL(ctx.get('Referer'));
    if (from.host === ctx.host || from.origin === ctx.get('Origin')) return `/${from.pathname.replace(/^\/+/, '')}${from.search}`;
  } catch {
    // no Referer, or not an address
  }
  return '/';
}
