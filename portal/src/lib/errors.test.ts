import { describe, expect, it } from 'vitest';
import { buildFieldModel } from './form-model';
import { mapFormErrors } from './errors';

const fields = buildFieldModel({
  components: [
    { type: 'textfield', key: 'applicantName', label: 'Jméno' },
    { type: 'textfield', key: 'applicantEmail', label: 'E-mail' },
    { type: 'filepicker', key: 'attachment', label: 'Příloha' },
  ],
});

describe('mapFormErrors', () => {
  it('lists field messages in the order of the form, linking to each control and naming the field', () => {
    const errors = mapFormErrors(
      fields,
      400,
      { error: { code: 'VALIDATION_FAILED', message: 'Formulář obsahuje chyby.', fields: { applicantEmail: 'Zadejte e-mail.', applicantName: 'Vyplňte toto pole.' } } },
      'fallback',
    );
    expect(errors.code).toBe('VALIDATION_FAILED');
    expect(errors.summary).toEqual([
      { key: 'applicantName', href: '#field-applicantName', message: 'Jméno: Vyplňte toto pole.' },
      { key: 'applicantEmail', href: '#field-applicantEmail', message: 'Zadejte e-mail.' },
    ]);
    expect(errors.fields.applicantEmail).toBe('Zadejte e-mail.');
  });

  it('puts attachment errors on the file field', () => {
    const tooLarge = mapFormErrors(fields, 413, { error: { code: 'ATTACHMENT_TOO_LARGE', message: 'Příloha je příliš velká.' } }, 'fallback');
    expect(tooLarge.fields).toEqual({ attachment: 'Příloha je příliš velká.' });
    expect(tooLarge.summary[0].href).toBe('#field-attachment');
    const wrongType = mapFormErrors(fields, 415, { error: { code: 'ATTACHMENT_TYPE_NOT_ALLOWED', message: 'Nepovolený typ.' } }, 'fallback');
    expect(wrongType.fields.attachment).toBe('Nepovolený typ.');
  });

  it('shows the message of an answer without fields, or the fallback when there is none', () => {
    expect(mapFormErrors(fields, 400, { error: { code: 'X', message: 'Něco je špatně.' } }, 'fallback').summary).toEqual([
      { key: '', href: '', message: 'Něco je špatně.' },
    ]);
    expect(mapFormErrors(fields, 400, null, 'Zkuste to znovu.').summary[0].message).toBe('Zkuste to znovu.');
  });

  it('keeps messages for keys the form does not show, without a broken link', () => {
    const errors = mapFormErrors(fields, 400, { error: { code: 'VALIDATION_FAILED', message: 'm', fields: { other: 'Jiná chyba.' } } }, 'f');
    expect(errors.summary).toEqual([{ key: 'other', href: '', message: 'Jiná chyba.' }]);
  });
});
