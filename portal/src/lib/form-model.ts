// form-js schema (as returned by GET /services/:code, labels already translated) → the fields the
// portal renders server-side. Only the component types the processes use are supported; anything
// else is skipped rather than rendered wrongly.

export type FieldType = 'text' | 'textfield' | 'textarea' | 'select' | 'checkbox' | 'filepicker';

export interface FieldOption {
  label: string;
  value: string;
}

export interface FieldModel {
  key: string;
  type: FieldType;
  /** id of the control in the page, also the error-summary link target */
  inputId: string;
  hintId: string;
  errorId: string;
  label: string;
  description: string | null;
  required: boolean;
  minLength: number | null;
  maxLength: number | null;
  pattern: string | null;
  inputType: 'text' | 'email';
  autocomplete: string | null;
  accept: string | null;
  multiple: boolean;
  options: FieldOption[];
  /** the paragraphs of a `text` component */
  paragraphs: string[];
}

interface RawComponent {
  id?: unknown;
  key?: unknown;
  type?: unknown;
  label?: unknown;
  description?: unknown;
  text?: unknown;
  accept?: unknown;
  multiple?: unknown;
  values?: unknown;
  validate?: Record<string, unknown>;
}

const SUPPORTED = new Set<FieldType>(['text', 'textfield', 'textarea', 'select', 'checkbox', 'filepicker']);

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Markdown-ish form-js text → plain paragraphs (no HTML is ever passed through). */
export function textParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .replace(/^#+\s*/gm, '')
        .replace(/\*\*(.+?)\*\*/g, '$1')
        .replace(/\{\{\s*[^}]*\}\}/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/** Guess an autocomplete token (WCAG 1.3.5) from well-known keys. */
function autocompleteFor(key: string, email: boolean): string | null {
  if (email || /email/i.test(key)) return 'email';
  if (/^(applicant)?name$/i.test(key) || /fullName/i.test(key)) return 'name';
  if (/phone|telefon/i.test(key)) return 'tel';
  return null;
}

export function buildFieldModel(form: unknown): FieldModel[] {
  const components = (form as { components?: unknown } | null)?.components;
  if (!Array.isArray(components)) return [];
  const fields: FieldModel[] = [];
  components.forEach((raw: RawComponent, index) => {
    const type = raw?.type as FieldType;
    if (!SUPPORTED.has(type)) return;
    const key = str(raw.key) ?? (type === 'text' ? `text-${index}` : null);
    if (!key) return;
    const v = raw.validate ?? {};
    const email = v.validationType === 'email';
    const base = `field-${safeId(key)}`;
    fields.push({
      key,
      type,
      inputId: base,
      hintId: `${base}-hint`,
      errorId: `${base}-error`,
      label: str(raw.label) ?? key,
      description: str(raw.description),
      required: v.required === true,
      minLength: num(v.minLength),
      maxLength: num(v.maxLength),
      pattern: str(v.pattern),
      inputType: email ? 'email' : 'text',
      autocomplete: type === 'textfield' ? autocompleteFor(key, email) : null,
      accept: str(raw.accept),
      multiple: raw.multiple === true,
      options: Array.isArray(raw.values)
        ? raw.values
            .filter((o): o is { label?: unknown; value: unknown } => !!o && (typeof o.value === 'string' || typeof o.value === 'number'))
            .map((o) => ({ value: String(o.value), label: str(o.label) ?? String(o.value) }))
        : [],
      paragraphs: type === 'text' && typeof raw.text === 'string' ? textParagraphs(raw.text) : [],
    });
  });
  return fields;
}

/** Fields that carry a value (everything but `text`). */
export function inputFields(fields: FieldModel[]): FieldModel[] {
  return fields.filter((f) => f.type !== 'text');
}
