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
