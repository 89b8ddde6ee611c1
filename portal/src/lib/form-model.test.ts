import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFieldModel, textParagraphs } from './form-model';

const submissionForm = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../../../processes/general-submission/submission.form'), 'utf8'),
);

describe('buildFieldModel', () => {
  it('turns the general submission form into labelled, validated fields', () => {
    const fields = buildFieldModel(submissionForm);
    expect(fields.map((f) => [f.key, f.type])).toEqual([
      ['applicantName', 'textfield'],
      ['applicantEmail', 'textfield'],
      ['subject', 'textfield'],
      ['message', 'textarea'],
      ['attachment', 'filepicker'],
    ]);
    const email = fields[1];
    expect(email).toMatchObject({ inputType: 'email', required: true, maxLength: 254, autocomplete: 'email', inputId: 'field-applicantEmail' });
    expect(email.description).toMatch(/potvrzení/);
    expect(fields[0]).toMatchObject({ label: 'Jméno a příjmení nebo název', required: true, minLength: 2, maxLength: 200, autocomplete: 'name' });
    expect(fields[4]).toMatchObject({ required: false, multiple: false });
    expect(fields[4].accept).toContain('application/pdf');
  });

  it('reads select options and skips components it cannot render', () => {
    const fields = buildFieldModel({
      components: [
        { type: 'select', key: 'kind', label: 'Druh', values: [{ label: 'Dotaz', value: 'q' }, { value: 2 }, { label: 'bad' }] },
        { type: 'datetime', key: 'when', label: 'Kdy' },
        { type: 'checkbox', key: 'agree', label: 'Souhlasím', validate: { required: true } },
        { type: 'textfield', label: 'no key' },
      ],
    });
    expect(fields.map((f) => f.key)).toEqual(['kind', 'agree']);
    expect(fields[0].options).toEqual([{ label: 'Dotaz', value: 'q' }, { label: '2', value: '2' }]);
    expect(fields[1].required).toBe(true);
  });

  it('survives a missing or malformed schema', () => {
    expect(buildFieldModel(null)).toEqual([]);
    expect(buildFieldModel({ components: 'x' })).toEqual([]);
  });
});

describe('textParagraphs', () => {
  it('keeps the words of form-js text and drops markup and templates', () => {
    expect(textParagraphs('# Nadpis\n\nOdpověď na **{{referenceNumber}}** – text <b>x</b>')).toEqual([
      'Nadpis',
      'Odpověď na – text <b>x</b>',
    ]);
  });
});
