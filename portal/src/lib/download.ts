import { ApiNotFoundError, ApiUnavailableError } from './api-client';

// Streams a file from the public API to the citizen, keeping the API's Content-Type and
// Content-Disposition. Only the token's own files are served: the API checks that.
const PASSED_HEADERS = ['content-type', 'content-disposition', 'content-length', 'last-modified', 'etag'];

const plain = (text: string, status: number) => new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function streamDownload(fetchUpstream: () => Promise<Response>, messages: { notFound: string; unavailable: string }): Promise<Response> {
  try {
    const upstream = await fetchUpstream();
    if (!upstream.ok || !upstream.body) {
      await upstream.body?.cancel();
      return plain(messages.notFound, 404);
    }
    const headers = new Headers({ 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
    for (const name of PASSED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) headers.set(name, value);
    }
    if (!headers.has('content-disposition')) headers.set('content-disposition', 'attachment');
    if (!headers.has('content-type')) headers.set('content-type', 'application/octet-stream');
    return new Response(upstream.body, { status: 200, headers });
  } catch (err) {
    const notFound = err instanceof ApiNotFoundError;
    if (!notFound) {
      console.error(JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'download failed', err: err instanceof ApiUnavailableError ? err.message : String(err) }));
    }
    return notFound ? plain(messages.notFound, 404) : plain(messages.unavailable, 503);
  }
}
