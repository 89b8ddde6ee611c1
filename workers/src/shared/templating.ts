import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import i18next, { type i18n } from 'i18next';

export const LOCALES = ['cs', 'en', 'uk'] as const;
export type Locale = (typeof LOCALES)[number];

export function toLocale(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : 'cs';
}

const INTL_LOCALE: Record<Locale, string> = { cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' };

/** A date in Prague time, optionally with the time to the minute (`true`) or to the second (`'seconds'`). */
export function formatDate(at: Date | string, locale: Locale, withTime: boolean | 'seconds' = false): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: 'Europe/Prague',
    dateStyle: 'long',
    ...(withTime ? { timeStyle: withTime === 'seconds' ? 'medium' : 'short' } : {}),
  }).format(new Date(at));
}

/** The `templates` namespace of the i18n catalogue, loaded once per locales folder. */
const translators = new Map<string, i18n>();

function translator(localesDir: string): i18n {
  let instance = translators.get(localesDir);
  if (!instance) {
    const resources = Object.fromEntries(
      LOCALES.map((lng) => [lng, { templates: JSON.parse(fs.readFileSync(path.join(localesDir, lng, 'templates.json'), 'utf8')) }]),
    );
    instance = i18next.createInstance();
    // output goes into PDFs and plain-text e-mails, never HTML, so nothing is escaped
    void instance.init({ resources, lng: 'cs', fallbackLng: 'cs', ns: ['templates'], defaultNS: 'templates', initAsync: false, interpolation: { escapeValue: false } });
    translators.set(localesDir, instance);
  }
  return instance;
}

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export function createTranslate(localesDir: string, locale: Locale): Translate {
  const t = translator(localesDir).getFixedT(locale, 'templates');
  return (key, vars) => t(key, vars ?? {}) as string;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/**
 * Renders a handlebars template file as plain text (no HTML escaping) with a `t` helper bound to
 * the locale: `{{t "email.greeting"}}`, `{{t "answer.subject" subject=subject}}`.
 */
export function renderTextTemplate(file: string, context: Record<string, unknown>, t: Translate, helpers: Record<string, Handlebars.HelperDelegate> = {}): string {
  let template = compiled.get(file);
  if (!template) {
    const hb = Handlebars.create();
    hb.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
      return (options.data.root as { __t: Translate }).__t(key, options.hash);
    });
    for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
    template = hb.compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: false });
    compiled.set(file, template);
  }
  return template({ ...context, __t: t });
}
