import type { APIRoute } from 'astro';
import { ApiNotFoundError, ApiUnavailableError } from '../../../../lib/api-client';

// Streams an outgoing document (the answer) from the public API to the citizen, keeping the
// API's Content-Type and Content-Disposition. Only the token's own documents are served: the API
// checks that.
const PASSED_HEADERS = ['content-type', 'content-disposition', 'content-length', 'last-modified', 'etag'];

export const GET: APIRoute = async ({ params, locals }) => {
  const { api, lang, t } = locals;
  try {
    const upstream = await api.document(params.token ?? '', params.id ?? '', lang);
    if (!upstream.ok || !upstream.body) {
      await upstream.body?.cancel();
      return new Response(t('document.unavailable'), { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
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
      console.error(JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'document download failed', err: err instanceof ApiUnavailableError ? err.message : String(err) }));
    }
    return new Response(notFound ? t('document.unavailable') : t('unavailable.text'), {
      status: notFound ? 404 : 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
};
