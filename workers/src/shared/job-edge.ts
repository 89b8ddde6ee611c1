import type pino from 'pino';
import type { ActivatedJob, JobHandler, JobOutcome, Variables } from './engine-port';
import { DomainError } from './domain-error';

const MAX_BACKOFF_MS = 5 * 60_000;

/** Backoff grows with each failed attempt: 2 s, 4 s, 8 s … capped at 5 minutes. */
export function retryBackOff(retriesLeft: number, configuredRetries = 5): number {
  const attempt = Math.max(1, configuredRetries - retriesLeft + 1);
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
}

/** Maps what a use case returns or throws onto the Zeebe job contract (see STYLE.md "Errors"). */
export function toOutcome(job: ActivatedJob, err: unknown): JobOutcome {
  if (err instanceof DomainError) {
    if (err.kind === 'business') return { outcome: 'error', errorCode: err.code, errorMessage: err.message };
    if (err.kind === 'input') return { outcome: 'fail', errorMessage: `${err.code}: ${err.message}`, retries: 0 };
  }
  const message = err instanceof Error ? err.message : String(err);
  const retries = Math.max(0, job.retries - 1);
  return { outcome: 'fail', errorMessage: message, retries, retryBackOff: retryBackOff(job.retries) };
}

/**
 * A thin job adapter: a child logger with the instance ids (never personal data), the use case,
 * and the error mapping. `run` returns the variables to complete the job with.
 */
export function defineJob(
  type: string,
  log: pino.Logger,
  run: (job: ActivatedJob, log: pino.Logger) => Promise<Variables>,
): JobHandler {
  return {
    type,
    async handle(job) {
      const jobLog = log.child({ jobType: type, jobKey: job.jobKey, processInstanceKey: job.processInstanceKey, elementId: job.elementId });
      try {
        const variables = await run(job, jobLog);
        return { outcome: 'complete', variables };
      } catch (err) {
        const outcome = toOutcome(job, err);
        jobLog.warn({ err: err instanceof Error ? { name: err.name, message: err.message, code: (err as { code?: string }).code } : String(err), outcome: outcome.outcome }, 'job failed');
        return outcome;
      }
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireUuid(vars: Variables, name: string): string {
  const value = vars[name];
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new DomainError('INVALID_INPUT', `variable ${name} must be a UUID, got ${value === undefined ? 'nothing' : typeof value}`);
  }
  return value;
}

export function requireString(vars: Variables, name: string, opts: { maxLength?: number } = {}): string {
  const value = vars[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError('INVALID_INPUT', `variable ${name} must be a non-empty string`);
  }
  if (opts.maxLength && value.length > opts.maxLength) {
    throw new DomainError('INVALID_INPUT', `variable ${name} is longer than ${opts.maxLength} characters`);
  }
  return value;
}

export function optionalString(vars: Variables, name: string): string | null {
  const value = vars[name];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function requireHeader<T extends string>(job: ActivatedJob, name: string, allowed: readonly T[]): T {
  const value = job.customHeaders?.[name];
  if (!allowed.includes(value as T)) {
    throw new DomainError('INVALID_INPUT', `header ${name} must be one of ${allowed.join(', ')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value as T;
}
