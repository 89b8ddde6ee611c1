/**
 * A small XML writer for the documents we export (METS, NSESSS). Element trees are built as plain
 * objects and serialised with escaping; text that XML 1.0 cannot carry (control characters) is
 * dropped rather than producing a document no parser accepts.
 */

export interface XmlElement {
  name: string;
  attrs?: Record<string, string | number | null | undefined>;
  children?: XmlNode[];
}
export type XmlNode = XmlElement | string | null | undefined | false;

function isNode(value: unknown): value is XmlNode {
  if (value === null || value === undefined || value === false || typeof value === 'string') return true;
  return typeof value === 'object' && Array.isArray((value as XmlElement).children) && typeof (value as XmlElement).name === 'string';
}

/** Builds an element: `el(name, attrs?, ...children)`; `null`/`undefined` attributes and children are left out. */
export function el(name: string, attrsOrChild?: XmlElement['attrs'] | XmlNode | number, ...children: XmlNode[]): XmlElement {
  if (typeof attrsOrChild === 'number') return { name, children: [String(attrsOrChild), ...children] };
  if (isNode(attrsOrChild)) return { name, children: [attrsOrChild, ...children] };
  return { name, attrs: attrsOrChild, children };
}

/** An element only when the value is present, with the value as its text. */
export function optional(name: string, value: string | number | null | undefined): XmlElement | null {
  return value === null || value === undefined || value === '' ? null : el(name, String(value));
}

// XML 1.0 Char production: tab, LF, CR, and everything from U+0020 except surrogates and U+FFFE/U+FFFF
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function write(node: XmlElement, indent: string, out: string[]): void {
  const attrs = Object.entries(node.attrs ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  const children = (node.children ?? []).filter((c): c is XmlElement | string => c !== null && c !== undefined && c !== false);
  if (children.length === 0) {
    out.push(`${indent}<${node.name}${attrs}/>`);
  } else if (children.every((c) => typeof c === 'string')) {
    out.push(`${indent}<${node.name}${attrs}>${escapeText(children.join(''))}</${node.name}>`);
  } else {
    out.push(`${indent}<${node.name}${attrs}>`);
    for (const c of children) {
      if (typeof c === 'string') out.push(`${indent}  ${escapeText(c)}`);
      else write(c, `${indent}  `, out);
    }
    out.push(`${indent}</${node.name}>`);
  }
}

/** The document with an XML declaration, indented by two spaces. */
export function serializeXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
