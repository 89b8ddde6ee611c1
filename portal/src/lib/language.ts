// Which language a request is served in. Czech is the default; `?lang=` wins and is remembered in
// a cookie. Accept-Language is deliberately ignored: the office's site is Czech unless the visitor
// picks another language (and tests in an en-US browser see the same page as everyone).

export const LANGUAGES = ['cs', 'en', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'cs';
export const LANGUAGE_COOKIE = 'lang';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export interface LanguageChoice {
  language: Language;
  /** set when the query chose a language that should be remembered */
  remember: Language | null;
}

export function negotiateLanguage(query: string | null | undefined, cookie: string | null | undefined): LanguageChoice {
  const q = query?.trim().toLowerCase();
  if (isLanguage(q)) return { language: q, remember: q === cookie ? null : q };
  const c = cookie?.trim().toLowerCase();
  if (isLanguage(c)) return { language: c, remember: null };
  return { language: DEFAULT_LANGUAGE, remember: null };
}

/** The same URL (path and query) with `lang` set, for the language switcher. */
export function languageHref(url: URL, language: Language): string {
  const params = new URLSearchParams(url.search);
  params.set('lang', language);
  return `${url.pathname}?${params.toString()}`;
}

/** Locale used for dates and numbers. */
export function intlLocale(language: Language): string {
  return { cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' }[language];
}
