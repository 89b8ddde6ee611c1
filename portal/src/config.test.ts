import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';

describe('parseConfig', () => {
  it('has working defaults', () => {
    const config = parseConfig({});
    expect(config.apiUrl).toBe('http://127.0.0.1:3000/api/public/v1');
    expect(config.apiTimeoutMs).toBe(15_000);
    expect(config.portalUrl).toBeNull();
    expect(config.i18nDir).toMatch(/i18n[/\\]locales$/);
  });

  it('names every bad variable', () => {
    expect(() => parseConfig({ PUBLIC_API_URL: 'nope', API_TIMEOUT_MS: '-1', I18N_DIR: '/nowhere' })).toThrow(
      /PUBLIC_API_URL[\s\S]*I18N_DIR[\s\S]*API_TIMEOUT_MS/,
    );
  });
});
