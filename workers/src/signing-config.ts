import fs from 'node:fs';
import path from 'node:path';

/** Where the seal key comes from. Chosen by which variables are set: PKCS#11, else PKCS#12, else the dev seal. */
export type SealKeyConfig =
  | { kind: 'dev'; dir: string }
  | { kind: 'pkcs12'; file: string; password: string }
  | { kind: 'pkcs11'; module: string; tokenLabel: string; pin: string; keyLabel: string; certificateFile: string | null };

export interface SigningConfig {
  readonly key: SealKeyConfig;
  /**
   * `SIGNING_TSA_URL`: RFC 3161 time stamp authority (a qualified one in production). Set: seals are
   * PAdES B-T and sealing fails (and is retried) while the TSA cannot be reached. Unset: B-B.
   * `SIGNING_TSA_USERNAME` / `SIGNING_TSA_PASSWORD`: HTTP basic authentication, if the TSA wants it.
   * `SIGNING_TSA_TIMEOUT_MS` (default `15000`).
   */
  readonly tsa: { url: string; username: string | null; password: string | null; timeoutMs: number } | null;
  /** `SIGNING_LOCATION` (default: the office name): /Location of the signature dictionary. */
  readonly location: string | null;
}

/**
 * The signing part of the workers' configuration:
 * - `SIGNING_PKCS11_MODULE`, `SIGNING_PKCS11_TOKEN_LABEL`, `SIGNING_PKCS11_PIN` (or `SIGNING_PKCS11_PIN_FILE`),
 *   `SIGNING_PKCS11_KEY_LABEL`, optionally `SIGNING_CERTIFICATE_FILE` (PEM, seal certificate first, then its chain);
 * - else `SIGNING_PKCS12_FILE` with `SIGNING_PKCS12_PASSWORD` (or `SIGNING_PKCS12_PASSWORD_FILE`);
 * - else the generated dev seal in `<OPENSPIS_DATA_DIR>/signing/dev-seal/` — not qualified, says so in its name.
 */
export function readSigningConfig(get: (name: string, fallback: string) => string, errors: string[], dataDir: string): SigningConfig {
  const secret = (name: string): string => {
    const direct = get(name, '');
    const file = get(`${name}_FILE`, '');
    if (direct && file) errors.push(`set only one of ${name} and ${name}_FILE`);
    if (file) {
      try {
        return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch {
        errors.push(`${name}_FILE cannot be read`);
      }
    }
    return direct;
  };
  const readable = (name: string, value: string) => {
    if (!fs.existsSync(value)) errors.push(`${name} does not exist: ${value}`);
  };

  let key: SealKeyConfig;
  const p11Module = get('SIGNING_PKCS11_MODULE', '');
  const p12File = get('SIGNING_PKCS12_FILE', '');
  if (p11Module) {
    readable('SIGNING_PKCS11_MODULE', p11Module);
    const tokenLabel = get('SIGNING_PKCS11_TOKEN_LABEL', '');
    const keyLabel = get('SIGNING_PKCS11_KEY_LABEL', '');
    const pin = secret('SIGNING_PKCS11_PIN');
    if (!tokenLabel) errors.push('SIGNING_PKCS11_TOKEN_LABEL is required with SIGNING_PKCS11_MODULE');
    if (!keyLabel) errors.push('SIGNING_PKCS11_KEY_LABEL is required with SIGNING_PKCS11_MODULE');
    if (!pin) errors.push('SIGNING_PKCS11_PIN (or SIGNING_PKCS11_PIN_FILE) is required with SIGNING_PKCS11_MODULE');
    const certificateFile = get('SIGNING_CERTIFICATE_FILE', '') || null;
    if (certificateFile) readable('SIGNING_CERTIFICATE_FILE', certificateFile);
    key = { kind: 'pkcs11', module: p11Module, tokenLabel, pin, keyLabel, certificateFile };
    if (p12File) errors.push('set either SIGNING_PKCS11_MODULE or SIGNING_PKCS12_FILE, not both');
  } else if (p12File) {
    readable('SIGNING_PKCS12_FILE', p12File);
    key = { kind: 'pkcs12', file: path.resolve(p12File), password: secret('SIGNING_PKCS12_PASSWORD') };
  } else {
    key = { kind: 'dev', dir: path.join(dataDir, 'signing', 'dev-seal') };
  }

  let tsa: SigningConfig['tsa'] = null;
  const tsaUrl = get('SIGNING_TSA_URL', '');
  if (tsaUrl) {
    if (!URL.canParse(tsaUrl) || !['http:', 'https:'].includes(new URL(tsaUrl).protocol)) errors.push('SIGNING_TSA_URL must be an http(s) URL');
    const timeoutRaw = get('SIGNING_TSA_TIMEOUT_MS', '15000');
    const timeoutMs = Number(timeoutRaw);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 100) errors.push('SIGNING_TSA_TIMEOUT_MS must be a whole number of milliseconds, at least 100');
    tsa = { url: tsaUrl, username: get('SIGNING_TSA_USERNAME', '') || null, password: secret('SIGNING_TSA_PASSWORD') || null, timeoutMs };
  }
  return Object.freeze({ key, tsa, location: get('SIGNING_LOCATION', '') || null });
}
