import type { FieldModel } from './form-model';

// The citizen's POSTed form → what is sent to the API and what is shown again on an error.

export interface PreparedSubmission {
  /** text values to put back into the form when it is shown again */
  values: Record<string, string>;
  /** the multipart body for POST /services/:code/submissions */
  body: FormData;
}

export function prepareSubmission(fields: FieldModel[], posted: FormData): PreparedSubmission {
  const values: Record<string, string> = {};
  const body = new FormData();
  for (const field of fields) {
    if (field.type === 'text') continue;
    if (field.type === 'filepicker') {
      for (const entry of posted.getAll(field.key)) {
        // An empty file input still posts a part with no name and no bytes: not an attachment.
        if (typeof entry !== 'string' && entry.size > 0 && entry.name !== '') {
          body.append(field.key, entry, entry.name);
          if (!field.multiple) break;
        }
      }
      continue;
    }
    const raw = posted.get(field.key);
    if (field.type === 'checkbox') {
      const checked = typeof raw === 'string' && raw !== '';
      values[field.key] = checked ? 'true' : '';
      body.append(field.key, checked ? 'true' : 'false');
      continue;
    }
    // Browsers send CRLF in textareas; the API counts characters, so normalise to LF.
    const value = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n') : '';
    values[field.key] = value;
    body.append(field.key, field.type === 'textarea' ? value : value.trim());
  }
  return { values, body };
}
