import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';

export const LANGUAGES = ['cs', 'en', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'cs';

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** Reads every namespace of `i18n/locales/<lng>/<ns>.json` into a fresh i18next instance. */
export function loadI18n(localesDir: string): i18n {
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    const dir = path.join(localesDir, lng);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const ns = file.slice(0, -5);
      namespaces.add(ns);
      resources[lng][ns] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false, // resources are inline, so init finishes synchronously
    resources: resources as never,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: [...namespaces],
    defaultNS: 'backoffice',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  if (!instance.isInitialized) throw new Error('i18next did not initialise synchronously');
  return instance;
}

export function translator(i18n: i18n, lng: Language): TFunction {
  return i18n.getFixedT(lng);
}
