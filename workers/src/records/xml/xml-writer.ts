/** Escapes text and attribute values for XML 1.0 (and drops characters XML cannot carry). */
export function xmlEscape(value: unknown): string {
  return String(value ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

type Attributes = Record<string, string | number | null | undefined>;

/** ` attr="…"` for each attribute with a value. */
function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join('');
}

/** `<name attr="…">text</name>`; children are already-built XML strings. */
export function el(name: string, content?: string | number | null, attrs: Attributes = {}): string {
  return `<${name}${attributes(attrs)}>${content === undefined || content === null ? '' : xmlEscape(content)}</${name}>`;
}

/** Element whose content is already XML. */
export function elx(name: string, children: string | string[], attrs: Attributes = {}): string {
  return `<${name}${attributes(attrs)}>${Array.isArray(children) ? children.join('') : children}</${name}>`;
}

/** Truncates to the schema's maximum length (many NSESSS strings are limited to 50 or 100 characters). */
export function clip(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}
