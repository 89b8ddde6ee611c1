import type { FieldModel } from './form-model';

// API error answers → what the form page shows: a summary at the top (GOV.UK error summary)
// linking to each invalid field, and a message next to the field.

export interface ApiErrorBody {
  error?: { code?: string; message?: string; fields?: Record<string, string> };
}

export interface ErrorSummaryItem {
  key: string;
  href: string;
  message: string;
}

export interface FormErrors {
  code: string;
  /** the API's translated message for the whole answer */
  message: string;
  fields: Record<string, string>;
  /** in the order of the fields on the page; messages for unknown keys are listed without a link */
  summary: ErrorSummaryItem[];
}

const FILE_CODES = new Set(['ATTACHMENT_TOO_LARGE', 'ATTACHMENT_TYPE_NOT_ALLOWED']);

export function mapFormErrors(fields: FieldModel[], status: number, body: unknown, fallbackMessage: string): FormErrors {
  const err = (body as ApiErrorBody | null)?.error ?? {};
  const code = typeof err.code === 'string' ? err.code : status === 413 ? 'ATTACHMENT_TOO_LARGE' : 'UNKNOWN';
  const message = typeof err.message === 'string' && err.message.trim() ? err.message : fallbackMessage;
  const byKey: Record<string, string> = {};
  if (err.fields && typeof err.fields === 'object') {
    for (const [key, value] of Object.entries(err.fields)) if (typeof value === 'string' && value) byKey[key] = value;
  }
  // Attachment problems come without `fields`: put them on the (first) file field.
  if (FILE_CODES.has(code) || status === 413 || status === 415) {
    const file = fields.find((f) => f.type === 'filepicker');
    if (file && !byKey[file.key]) byKey[file.key] = message;
  }
  const summary: ErrorSummaryItem[] = [];
  for (const field of fields) {
    // The API often says only "Fill in this field": name the field in the summary so each link
    // makes sense on its own (WCAG 2.4.4).
    const msg = byKey[field.key];
    if (msg) summary.push({ key: field.key, href: `#${field.inputId}`, message: msg.toLocaleLowerCase().includes(field.label.toLocaleLowerCase()) ? msg : `${field.label}: ${msg}` });
  }
  for (const [key, msg] of Object.entries(byKey)) {
    if (!fields.some((f) => f.key === key)) summary.push({ key, href: '', message: msg });
  }
  if (summary.length === 0) summary.push({ key: '', href: '', message });
  return { code, message, fields: byKey, summary };
}
