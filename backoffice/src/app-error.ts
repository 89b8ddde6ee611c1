/**
 * The one coded error of the back-office. Services throw it; the HTTP edge maps the code to a
 * status and a translated message (`errors:<code>`), never a stack.
 */
export type AppErrorCode =
  | 'VALIDATION_FAILED'
  | 'ATTACHMENT_TOO_LARGE'
  | 'FORM_TOO_LARGE'
  | 'ATTACHMENT_TYPE_NOT_ALLOWED'
  | 'SERVICE_NOT_FOUND'
  | 'TRACKING_NOT_FOUND'
  | 'DOCUMENT_NOT_FOUND'
  | 'ALREADY_SETTLED'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INVALID_CREDENTIALS'
  | 'TASK_NOT_FOUND'
  | 'TASK_ALREADY_ASSIGNED'
  | 'TASK_NOT_ASSIGNED_TO_YOU'
  | 'CSRF_REJECTED'
  | 'BAD_REQUEST'
  | 'IDEMPOTENCY_KEY_INVALID'
  | 'ENGINE_UNAVAILABLE'
  | 'INTERNAL';

export const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  INVALID_CREDENTIALS: 401,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_REJECTED: 403,
  TASK_NOT_ASSIGNED_TO_YOU: 403,
  SERVICE_NOT_FOUND: 404,
  TRACKING_NOT_FOUND: 404,
  DOCUMENT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  ALREADY_SETTLED: 409,
  TASK_ALREADY_ASSIGNED: 409,
  ATTACHMENT_TOO_LARGE: 413,
  FORM_TOO_LARGE: 413,
  ATTACHMENT_TYPE_NOT_ALLOWED: 415,
  ENGINE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** field key → validation message key under `errors:field.*` (with interpolation values) */
export type FieldErrors = Record<string, { key: string; values?: Record<string, unknown> }>;

export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;
  constructor(
    readonly code: AppErrorCode,
    message?: string,
    readonly fields?: FieldErrors,
    options?: { cause?: unknown },
  ) {
    super(message ?? code, options);
    this.name = 'AppError';
    this.status = STATUS_BY_CODE[code];
    this.expose = this.status < 500;
  }
}
