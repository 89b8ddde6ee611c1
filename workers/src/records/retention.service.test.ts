import { describe, expect, it } from 'vitest';
import { assertNewDisposalCode, disposalYear, formatRetention, mostSevereRetention } from './retention.service';
import { normalizeSearchText } from './search-text';

describe('mostSevereRetention', () => {
  it('takes A over S and the longest period', () => {
    const r = mostSevereRetention([
      { disposalCode: 'S', retentionYears: 5, triggerEvent: 'uzavření spisu' },
      { disposalCode: 'A', retentionYears: 3, triggerEvent: 'uzavření spisu' },
      { disposalCode: 'S', retentionYears: 10, triggerEvent: 'ukončení platnosti' },
    ]);
    expect(r).toEqual({ disposalCode: 'A', retentionYears: 10, triggerEvent: 'ukončení platnosti' });
  });
  it('ranks V between S and A', () => {
    expect(mostSevereRetention([{ disposalCode: 'S', retentionYears: 5, triggerEvent: 'x' }, { disposalCode: 'V', retentionYears: 5, triggerEvent: 'x' }])?.disposalCode).toBe('V');
    expect(mostSevereRetention([{ disposalCode: 'A', retentionYears: 5, triggerEvent: 'x' }, { disposalCode: 'V', retentionYears: 5, triggerEvent: 'x' }])?.disposalCode).toBe('A');
  });
  it('is null when nothing has a retention', () => {
    expect(mostSevereRetention([null, undefined])).toBeNull();
  });
});

describe('retention periods', () => {
  it('run from 1 January after the trigger event', () => {
    expect(disposalYear('2020-12-31', 5)).toBe(2026);
    expect(disposalYear(new Date('2020-01-01T10:00:00Z'), 0)).toBe(2021);
    // 00:30 on 1 January 2027 in Prague is still 2026 in UTC: the year is Prague's
    expect(disposalYear(new Date('2026-12-31T23:30:00Z'), 5)).toBe(2033);
  });
  it('are written as code/years', () => {
    expect(formatRetention({ disposalCode: 'A', retentionYears: 10 })).toBe('A/10');
  });
  it('refuse V for new records', () => {
    expect(() => assertNewDisposalCode('V')).toThrow(/legacy/);
    expect(assertNewDisposalCode('V', { legacy: true })).toBe('V');
    expect(() => assertNewDisposalCode('X')).toThrow();
  });
});

describe('normalizeSearchText', () => {
  it('drops accents and case', () => {
    expect(normalizeSearchText('  Žádost o  PŘÍSPĚVEK ')).toBe('zadost o prispevek');
  });
});
