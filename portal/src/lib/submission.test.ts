import { describe, expect, it } from 'vitest';
import { buildFieldModel } from './form-model';
import { prepareSubmission } from './submission';

const fields = buildFieldModel({
  components: [
    { type: 'text', text: 'Intro' },
    { type: 'textfield', key: 'subject', label: 'Předmět' },
    { type: 'textarea', key: 'message', label: 'Text' },
    { type: 'checkbox', key: 'agree', label: 'Souhlas' },
    { type: 'filepicker', key: 'attachment', label: 'Příloha' },
  ],
});

describe('prepareSubmission', () => {
  it('forwards the text fields and a chosen file under the component keys', async () => {
    const posted = new FormData();
    posted.append('subject', '  Chodník  ');
    posted.append('message', 'řádek 1\r\nřádek 2');
    posted.append('agree', 'true');
    posted.append('attachment', new File(['%PDF-1.4'], 'foto.pdf', { type: 'application/pdf' }));
    posted.append('unexpected', 'dropped');

    const { values, body } = prepareSubmission(fields, posted);

    expect(values).toEqual({ subject: '  Chodník  ', message: 'řádek 1\nřádek 2', agree: 'true' });
    expect(body.get('subject')).toBe('Chodník');
    expect(body.get('message')).toBe('řádek 1\nřádek 2');
    expect(body.get('agree')).toBe('true');
    expect(body.has('unexpected')).toBe(false);
    const file = body.get('attachment') as File;
    expect(file.name).toBe('foto.pdf');
    expect(await file.text()).toBe('%PDF-1.4');
  });

  it('sends no attachment when the file input was left empty, and unchecked boxes as false', () => {
    const posted = new FormData();
    posted.append('attachment', new File([], '', { type: 'application/octet-stream' }));
    const { values, body } = prepareSubmission(fields, posted);
    expect(body.has('attachment')).toBe(false);
    expect(body.get('agree')).toBe('false');
    expect(body.get('subject')).toBe('');
    expect(values.agree).toBe('');
  });
});
