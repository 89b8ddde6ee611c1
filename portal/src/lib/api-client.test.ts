import { describe, expect, it } from 'vitest';
import { ApiNotFoundError, ApiUnavailableError, createApiClient } from './api-client';

function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  }) as unknown as typeof globalThis.fetch;
  return { calls, client: createApiClient({ baseUrl: 'http://api/api/public/v1/', timeoutMs: 1000, fetch }) };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('public API client', () => {
  it('asks for the page language and returns the services', async () => {
    const { calls, client } = fakeFetch(() => json(200, { services: [{ code: 'general-submission', name: 'General submission' }] }));
    const services = await client.listServices('en');
    expect(services[0].code).toBe('general-submission');
    expect(calls[0].url).toBe('http://api/api/public/v1/services?lang=en');
  });

  it('encodes codes and tokens into the path', async () => {
    const { calls, client } = fakeFetch(() => json(200, { submission: {}, timeline: [], documents: [] }));
    await client.getTracking('a/b?c', 'cs');
    expect(calls[0].url).toBe('http://api/api/public/v1/tracking/a%2Fb%3Fc?lang=cs');
  });

  it('reports 404 as not found, with the API error code', async () => {
    const { client } = fakeFetch(() => json(404, { error: { code: 'TRACKING_NOT_FOUND', message: 'x' } }));
    const err = await client.getTracking('t', 'cs').catch((e) => e);
    expect(err).toBeInstanceOf(ApiNotFoundError);
    expect(err.code).toBe('TRACKING_NOT_FOUND');
  });

  it('reports 5xx, bad JSON and network failures as unavailable', async () => {
    await expect(fakeFetch(() => json(502, {})).client.listServices('cs')).rejects.toBeInstanceOf(ApiUnavailableError);
    await expect(fakeFetch(() => new Response('<html>', { status: 200 })).client.listServices('cs')).rejects.toBeInstanceOf(ApiUnavailableError);
    await expect(
      fakeFetch(() => {
        throw new TypeError('fetch failed');
      }).client.listServices('cs'),
    ).rejects.toBeInstanceOf(ApiUnavailableError);
  });

  it('posts the multipart body and returns the created submission', async () => {
    const { calls, client } = fakeFetch(() => json(201, { submissionId: 's', trackingToken: 'tok', referenceNumber: 'MMKV/1/2026', status: 'registered' }));
    const body = new FormData();
    body.append('subject', 'Chodník');
    const result = await client.submit('general-submission', 'uk', body, '5f0c1c3e-6f0a-4c55-9a38-0d6f1f7a2b11');
    expect(result).toEqual({ ok: true, data: expect.objectContaining({ trackingToken: 'tok', referenceNumber: 'MMKV/1/2026' }) });
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toMatchObject({ 'idempotency-key': '5f0c1c3e-6f0a-4c55-9a38-0d6f1f7a2b11' });
    expect(calls[0].init.body).toBe(body);
    expect(calls[0].url).toBe('http://api/api/public/v1/services/general-submission/submissions?lang=uk');
  });

  it('returns validation errors to the caller', async () => {
    const error = { error: { code: 'VALIDATION_FAILED', message: 'm', fields: { subject: 'Vyplňte.' } } };
    const { client } = fakeFetch(() => json(400, error));
    expect(await client.submit('general-submission', 'cs', new FormData())).toEqual({ ok: false, status: 400, body: error });
  });

  it('withdraws: 202 is success, 409 is returned', async () => {
    expect(await fakeFetch(() => new Response(null, { status: 202 })).client.withdraw('t', 'cs')).toEqual({ ok: true });
    const conflict = await fakeFetch(() => json(409, { error: { code: 'ALREADY_SETTLED' } })).client.withdraw('t', 'cs');
    expect(conflict).toMatchObject({ ok: false, status: 409 });
  });
});
