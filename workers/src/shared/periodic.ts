import type pino from 'pino';
import { DomainError } from './domain-error';

/**
 * Runs `task` now and then every `intervalMs`, one run at a time in this process (a run that is
 * still going when the next is due is followed by it, never overlapped). A failed run goes to
 * `onError` and the schedule goes on. The timer does not keep the process alive. Returns a stop
 * function that waits for the run in progress.
 */
export function runPeriodically(task: () => Promise<unknown>, onError: (err: unknown) => void, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(task).catch(onError);
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * One catch-up run: `step` for each item in order; returns the items it finished. The first failure
 * is logged (with the item's `context` and its domain code) and ends the run: what fails there (an
 * unusable seal key, an altered log, a missing file-plan class) needs a person, and the next run
 * tries again from that item.
 */
export async function untilFirstFailure<T>(
  items: Iterable<T>,
  step: (item: T) => Promise<void>,
  failure: { log: pino.Logger; context: (item: T) => Record<string, unknown>; message: string },
): Promise<T[]> {
  const done: T[] = [];
  for (const item of items) {
    try {
      await step(item);
      done.push(item);
    } catch (err) {
      failure.log.error({ err, ...failure.context(item), code: err instanceof DomainError ? err.code : undefined }, failure.message);
      break;
    }
  }
  return done;
}
