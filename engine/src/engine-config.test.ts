import { describe, expect, it } from 'vitest';
import { readEngineConfig } from './engine-config';

describe('engine configuration', () => {
  it('defaults to the embedded engine and selects Zeebe with its address and credentials', () => {
    expect(readEngineConfig({})).toEqual({ kind: 'embedded' });
    expect(readEngineConfig({ ENGINE: 'zeebe', CAMUNDA_REST_ADDRESS: 'https://camunda.example/', CAMUNDA_AUTH_STRATEGY: 'basic', CAMUNDA_BASIC_AUTH_USERNAME: 'demo', CAMUNDA_BASIC_AUTH_PASSWORD: 'secret' }))
      .toEqual({ kind: 'zeebe', zeebe: { restAddress: 'https://camunda.example/', auth: { strategy: 'BASIC', username: 'demo', password: 'secret' }, requestTimeoutMs: 30_000 } });
  });

  it('fails fast naming the bad variable', () => {
    expect(() => readEngineConfig({ ENGINE: 'camunda7' })).toThrow(/ENGINE must be embedded or zeebe/);
    expect(() => readEngineConfig({ ENGINE: 'zeebe' })).toThrow(/CAMUNDA_REST_ADDRESS/);
    expect(() => readEngineConfig({ ENGINE: 'zeebe', CAMUNDA_REST_ADDRESS: 'http://x', CAMUNDA_AUTH_STRATEGY: 'BASIC' })).toThrow(/CAMUNDA_BASIC_AUTH_USERNAME/);
  });
});
