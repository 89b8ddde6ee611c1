import type { FieldErrors } from '../app-error';
import type { FormComponent, FormSchema } from '../catalogue';

// Server-side validation of data against a form-js schema: the same rules the form-js viewer
// applies in the browser (required, minLength, maxLength, pattern, e-mail), because the browser
// is not to be trusted. Used by the public API and by the clerk's task completion.

const INPUT_TYPES = new Set(['textfield', 'textarea', 'select', 'radio', 'checkbox', 'number', 'datetime']);
// form-js's own e-mail rule
const EMAIL = /^[\w\-.+]+@([\w-]+\.)+[\w-]{2,}$/;

export type FormValue = string | boolean | number;

export function inputComponents(components: FormComponent[]): FormComponent[] {
  return components.flatMap((c) => [...(c.key && c.type !== 'text' ? [c] : []), ...(c.components ? inputComponents(c.components) : [])]);
}

export function fileComponents(form: FormSchema): FormComponent[] {
  return inputComponents(form.components).filter((c) => c.type === 'filepicker');
}

export interface ValidationResult {
  data: Record<string, FormValue>;
  errors: FieldErrors;
}

/**
 * Validates `input` (raw values by component key) against `form`. `presentFiles` names the file
 * fields that carry a file (for `required` on a filepicker). Unknown keys are dropped.
 */
export function validateFormData(form: FormSchema, input: Record<string, unknown>, presentFiles: ReadonlySet<string> = new Set()): ValidationResult {
  const data: Record<string, FormValue> = {};
  const errors: FieldErrors = {};
  for (const c of inputComponents(form.components)) {
    const key = c.key as string;
    const v = c.validate ?? {};
    if (c.type === 'filepicker') {
      if (v.required && !presentFiles.has(key)) errors[key] = { key: 'field.required' };
      continue;
    }
    if (!INPUT_TYPES.has(c.type)) continue;
    const raw = input[key];
    if (c.type === 'checkbox') {
      const checked = raw === true || raw === 'true' || raw === 'on';
      if (v.required && !checked) errors[key] = { key: 'field.required' };
      data[key] = checked;
      continue;
    }
    if (raw !== undefined && raw !== null && typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      errors[key] = { key: 'field.invalid' };
      continue;
    }
    const value = raw === undefined || raw === null ? '' : String(raw).trim();
    if (value === '') {
      if (v.required) errors[key] = { key: 'field.required' };
      continue;
    }
    const length = [...value].length;
    if (v.minLength !== undefined && length < v.minLength) errors[key] = { key: 'field.tooShort', values: { min: v.minLength } };
    else if (v.maxLength !== undefined && length > v.maxLength) errors[key] = { key: 'field.tooLong', values: { max: v.maxLength } };
    else if (v.pattern && !safeRegExp(v.pattern).test(value)) errors[key] = { key: 'field.pattern' };
    else if (v.validationType === 'email' && !EMAIL.test(value)) errors[key] = { key: 'field.email' };
    else if ((c.type === 'select' || c.type === 'radio') && c.values && !c.values.some((o) => o.value === value)) errors[key] = { key: 'field.invalid' };
    else if (c.type === 'number' && !Number.isFinite(Number(value))) errors[key] = { key: 'field.invalid' };
    if (!errors[key]) data[key] = c.type === 'number' ? Number(value) : value;
  }
  return { data, errors };
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (cause) {
    throw new Error(`form pattern is not a valid regular expression: ${pattern}`, { cause });
  }
}
