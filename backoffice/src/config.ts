/**
 * Settings of the back-office server (clerk UI + public API), read once from the environment.
 * Nothing else in this workspace reads `process.env`.
 */
export interface ServerConfig {
  /** `PORT` — TCP port to listen on (default 3000). */
  readonly port: number;
  /** `HOST` — interface to bind (default 127.0.0.1). */
  readonly host: string;
  /** `PUBLIC_BASE_URL` — the URL clerks use to reach this server; also the allowed Origin for POSTs (default http://localhost:3000). */
  readonly publicBaseUrl: string;
  /** `PORTAL_URL` — the citizen portal, for tracking links `<PORTAL_URL>/sledovani/<token>` (default http://localhost:4321). */
  readonly portalUrl: string;
  /** `UPLOAD_MAX_BYTES` — largest accepted attachment in bytes (default 10 MiB). */
  readonly uploadMaxBytes: number;
  /** `SESSION_TTL_HOURS` — lifetime of a clerk session (default 10). */
  readonly sessionTtlHours: number;
  /** `LOG_LEVEL` — pino level: fatal, error, warn, info, debug, trace, silent (default info). */
  readonly logLevel: string;
  /** `DEMO_USERS` — seed the demo users when the users table is empty: true/false (default true). */
  readonly demoUsers: boolean;
  /** `DEMO_DATA` — seed the records demo (file plan, parties, files, documents) when there is no file plan: true/false (default false; `npm start` sets true). */
  readonly demoData: boolean;
  /** `DEMO_FILES` — how many everyday matters the records demo tells (default 110); below 10 only the file plans, the units and those matters, without the years of history. */
  readonly demoFiles: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const errors: string[] = [];
  const str = (name: string, def: string) => env[name]?.trim() || def;
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      errors.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const url = (name: string, def: string): string => {
    const raw = str(name, def);
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      errors.push(`${name} must be an http(s) URL (got "${raw}")`);
      return def;
    }
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return def;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    errors.push(`${name} must be true or false (got "${raw}")`);
    return def;
  };

  const logLevel = str('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const config: ServerConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST', '127.0.0.1'),
    publicBaseUrl: url('PUBLIC_BASE_URL', 'http://localhost:3000'),
    portalUrl: url('PORTAL_URL', 'http://localhost:4321'),
    uploadMaxBytes: int('UPLOAD_MAX_BYTES', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    sessionTtlHours: int('SESSION_TTL_HOURS', 10, 1, 24 * 30),
    logLevel,
    demoUsers: bool('DEMO_USERS', true),
    demoData: bool('DEMO_DATA', false),
    demoFiles: int('DEMO_FILES', 110, 0, 10_000),
  };
  if (errors.length) throw new Error(`Invalid server configuration: ${errors.join('; ')}`);
  return Object.freeze(config);
}
