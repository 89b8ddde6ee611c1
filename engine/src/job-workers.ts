import type { ActivatedJob, EnginePort, JobHandler, JobLogger, JobOutcome } from './port';

type Logger = JobLogger & { child?(bindings: object): JobLogger };

export interface JobWorkersOptions {
  workerName: string;
  /** pino-like; each job gets a child with its keys. Variables are never logged (personal data). */
  log: Logger;
  /** wait between polls when there was nothing to do (default 500 ms) */
  pollIntervalMs?: number;
  /** at most this many jobs of one type are handled at once (default 10) */
  maxJobsToActivate?: number;
  /**
   * lock timeout of activated jobs for handlers that set none (default 30 s): a job whose worker died
   * is handed out again after it. A job still being handled has its lock renewed every third of it.
   */
  jobTimeoutMs?: number;
  /** first retry delay after a thrown exception; doubles per failure of the same job (default 1 s, max 5 min) */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Takes the jobs of every handler's type: those the engine pushes as it makes them
 * (EnginePort.streamJobs), and by polling (at once when the engine announces new jobs of the
 * type, see EnginePort.onJobsAvailable), and turns what the handler returns into exactly one of
 * complete / fail / BPMN error. An exception is a technical error: fail with one retry less and a
 * growing backoff, so it ends as an incident instead of ever reaching the process model.
 *
 * A job is handed out again when its lock runs out, and a handler on a loaded machine can take
 * longer than that: while a handler runs, its job's lock is renewed (EnginePort.updateJobTimeout),
 * and a job this process is still handling is never started a second time here. Otherwise a slow
 * e-mail would go out twice, the second run not yet seeing that the first one sent it.
 */
export function startJobWorkers(engine: EnginePort, handlers: JobHandler[], opts: JobWorkersOptions): { stop(): Promise<void> } {
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  const maxJobs = opts.maxJobsToActivate ?? 10;
  const baseBackoff = opts.baseBackoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 300_000;
  // failures per job in this process; a restart only resets the backoff to its base
  const failures = new Map<string, number>();
  // jobs whose handler is running in this process
  const handling = new Set<string>();
  let stopped = false;
  const wakers = new Set<() => void>();
  // job types the engine announced since their loop last activated: the loop does not sleep then
  const announced = new Set<string>();
  const wakersByType = new Map<string, Set<() => void>>();
  const types = new Set(handlers.map((h) => h.type));
  const unsubscribe = engine.onJobsAvailable?.((type) => {
    if (!types.has(type)) return;
    announced.add(type);
    for (const wake of [...(wakersByType.get(type) ?? [])]) wake();
  });

  const sleep = (ms: number, type: string) => new Promise<void>((resolve) => {
    if (announced.has(type) || stopped) return resolve();
    const forType = wakersByType.get(type) ?? new Set();
    wakersByType.set(type, forType);
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); wakers.delete(done); forType.delete(done); resolve(); }
    wakers.add(done);
    forType.add(done);
  });

  async function settle(job: ActivatedJob, outcome: JobOutcome, log: JobLogger): Promise<void> {
    switch (outcome.outcome) {
      case 'complete':
        await engine.completeJob(job.jobKey, outcome.variables);
        failures.delete(job.jobKey);
        log.info({}, 'job completed');
        return;
      case 'error':
        await engine.throwJobError(job.jobKey, { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, variables: outcome.variables });
        failures.delete(job.jobKey);
        log.info({ errorCode: outcome.errorCode }, 'job threw a BPMN error');
        return;
      case 'fail': {
        const retries = outcome.retries ?? Math.max(0, job.retries - 1);
        await engine.failJob(job.jobKey, { retries, errorMessage: outcome.errorMessage, retryBackOff: outcome.retryBackOff ?? 0 });
        log.warn({ retries, reason: outcome.errorMessage }, 'job failed');
      }
    }
  }

  /** Renews the job's lock every third of its timeout until the returned function is called. */
  function keepLocked(job: ActivatedJob, timeout: number, log: JobLogger): () => void {
    let quiet = false;
    const renew = () => {
      engine.updateJobTimeout(job.jobKey, timeout).catch((err: unknown) => {
        // typically the job was canceled meanwhile (an interrupting event), or it has just been settled
        if (!quiet) log.warn({ err }, 'could not renew the job\'s lock');
        quiet = true;
      });
    };
    const timer = setInterval(renew, Math.max(50, Math.floor(timeout / 3)));
    return () => {
      quiet = true;
      clearInterval(timer);
    };
  }

  async function runJob(handler: JobHandler, job: ActivatedJob, timeout: number): Promise<void> {
    const bindings = { jobKey: job.jobKey, processInstanceKey: job.processInstanceKey, jobType: job.type, elementId: job.elementId, worker: opts.workerName };
    const log: JobLogger = opts.log.child ? opts.log.child(bindings) : opts.log;
    const release = keepLocked(job, timeout, log);
    try {
      await handleAndSettle(handler, job, log);
    } finally {
      release();
      handling.delete(job.jobKey);
    }
  }

  async function handleAndSettle(handler: JobHandler, job: ActivatedJob, log: JobLogger): Promise<void> {
    let outcome: JobOutcome;
    try {
      outcome = await handler.handle(job, { log });
    } catch (err) {
      const count = (failures.get(job.jobKey) ?? 0) + 1;
      failures.set(job.jobKey, count);
      const retries = Math.max(0, job.retries - 1);
      const retryBackOff = Math.min(maxBackoff, baseBackoff * 2 ** (count - 1));
      log.error({ err, retries, retryBackOff }, 'job handler threw');
      outcome = { outcome: 'fail', errorMessage: (err as Error)?.message ?? String(err), retries, retryBackOff };
    }
    try {
      await settle(job, outcome, log);
    } catch (err) {
      // typically the job was canceled meanwhile (an interrupting event) or its lock expired and it completed elsewhere
      log.warn({ err }, 'could not report the job outcome');
    }
  }

  // up to maxJobs of a type run at once: jobs the engine pushes as it makes them (while there is
  // room), and jobs the loop activates, as soon as there is room
  async function loop(handler: JobHandler): Promise<void> {
    const running = new Set<Promise<void>>();
    let reserved = 0;
    const timeout = handler.timeout ?? opts.jobTimeoutMs ?? 30_000;
    const start = (job: ActivatedJob) => {
      // handed out again while its handler here still runs (a lock that ran out): that run completes it
      if (handling.has(job.jobKey)) return;
      handling.add(job.jobKey);
      const run: Promise<void> = runJob(handler, job, timeout).finally(() => running.delete(run));
      running.add(run);
    };
    const closeStream = engine.streamJobs?.({
      type: handler.type,
      worker: opts.workerName,
      timeout,
      reserve() {
        if (stopped || running.size + reserved >= maxJobs) return false;
        reserved++;
        return true;
      },
      release() { reserved--; },
      deliver(job) {
        reserved--;
        start(job);
      },
    });
    while (!stopped) {
      const room = maxJobs - running.size - reserved;
      if (room <= 0) {
        await (running.size ? Promise.race(running) : sleep(10, handler.type));
        continue;
      }
      let jobs: ActivatedJob[] = [];
      announced.delete(handler.type);
      try {
        jobs = await engine.activateJobs({ type: handler.type, worker: opts.workerName, maxJobsToActivate: room, timeout });
      } catch (err) {
        opts.log.error({ err, jobType: handler.type }, 'activating jobs failed');
      }
      for (const job of jobs) start(job);
      if (!jobs.length) await sleep(pollIntervalMs, handler.type);
    }
    closeStream?.();
    // jobs pushed but not handed over yet are on their way (their transaction is committing)
    for (let waited = 0; reserved > 0 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(running);
  }

  const loops = handlers.map((h) => loop(h));
  return {
    async stop() {
      stopped = true;
      unsubscribe?.();
      for (const wake of [...wakers]) wake();
      await Promise.all(loops);
    },
  };
}
