import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTimeSeconds, formatFee, formatSize, paragraphs } from './format';

describe('format', () => {
  it('shows fees as the catalogue gives them', () => {
    expect(formatFee(null, 'cs')).toBeNull();
    expect(formatFee(100, 'cs')).toMatch(/100\s?Kč/);
    expect(formatFee({ amount: 50, text: { cs: '50 Kč za lístek', en: 'CZK 50', uk: '50 крон' } }, 'en')).toBe('CZK 50');
  });

  it('shows sizes in B, kB and MB', () => {
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(23456, 'en')).toBe('23 kB');
    expect(formatSize(3.5 * 1024 * 1024, 'cs')).toBe('3,5 MB');
  });

  it('dates are in Prague time', () => {
    expect(formatDate('2026-12-29T23:30:00Z', 'en')).toBe('30 December 2026');
  });

  it('times of receipt are to the second, in Prague time', () => {
    expect(formatDateTimeSeconds('2026-11-30T09:15:07Z', 'en')).toMatch(/^30 November 2026.*10:15:07/);
    expect(formatDateTimeSeconds('2026-11-30T09:15:07Z', 'cs')).toMatch(/^30\. listopadu 2026.*10:15:07$/);
  });

  it('splits catalogue text into paragraphs', () => {
    expect(paragraphs('a\n\nb\n \nc')).toEqual(['a', 'b', 'c']);
    expect(paragraphs(null)).toEqual([]);
  });
});
