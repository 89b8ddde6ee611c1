/**
 * The one coded error of the workers' domain. `kind` decides what the job edge does with it:
 * - `input`: the job's variables or headers are wrong, or the data they point at is missing —
 *   retrying cannot help, so the job fails with no retries (an incident a person looks at);
 * - `business`: a modelled business error, thrown to the process as a BPMN error `code`;
 * - `transient`: worth retrying with backoff (the default for anything unexpected).
 */
export type DomainErrorKind = 'input' | 'business' | 'transient';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'input',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
