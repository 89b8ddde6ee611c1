import { describe, expect, it } from 'vitest';
import { readServerConfig } from './config';

describe('readServerConfig', () => {
  it('has working defaults and is read-only', () => {
    const c = readServerConfig({});
    expect(c).toEqual({
      port: 3000, host: '127.0.0.1', publicBaseUrl: 'http://localhost:3000', portalUrl: 'http://localhost:4321',
      uploadMaxBytes: 10 * 1024 * 1024, sessionTtlHours: 10, logLevel: 'info', demoUsers: true, demoData: false, demoFiles: 110,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad variable at once', () => {
    expect(() => readServerConfig({ PORT: 'x', PUBLIC_BASE_URL: 'ftp://a', UPLOAD_MAX_BYTES: '-1', DEMO_USERS: 'maybe', LOG_LEVEL: 'loud' })).toThrow(
      /PORT.*PUBLIC_BASE_URL.*UPLOAD_MAX_BYTES.*DEMO_USERS.*LOG_LEVEL|LOG_LEVEL/s,
    );
    try {
      readServerConfig({ PORT: 'x', PUBLIC_BASE_URL: 'ftp://a', UPLOAD_MAX_BYTES: '-1', DEMO_USERS: 'maybe', LOG_LEVEL: 'loud' });
    } catch (e) {
      for (const name of ['PORT', 'PUBLIC_BASE_URL', 'UPLOAD_MAX_BYTES', 'DEMO_USERS', 'LOG_LEVEL']) expect((e as Error).message).toContain(name);
    }
  });

  it('reads overrides and strips a trailing slash from URLs', () => {
    const c = readServerConfig({ PORT: '8080', PORTAL_URL: 'https://portal.example/', DEMO_USERS: 'false', SESSION_TTL_HOURS: '2', DEMO_FILES: '0' });
    expect(c).toMatchObject({ port: 8080, portalUrl: 'https://portal.example', demoUsers: false, sessionTtlHours: 2, demoFiles: 0 });
  });
});
