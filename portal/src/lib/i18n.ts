import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { LANGUAGES, DEFAULT_LANGUAGE, type Language } from './language';

// The portal's strings: namespaces `portal` (default) and `common` from i18n/locales/<lng>/.
export const NAMESPACES = ['portal', 'common'] as const;

export type Translate = TFunction;

function loadResources(dir: string): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    for (const ns of NAMESPACES) {
      const file = path.join(dir, lng, `${ns}.json`);
      resources[lng][ns] = JSON.parse(fs.readFileSync(file, 'utf8'));
    }
  }
  return resources;
}

export async function createTranslator(dir: string): Promise<(lng: Language) => Translate> {
  const instance = i18next.createInstance();
  await instance.init({
    resources: loadResources(dir),
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: [...NAMESPACES],
    defaultNS: 'portal',
    fallbackNS: 'common',
    // Astro escapes on output; escaping here too would show &amp; to the citizen.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    showSupportNotice: false,
  } as Parameters<typeof instance.init>[0]);
  const fixed = new Map<Language, Translate>();
  for (const lng of LANGUAGES) fixed.set(lng, instance.getFixedT(lng));
  return (lng) => fixed.get(lng)!;
}
