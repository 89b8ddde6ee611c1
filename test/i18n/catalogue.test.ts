import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../i18n/locales');
const languages = ['cs', 'en', 'uk'];

function keys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function load(lng: string, ns: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(root, lng, `${ns}.json`), 'utf8'));
}

describe('i18n catalogue', () => {
  const namespaces = fs.readdirSync(path.join(root, 'cs')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));

  it('has the namespaces every part needs', () => {
    expect(namespaces).toEqual(expect.arrayContaining(['forms']));
  });

  for (const ns of namespaces) {
    it(`${ns}: English and Ukrainian have exactly the Czech keys, none empty`, () => {
      const czech = keys(load('cs', ns)).sort();
      for (const lng of languages) {
        const catalogue = load(lng, ns);
        expect(keys(catalogue).sort(), `${lng}/${ns}.json`).toEqual(czech);
        const empty = keys(catalogue).filter((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], catalogue) === '');
        expect(empty, `${lng}/${ns}.json empty strings`).toEqual([]);
      }
    });
  }

  it('every service in processes/ is named and described in all three languages', () => {
    const processes = path.resolve(import.meta.dirname, '../../processes');
    for (const dir of fs.readdirSync(processes)) {
      const file = path.join(processes, dir, 'catalogue.json');
      if (!fs.existsSync(file)) continue;
      const entry = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const field of ['name', 'summary', 'description', 'whoCanApply', 'whatYouNeed', 'legalBasis']) {
        for (const lng of languages) expect(entry[field][lng], `${dir} ${field}.${lng}`).toBeTruthy();
      }
      for (const [status, names] of Object.entries(entry.statuses as Record<string, Record<string, string>>)) {
        for (const lng of languages) expect(names[lng], `${dir} status ${status}.${lng}`).toBeTruthy();
      }
    }
  });
});
