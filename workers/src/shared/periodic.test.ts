import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error';
import { runPeriodically, untilFirstFailure } from './periodic';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runPeriodically', () => {
  it('runs at once and then on each interval, never two runs at a time, and goes on after a failed run', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const stop = runPeriodically(async () => {
      runs++;
      active++;
      most = Math.max(most, active);
      await tick(30); // longer than the interval: the next run waits for this one
      active--;
      if (runs === 2) throw new Error('second run failed');
    }, (err) => errors.push(err), 10);
    expect(runs).toBe(0); // started on the next turn of the promise chain, not inside the call
    await tick(150);
    await stop();
    const after = runs;
    await tick(50);

    expect(after).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('second run failed');
    expect(runs).toBe(after); // stopped: no more runs
  });
});

describe('untilFirstFailure', () => {
  it('does the items in order, stops at the first failure and logs it with the item and its code; the rest waits for the next run', async () => {
    const tried: string[] = [];
    const logged: Record<string, unknown>[] = [];
    const log = { error: (o: Record<string, unknown>, message: string) => logged.push({ ...o, message }) } as unknown as Parameters<typeof untilFirstFailure>[2]['log'];

    const done = await untilFirstFailure(['2026-11-01', '2026-11-02', '2026-11-03'], async (day) => {
      tried.push(day);
      if (day === '2026-11-02') throw new DomainError('LOG_ENTRY_ALTERED', 'entry 7 no longer matches its hash');
    }, { log, context: (day) => ({ day }), message: 'could not seal the day' });

    expect(done).toEqual(['2026-11-01']);
    expect(tried).toEqual(['2026-11-01', '2026-11-02']);
    expect(logged).toEqual([expect.objectContaining({ day: '2026-11-02', code: 'LOG_ENTRY_ALTERED', message: 'could not seal the day' })]);
    expect(await untilFirstFailure([1, 2], async () => {}, { log, context: (n) => ({ n }), message: 'x' })).toEqual([1, 2]);
  });
});
