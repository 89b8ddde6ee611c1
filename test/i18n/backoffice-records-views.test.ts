import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NSESSS_EVENT_TYPES } from '@openspis/db';
import { FILE_KINDS, FILE_STATES, NUMBERING_METHODS, PARTY_KINDS, SETTLEMENT_KINDS } from '@openspis/workers';
import { COMPONENT_DERIVATIONS } from '../../backoffice/src/records/records-document-page.route';

/**
 * The records screens of the back-office (records-*.hbs and the layout around them) take every
 * user-facing text from the catalogue: each key they use exists (English and Ukrainian have exactly
 * the Czech keys: catalogue.test.ts), each value a computed key can take exists, and no word is
 * written into a template by hand.
 */
const VIEWS = path.resolve(import.meta.dirname, '../../backoffice/src/ui/views');
const LOCALES = path.resolve(import.meta.dirname, '../../i18n/locales');
const views = fs.readdirSync(VIEWS).filter((f) => /^records-.*\.hbs$/.test(f) || f === 'layout.hbs' || f === 'error.hbs' || f === '_typed-file-parts.hbs').sort();

function lookup(lng: string, key: string): unknown {
  const [ns, rest] = key.includes(':') ? key.split(':') : ['backoffice', key];
  const catalogue = JSON.parse(fs.readFileSync(path.join(LOCALES, lng, `${ns}.json`), 'utf8'));
  return rest.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), catalogue);
}

/** The values each computed key (`concat "<prefix>" value`) can take. */
const COMPUTED: Record<string, readonly string[]> = {
  'records:fileStates.': FILE_STATES,
  'records:fileKinds.': FILE_KINDS,
  'records:numbering.': NUMBERING_METHODS,
  'records:parties.kinds.': PARTY_KINDS,
  'records:journalStates.': ['registered', 'settled', 'cancelled'],
  'records:directions.': ['incoming', 'outgoing', 'internal'],
  'records:proposalStates.': ['open', 'exported', 'decided'],
  'records:decisions.kinds.': ['decision', 'confirmation'],
  'records:channels.': ['data-box', 'email', 'post', 'personal', 'portal'],
  'records:dispatchList.stages.': ['to-dispatch', 'to-deliver'],
  'records:dispatchList.done.': ['dispatched', 'delivered'],
  'records:typed.done.': [
    'created', 'volume-opened', 'volume-existed', 'file-opened', 'file-existed', 'volume-closed', 'volume-closed-next', 'volume-reopened',
    'part-closed', 'part-reopened', 'typed-closed', 'typed-reopened',
  ],
  'records:typed.summary.': ['volume-file', 'volume-close', 'volume-reopen', 'part-close', 'part-reopen', 'typed-close', 'typed-reopen'],
  'records:dataBoxStatuses.': ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
  'records:decisions.actions.': ['transferred', 'destroyed', 'presented', 'archive-id-recorded', 'held', 'withdrawn'],
  'records:settlementKinds.': [...Object.keys(SETTLEMENT_KINDS), 'answered', 'withdrawn'],
  'records:lifecycle.summary.': ['settle', 'cancel', 'close', 'reopen'],
  'records:parties.': ['sender', 'addressee'],
  'records:dispatch.states.': ['created', 'dispatched', 'delivered'],
  'records:document.forms.': ['analog', 'electronic'],
  'records:document.derivations.': COMPONENT_DERIVATIONS,
  'records:document.events.': NSESSS_EVENT_TYPES,
};

/** Every `derivation: '…'` a component is stored with in the workers' code. */
function derivationsInCode(dir: string): string[] {
  const found = new Set<string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const source = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    for (const [, value] of source.matchAll(/derivation: '([a-z-]+)'/g)) found.add(value);
  }
  return [...found];
}

describe('records screens of the back-office: every text from the catalogue', () => {
  it('has a label for every way a component version comes about', () => {
    const inCode = derivationsInCode(path.resolve(import.meta.dirname, '../../workers/src'));
    expect(inCode.length).toBeGreaterThanOrEqual(4);
    expect(COMPONENT_DERIVATIONS).toEqual(expect.arrayContaining(inCode));
  });

  it('finds the views', () => {
    expect(views).toEqual(expect.arrayContaining(['layout.hbs', 'records-journal.hbs', 'records-centre.hbs', 'records-proposal.hbs', 'records-document-parties.hbs', 'records-dispatch.hbs']));
  });

  for (const view of views) {
    it(`${view}: every key exists in cs, en and uk, and no text is written by hand`, () => {
      const source = fs.readFileSync(path.join(VIEWS, view), 'utf8');
      const missing: string[] = [];
      for (const [, key] of source.matchAll(/[({]t "([^"]+)"/g)) {
        for (const lng of ['cs', 'en', 'uk']) if (typeof lookup(lng, key) !== 'string') missing.push(`${lng} ${key}`);
      }
      for (const [, prefix] of source.matchAll(/\(concat "([^"]+)"/g)) {
        const values = COMPUTED[prefix];
        expect(values, `computed key ${prefix} in ${view}: list its values in COMPUTED`).toBeDefined();
        for (const v of values) for (const lng of ['cs', 'en', 'uk']) if (typeof lookup(lng, `${prefix}${v}`) !== 'string') missing.push(`${lng} ${prefix}${v}`);
      }
      expect(missing).toEqual([]);

      // what a reader sees besides the catalogue's texts and the data: no letters
      const withoutExpressions = source.replace(/\{\{!--[\s\S]*?--\}\}/g, '').replace(/\{\{\{?[\s\S]*?\}?\}\}/g, ' ');
      const text = withoutExpressions.replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;/g, ' ');
      expect(text.match(/[\p{L}][\p{L}\p{N}'’-]*/gu) ?? [], `words written into ${view}`).toEqual([]);
      const attributes = [...withoutExpressions.matchAll(/\s(aria-label|aria-description|title|placeholder|alt)="([^"]*)"/g)].filter(([, , v]) => /\p{L}/u.test(v));
      expect(attributes.map(([a]) => a.trim()), `attributes written into ${view}`).toEqual([]);
    });
  }
});
