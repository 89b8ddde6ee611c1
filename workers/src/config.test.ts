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
});
