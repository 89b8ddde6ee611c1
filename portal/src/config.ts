import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The portal's configuration, parsed once from the environment. Nothing else reads process.env.
//
//   PUBLIC_API_URL  base URL of the public API (the only thing the portal talks to; it holds no
//                   database credentials). Default http://127.0.0.1:3000/api/public/v1
//   I18N_DIR        folder with <lng>/<namespace>.json catalogues. Default: the repository's
//                   i18n/locales, found by walking up from this file (works in src/ and dist/).
//   API_TIMEOUT_MS  how long one API call may take before the portal shows "temporarily
//                   unavailable". Default 15000 (the submission call waits up to 5 s for the
//                   reference number).
//   PORTAL_URL      public address of the portal, used to print the full tracking link on the
//                   confirmation page. Default: taken from the request.
//   HOST, PORT      read by the @astrojs/node standalone server itself (defaults localhost, 4321).
//   PORTAL_ALLOWED_HOSTNAMES  build-time only, see astro.config.mjs.

export interface PortalConfig {
  readonly apiUrl: string;
  readonly i18nDir: string;
  readonly apiTimeoutMs: number;
  readonly portalUrl: string | null;
}

function findI18nDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const candidate = path.join(dir, 'i18n', 'locales');
    if (fs.existsSync(path.join(candidate, 'cs'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(process.cwd(), 'i18n', 'locales');
}

export function parseConfig(env: Record<string, string | undefined>): PortalConfig {
  const problems: string[] = [];
  const apiUrl = (env.PUBLIC_API_URL || 'http://127.0.0.1:3000/api/public/v1').replace(/\/+$/, '');
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push('PUBLIC_API_URL must be http(s)');
  } catch {
    problems.push(`PUBLIC_API_URL is not a URL: ${apiUrl}`);
  }
  const i18nDir = path.resolve(env.I18N_DIR || findI18nDir());
  if (!fs.existsSync(path.join(i18nDir, 'cs', 'portal.json'))) problems.push(`I18N_DIR has no cs/portal.json: ${i18nDir}`);
  const apiTimeoutMs = Number(env.API_TIMEOUT_MS || 15_000);
  if (!Number.isInteger(apiTimeoutMs) || apiTimeoutMs <= 0) problems.push('API_TIMEOUT_MS must be a positive integer');
  const portalUrl = env.PORTAL_URL ? env.PORTAL_URL.replace(/\/+$/, '') : null;
  if (portalUrl) {
    try {
      new URL(portalUrl);
    } catch {
      problems.push(`PORTAL_URL is not a URL: ${portalUrl}`);
    }
  }
  if (problems.length) throw new Error(`Invalid portal configuration:\n  ${problems.join('\n  ')}`);
  return Object.freeze({ apiUrl, i18nDir, apiTimeoutMs, portalUrl });
}

export const config: PortalConfig = parseConfig(process.env);
