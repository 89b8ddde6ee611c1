import type { i18n } from 'i18next';
import type { FormComponent, FormSchema } from '../catalogue';
import type { Language } from '../i18n';

/**
 * A copy of the form with labels, descriptions and texts from the `forms` namespace
 * (`<formId>.<componentKey|id>.label|description|text`). Texts keep form-js `{{…}}` templates.
 */
export function translateForm(i18n: i18n, form: FormSchema, lng: Language): FormSchema {
  const tr = (c: FormComponent): FormComponent => {
    const id = c.key ?? c.id;
    const out: FormComponent = { ...c };
    if (id) {
      for (const prop of ['label', 'description', 'text'] as const) {
        if (typeof c[prop] !== 'string') continue;
        const k = `${form.id}.${id}.${prop}`;
        if (i18n.exists(k, { ns: 'forms', lng })) out[prop] = i18n.t(k, { ns: 'forms', lng, skipInterpolation: true }) as string;
      }
    }
    if (c.components) out.components = c.components.map(tr);
    return out;
  };
  return { ...form, components: form.components.map(tr) };
}
