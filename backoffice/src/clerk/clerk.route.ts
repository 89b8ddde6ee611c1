import Router from '@koa/router';
import type { AppState } from '../http';

export function clerkRouter(_deps: unknown): Router<AppState> {
  return new Router<AppState>();
}
