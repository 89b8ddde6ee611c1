import { describe, expect, it } from 'vitest';
import { computeDeadline, easterSunday, isoDuration, reminderAfter } from './deadline.service';

describe('computeDeadline (správní řád § 40)', () => {
  it('does not count the triggering day', () => {
    // Monday 2 Nov 2026 + 3 days = Thursday 5 Nov, end of the day in Prague (CET)
    expect(computeDeadline(new Date('2026-11-02T08:00:00Z'), 3)).toBe('2026-11-05T22:59:59.999Z');
  });

  it('uses the Prague date of the trigger, not the UTC one', () => {
    // 23:30 UTC on 1 Nov is already 2 Nov in Prague
    expect(computeDeadline(new Date('2026-11-01T23:30:00Z'), 3)).toBe('2026-11-05T22:59:59.999Z');
  });

  it('moves a deadline ending on a weekend to Monday', () => {
    // Thursday 5 Nov 2026 + 2 = Saturday 7 Nov → Monday 9 Nov
    expect(computeDeadline(new Date('2026-11-05T10:00:00Z'), 2)).toBe('2026-11-09T22:59:59.999Z');
  });

  it('moves a deadline ending on 28 October (a Wednesday in 2026) to the next day', () => {
    expect(computeDeadline(new Date('2026-10-27T10:00:00Z'), 1)).toBe('2026-10-29T22:59:59.999Z');
  });

  it('skips Christmas 24–26 Dec and the weekend after', () => {
    // Wed 23 Dec 2026 + 1 = Thu 24 → 25, 26 (Sat), 27 (Sun) → Monday 28 Dec
    expect(computeDeadline(new Date('2026-12-23T10:00:00Z'), 1)).toBe('2026-12-28T22:59:59.999Z');
  });

  it('skips Good Friday and Easter Monday 2027', () => {
    expect(easterSunday(2027).toISOString().slice(0, 10)).toBe('2027-03-28');
    // Thu 25 Mar 2027 + 1 = Good Friday 26 → Sat, Sun, Easter Monday 29 → Tuesday 30 Mar (CEST)
    expect(computeDeadline(new Date('2027-03-25T10:00:00Z'), 1)).toBe('2027-03-30T21:59:59.999Z');
  });

  it('a 30-day deadline from a submission on 30 Nov 2026 ends on 30 Dec', () => {
    expect(computeDeadline(new Date('2026-11-30T09:15:00Z'), 30)).toBe('2026-12-30T22:59:59.999Z');
  });
});

describe('reminder', () => {
  it('fires 5 days before the deadline', () => {
    expect(reminderAfter(new Date('2026-12-01T00:00:00Z'), '2026-12-30T22:59:59.999Z')).toBe('P24DT22H59M59S');
  });
  it('is never negative', () => {
    expect(reminderAfter(new Date('2026-12-29T00:00:00Z'), '2026-12-30T22:59:59.999Z')).toBe('PT1S');
    expect(isoDuration(3_600_000)).toBe('PT1H');
  });
});
