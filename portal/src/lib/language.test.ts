import { describe, expect, it } from 'vitest';
import { languageHref, negotiateLanguage } from './language';

describe('negotiateLanguage', () => {
  it('serves Czech when nothing was chosen', () => {
    expect(negotiateLanguage(null, undefined)).toEqual({ language: 'cs', remember: null });
  });

  it('takes ?lang= and asks to remember it', () => {
    expect(negotiateLanguage('uk', 'cs')).toEqual({ language: 'uk', remember: 'uk' });
    expect(negotiateLanguage('EN', undefined)).toEqual({ language: 'en', remember: 'en' });
  });

  it('does not set the cookie again when it already holds the chosen language', () => {
    expect(negotiateLanguage('en', 'en')).toEqual({ language: 'en', remember: null });
  });

  it('falls back to the cookie, then Czech, for unknown values', () => {
    expect(negotiateLanguage('de', 'uk')).toEqual({ language: 'uk', remember: null });
    expect(negotiateLanguage('de', 'fr')).toEqual({ language: 'cs', remember: null });
  });
});

describe('languageHref', () => {
  it('keeps the path and other query parameters', () => {
    expect(languageHref(new URL('http://x/sledovani/abc?zpet-vzato=1&lang=cs'), 'en')).toBe('/sledovani/abc?zpet-vzato=1&lang=en');
  });
});
