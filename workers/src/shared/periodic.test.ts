import { describe, expect, it } from 'vitest';
import { runPeriodically } from './periodic';

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
