import { describe, expect, it } from 'vitest';
import type { FormSchema } from '../catalogue';
import { validateFormData } from './form-validator';

const form: FormSchema = {
  id: 'f',
  type: 'default',
  components: [
    { type: 'text', text: 'intro' },
    { key: 'code', type: 'textfield', validate: { required: true, pattern: '^[A-Z]{3}$' } },
    { key: 'mail', type: 'textfield', validate: { validationType: 'email' } },
    { key: 'kind', type: 'select', values: [{ label: 'A', value: 'a' }] },
    { key: 'agree', type: 'checkbox', validate: { required: true } },
    { key: 'file', type: 'filepicker', validate: { required: true } },
    { type: 'group', components: [{ key: 'nested', type: 'textarea', validate: { maxLength: 3 } }] },
  ],
};

describe('validateFormData', () => {
  it('applies pattern, e-mail, select values, checkbox, required files and nested components', () => {
    const r = validateFormData(form, { code: 'ab', mail: 'x@', kind: 'b', nested: 'four', extra: 'dropped' });
    expect(r.errors).toEqual({
      code: { key: 'field.pattern' },
      mail: { key: 'field.email' },
      kind: { key: 'field.invalid' },
      agree: { key: 'field.required' },
      file: { key: 'field.required' },
      nested: { key: 'field.tooLong', values: { max: 3 } },
    });
  });

  it('returns only known, trimmed values when valid', () => {
    const r = validateFormData(form, { code: ' ABC ', mail: 'a@b.cz', kind: 'a', agree: 'on', nested: 'abc', extra: 'x' }, new Set(['file']));
    expect(r.errors).toEqual({});
    expect(r.data).toEqual({ code: 'ABC', mail: 'a@b.cz', kind: 'a', agree: true, nested: 'abc' });
  });

  it('rejects objects where text is expected', () => {
    expect(validateFormData(form, { code: { $gt: '' } }).errors.code).toEqual({ key: 'field.invalid' });
  });
});
