import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator } from './i18n';

const localesDir = path.resolve(import.meta.dirname, '../../../i18n/locales');
const srcDir = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(astro|ts)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('portal translations', () => {
  it('has every key the pages use, in all three languages', async () => {
    const translatorFor = await createTranslator(localesDir);
    const keys = new Set<string>();
    for (const file of sources(srcDir)) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bt\('([^'`$]+)'/g)) keys.add(m[1]);
    }
    expect(keys.size).toBeGreaterThan(50);
    for (const lng of ['cs', 'en', 'uk'] as const) {
      const t = translatorFor(lng);
      const missing = [...keys].filter((k) => {
        const [ns, key] = k.includes(':') ? k.split(':') : ['portal', k];
        const value = t(key, { ns, count: 5, defaultValue: '\u0000missing' });
        return value === '\u0000missing';
      });
      expect(missing, lng).toEqual([]);
    }
  });

  it('uses the right plural form for deadlines', async () => {
    const translatorFor = await createTranslator(localesDir);
    expect(translatorFor('cs')('home.deadline', { count: 1 })).toBe('Vyřízení do 1 dne');
    expect(translatorFor('cs')('home.deadline', { count: 30 })).toBe('Vyřízení do 30 dnů');
    expect(translatorFor('en')('home.deadline', { count: 30 })).toBe('Handled within 30 days');
    expect(translatorFor('uk')('home.deadline', { count: 30 })).toBe('Розгляд до 30 днів');
  });

  it('reads the office name from the common namespace', async () => {
    const translatorFor = await createTranslator(localesDir);
    expect(translatorFor('cs')('common:officeName')).toBe('Magistrát města Karlovy Vary');
    expect(translatorFor('en')('common:officeName')).toBe('Karlovy Vary Municipal Office');
  });
});
