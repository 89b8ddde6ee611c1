import { defineMiddleware } from 'astro:middleware';
import { LANGUAGE_COOKIE, negotiateLanguage } from './lib/language';
import { api, translatorFor } from './services';

export const onRequest = defineMiddleware(async (context, next) => {
  const { language, remember } = negotiateLanguage(
    context.url.searchParams.get('lang'),
    context.cookies.get(LANGUAGE_COOKIE)?.value,
  );
  if (remember) {
    context.cookies.set(LANGUAGE_COOKIE, remember, {
      path: '/',
      maxAge: 60 * 60 * 24 * 365,
      sameSite: 'lax',
      httpOnly: true,
    });
  }
  context.locals.lang = language;
  context.locals.t = translatorFor(language);
  context.locals.api = api;
  const response = await next();
  try {
    setSecurityHeaders(response.headers);
  } catch {
    // Response.redirect() and similar answers have immutable headers; they carry no page.
  }
  return response;
});

function setSecurityHeaders(headers: Headers): void {
  // Pages depend on the language cookie and on live case data: never cache them in shared caches.
  if (!headers.has('cache-control')) headers.set('cache-control', 'private, no-store');
  headers.set('x-content-type-options', 'nosniff');
  // Tracking links carry a secret token: never send it to other sites. (Not `no-referrer`: that
  // makes browsers send `Origin: null` on form POSTs, which Astro's origin check rejects.)
  headers.set('referrer-policy', 'same-origin');
  if ((headers.get('content-type') ?? '').startsWith('text/html')) {
    headers.set('x-frame-options', 'DENY');
    headers.set(
      'content-security-policy',
      "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  }
}
