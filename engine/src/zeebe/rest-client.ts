import { EngineError, type EngineErrorCode } from '../port';

/**
 * How to reach a Camunda 8.8 Orchestration Cluster (read from the environment by
 * `readZeebeConfig`; see the README configuration table).
 */
export interface ZeebeConfig {
  /** `CAMUNDA_REST_ADDRESS`, e.g. `http://localhost:8080` (the adapter appends `/v2`) */
  readonly restAddress: string;
  /** `CAMUNDA_AUTH_STRATEGY`: NONE, BASIC or OAUTH */
  readonly auth:
    | { readonly strategy: 'NONE' }
    | { readonly strategy: 'BASIC'; readonly username: string; readonly password: string }
    | { readonly strategy: 'OAUTH'; readonly oauthUrl: string; readonly clientId: string; readonly clientSecret: string; readonly audience: string | null };
  /** `CAMUNDA_REQUEST_TIMEOUT_MS` (default 30 000) */
  readonly requestTimeoutMs: number;
}

/** A small fetch wrapper: base path, auth header, JSON or multipart bodies, problem details → EngineError. */
export class RestClient {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly config: ZeebeConfig, private readonly fetchFn: typeof fetch) {}

  private async authHeader(): Promise<Record<string, string>> {
    const auth = this.config.auth;
    if (auth.strategy === 'NONE') return {};
    if (auth.strategy === 'BASIC') return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    if (!this.token || this.token.expiresAt < Date.now() + 30_000) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
      if (auth.audience) body.set('audience', auth.audience);
      const res = await this.fetchFn(auth.oauthUrl, { method: 'POST', body, signal: AbortSignal.timeout(this.config.requestTimeoutMs) });
      if (!res.ok) throw new Error(`Camunda OAuth token request failed: HTTP ${res.status}`);
      const t = (await res.json()) as { access_token: string; expires_in?: number };
      this.token = { value: t.access_token, expiresAt: Date.now() + (t.expires_in ?? 300) * 1000 };
    }
    return { authorization: `Bearer ${this.token.value}` };
  }

  async call<T = unknown>(method: string, path: string, opts: { body?: unknown; form?: FormData; notFoundAsNull?: boolean }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.authHeader()) };
    let body: BodyInit | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const url = `${this.config.restAddress.replace(/\/+$/, '')}/v2${path}`;
    const res = await this.fetchFn(url, { method, headers, body, signal: AbortSignal.timeout(this.config.requestTimeoutMs) });
    if (res.status === 404 && opts.notFoundAsNull) return null as T;
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
      const code: EngineErrorCode = res.status === 404 ? 'NOT_FOUND'
        : res.status === 409 ? (/assign/i.test(path) ? 'TASK_ALREADY_ASSIGNED' : 'INVALID_STATE')
          : res.status === 400 ? (/deployments/.test(path) ? 'DEPLOY_REJECTED' : 'INVALID_ARGUMENT')
            : 'INVALID_STATE';
      if (res.status >= 500 || res.status === 401 || res.status === 403) {
        throw new Error(`Camunda REST ${method} ${path}: HTTP ${res.status} ${problem.title ?? ''}`.trim());
      }
      throw new EngineError(code, `${method} ${path}: ${problem.detail ?? problem.title ?? `HTTP ${res.status}`}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Reads the Zeebe settings; throws naming every bad variable. */
export function readZeebeConfig(env: NodeJS.ProcessEnv): ZeebeConfig {
  const errors: string[] = [];
  const restAddress = env.CAMUNDA_REST_ADDRESS?.trim() ?? '';
  if (!/^https?:\/\/.+/.test(restAddress)) errors.push('CAMUNDA_REST_ADDRESS must be an http(s) URL of the Orchestration Cluster REST API');
  const strategy = (env.CAMUNDA_AUTH_STRATEGY?.trim().toUpperCase() || 'NONE');
  let auth: ZeebeConfig['auth'] = { strategy: 'NONE' };
  if (strategy === 'BASIC') {
    const username = env.CAMUNDA_BASIC_AUTH_USERNAME?.trim() ?? '';
    const password = env.CAMUNDA_BASIC_AUTH_PASSWORD ?? '';
    if (!username || !password) errors.push('CAMUNDA_BASIC_AUTH_USERNAME and CAMUNDA_BASIC_AUTH_PASSWORD are required with CAMUNDA_AUTH_STRATEGY=BASIC');
    auth = { strategy: 'BASIC', username, password };
  } else if (strategy === 'OAUTH') {
    const oauthUrl = env.CAMUNDA_OAUTH_URL?.trim() ?? '';
    const clientId = env.CAMUNDA_CLIENT_ID?.trim() ?? '';
    const clientSecret = env.CAMUNDA_CLIENT_SECRET ?? '';
    if (!/^https?:\/\/.+/.test(oauthUrl)) errors.push('CAMUNDA_OAUTH_URL must be an http(s) URL with CAMUNDA_AUTH_STRATEGY=OAUTH');
    if (!clientId || !clientSecret) errors.push('CAMUNDA_CLIENT_ID and CAMUNDA_CLIENT_SECRET are required with CAMUNDA_AUTH_STRATEGY=OAUTH');
    auth = { strategy: 'OAUTH', oauthUrl, clientId, clientSecret, audience: env.CAMUNDA_TOKEN_AUDIENCE?.trim() || null };
  } else if (strategy !== 'NONE') {
    errors.push(`CAMUNDA_AUTH_STRATEGY must be NONE, BASIC or OAUTH (got "${strategy}")`);
  }
  const timeoutRaw = env.CAMUNDA_REQUEST_TIMEOUT_MS?.trim();
  const requestTimeoutMs = timeoutRaw ? Number(timeoutRaw) : 30_000;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1) errors.push('CAMUNDA_REQUEST_TIMEOUT_MS must be a positive integer');
  if (errors.length) throw new Error(`Invalid Zeebe configuration: ${errors.join('; ')}`);
  return Object.freeze({ restAddress, auth, requestTimeoutMs });
}
