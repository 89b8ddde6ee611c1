import { readZeebeConfig, type ZeebeConfig } from './zeebe/rest-client';

/**
 * Which engine the app runs on, read once from the environment.
 *
 * - `ENGINE` — `embedded` (default: bpmn-engine, durable in the app's database, free) or `zeebe`
 *   (a Camunda 8.8 Orchestration Cluster; self-managed Zeebe 8.6+ needs a paid Camunda licence in
 *   production — see docs/engines.md).
 * - with `zeebe`: `CAMUNDA_REST_ADDRESS`, `CAMUNDA_AUTH_STRATEGY` (NONE | BASIC | OAUTH),
 *   `CAMUNDA_BASIC_AUTH_USERNAME`/`_PASSWORD`, `CAMUNDA_OAUTH_URL`, `CAMUNDA_CLIENT_ID`,
 *   `CAMUNDA_CLIENT_SECRET`, `CAMUNDA_TOKEN_AUDIENCE`, `CAMUNDA_REQUEST_TIMEOUT_MS`.
 */
export type EngineConfig = { readonly kind: 'embedded' } | { readonly kind: 'zeebe'; readonly zeebe: ZeebeConfig };

export function readEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const kind = env.ENGINE?.trim().toLowerCase() || 'embedded';
  if (kind === 'embedded') return Object.freeze({ kind });
  if (kind === 'zeebe') return Object.freeze({ kind, zeebe: readZeebeConfig(env) });
  throw new Error(`Invalid engine configuration: ENGINE must be embedded or zeebe (got "${kind}")`);
}
