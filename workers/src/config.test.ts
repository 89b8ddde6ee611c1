import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWorkersConfig } from './config';

describe('readWorkersConfig', () => {
  it('has defaults for a fresh machine', () => {
    const config = readWorkersConfig({});
    expect(config).toMatchObject({ officeCode: 'MMKV', referenceNumberMask: '{office}/{seq}/{year}', smtpUrl: null, portalUrl: 'http://localhost:4321', jobTimeoutMs: 30_000 });
    expect(config.outboxDir).toBe(path.resolve('./data/outbox'));
    expect(config.templatesDir.endsWith(`${path.sep}templates`)).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the originator identity for SIP packages and refuses an IČO that is not 8 digits', () => {
    expect(readWorkersConfig({ OFFICE_ICO: '12345678', OFFICE_ADDRESS: 'Náměstí 1, Obec' })).toMatchObject({ officeId: '12345678', officeAddress: 'Náměstí 1, Obec' });
    expect(readWorkersConfig({})).toMatchObject({ officeId: '00254657' });
    expect(() => readWorkersConfig({ OFFICE_ICO: '1234' })).toThrow(/OFFICE_ICO must be 8 digits/);
  });

  it('names every bad variable at once', () => {
    expect(() => readWorkersConfig({ OFFICE_CODE: 'M/K', REFERENCE_NUMBER_MASK: '{office}/{year}/{nr}', PORTAL_URL: 'nope', SMTP_URL: 'http://x', JOB_TIMEOUT_MS: '500' })).toThrow(
      /OFFICE_CODE[\s\S]*REFERENCE_NUMBER_MASK[\s\S]*PORTAL_URL[\s\S]*SMTP_URL[\s\S]*JOB_TIMEOUT_MS/,
    );
  });

  it('reads the document-intake limits and rejects ones that are not positive whole numbers', () => {
    expect(readWorkersConfig({})).toMatchObject({ unpackMaxEntries: 1000, unpackMaxBytes: 209715200, conversionConcurrency: 1, sofficePath: 'soffice' });
    expect(readWorkersConfig({ TRUST_ANCHORS_DIR: '/etc/openspis/anchors' }).trustAnchorsDir).toBe('/etc/openspis/anchors');
    expect(() => readWorkersConfig({ UNPACK_MAX_BYTES: '10MB', CONVERSION_TIMEOUT_MS: '0' })).toThrow(/UNPACK_MAX_BYTES[\s\S]*CONVERSION_TIMEOUT_MS/);
  });

  it('reads the data-box login only with ISDS_URL, and refuses an incomplete one', () => {
    expect(readWorkersConfig({}).isds).toBeNull();
    expect(readWorkersConfig({ ISDS_URL: 'https://ws1.czebox.cz/DS/', ISDS_USERNAME: 'mmkv01', ISDS_PASSWORD: 'x y' }).isds).toEqual({ url: 'https://ws1.czebox.cz/DS', username: 'mmkv01', password: 'x y', pollIntervalMs: 900_000, sendIntervalMs: 30_000 });
    expect(() => readWorkersConfig({ ISDS_URL: 'ftp://x', ISDS_USERNAME: 'mmkv01', ISDS_POLL_INTERVAL_MS: '1000', ISDS_SEND_INTERVAL_MS: '10' })).toThrow(/ISDS_URL[\s\S]*ISDS_USERNAME and ISDS_PASSWORD[\s\S]*ISDS_POLL_INTERVAL_MS[\s\S]*ISDS_SEND_INTERVAL_MS/);
  });
});
