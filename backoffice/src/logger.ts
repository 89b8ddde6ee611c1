import pino from 'pino';

/**
 * Paths that may hold personal data or secrets. Form data is redacted as a whole: it is a
 * citizen's free text. Keep this list in step with what is logged.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash',
  'token', '*.token', 'trackingToken', '*.trackingToken',
  'name', '*.name', 'displayName', '*.displayName', 'display_name', '*.display_name',
  'applicantName', '*.applicantName', 'applicant_name', '*.applicant_name', 'sender', '*.sender',
  'email', '*.email', 'applicantEmail', '*.applicantEmail', 'applicant_email', '*.applicant_email',
  'address', '*.address', 'birthNumber', '*.birthNumber', 'birth_number', '*.birth_number',
  'formData', '*.formData', 'form_data', '*.form_data', 'fields', '*.fields', 'data', '*.data', 'variables', '*.variables',
  'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { component: 'backoffice' } }, destination);
}
