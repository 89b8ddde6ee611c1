/**
 * The demo's story runs on its own clock: events are kept in time order and carried out one after
 * another with the clock set to their moment, so every service stamps its log entries with a time
 * that never goes back along the chain. An event planned after the end (today) has not happened yet
 * and is dropped: a file received last week is still open, an answer drafted yesterday still waits
 * for dispatch.
 */
export class DemoTimeline {
  private queue: { at: number; seq: number; run: () => Promise<void> }[] = [];
  private seq = 0;
  private current: number;

  constructor(start: Date, readonly end: Date) {
    this.current = start.getTime();
  }

  /** The clock the services get. */
  readonly clock = (): Date => new Date(this.current);

  /** Plans `run` at `at`; false when that is after the end (it has not happened yet). */
  at(at: Date, run: () => Promise<void>): boolean {
    const t = Math.max(at.getTime(), this.current);
    if (t > this.end.getTime()) return false;
    const item = { at: t, seq: this.seq++, run };
    // binary insertion keeps the queue ordered by time, then by planning order
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.at < item.at || (q.at === item.at && q.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
    return true;
  }

  /** Carries out every planned event in time order (events may plan further ones). */
  async run(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.current = Math.max(this.current, next.at);
      await next.run();
    }
  }
}

const DAY = 86_400_000;

/** `days` after `from`, moved to a working day (Monday–Friday) at office hours (`minute` past 8:00 Prague, roughly). */
export function workday(from: Date, days: number, minute = 30): Date {
  const d = new Date(from.getTime() + days * DAY);
  d.setUTCHours(7, 0, 0, 0);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setTime(d.getTime() + DAY);
  return new Date(d.getTime() + Math.min(minute, 420) * 60_000);
}

/** A day of a year at office hours (`month` 1–12). */
export function dayOf(year: number, month: number, day: number, minute = 30): Date {
  return workday(new Date(Date.UTC(year, month - 1, day)), 0, minute);
}

/** Deterministic pseudo-random numbers so every demo database looks the same. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}
