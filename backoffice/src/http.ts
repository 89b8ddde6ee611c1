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
}

export interface AppState {
  requestId: string;
  log: pino.Logger;
  lng: Language;
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
