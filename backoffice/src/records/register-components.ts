import { detectFormat, type FormatCode } from '@openspis/workers';

/** Most electronic components one registration takes through the form. */
export const MAX_COMPONENTS = 10;

/**
 * Formats the registry office takes in as components of a document, decided by the bytes (the
 * intake's `detectFormat`), never by the name or the type the browser sent: the output formats of
 * vyhláška 259/2012 Sb. příloha 3 the intake knows, the office formats it converts, the containers
 * it unpacks (e-mail, data message, signed containers) and plain text (an e-mail's body).
 */
export const COMPONENT_FORMATS: ReadonlySet<FormatCode> = new Set<FormatCode>([
  'pdf', 'png', 'jpeg', 'gif', 'tiff', 'xml', 'txt', 'rtf', 'html',
  'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'doc', 'xls',
  'eml', 'zfo', 'cms', 'asic-s', 'asic-e',
]);

/** Name extensions that claim a format: a file that claims one and holds another is refused (a renamed file is a mistake or a trick). */
const CLAIMS: Record<string, readonly FormatCode[]> = {
  pdf: ['pdf'], png: ['png'], jpg: ['jpeg'], jpeg: ['jpeg'], gif: ['gif'], tif: ['tiff'], tiff: ['tiff'],
  docx: ['docx'], xlsx: ['xlsx'], pptx: ['pptx'], odt: ['odt'], ods: ['ods'], odp: ['odp'], doc: ['doc'], xls: ['xls'],
  eml: ['eml'], zfo: ['zfo'], p7m: ['cms'], p7s: ['cms'], asics: ['asic-s'], asice: ['asic-e'], sce: ['asic-e'], scs: ['asic-s'],
  xml: ['xml'], rtf: ['rtf'], html: ['html', 'xml'], htm: ['html', 'xml'],
};

export interface UploadedPart {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

export interface CheckedComponent {
  fileName: string;
  mediaType: string;
  format: FormatCode;
  content: Buffer;
}

export type ComponentRefusal =
  | { reason: 'too-many'; max: number }
  | { reason: 'too-large'; name: string }
  | { reason: 'not-allowed'; name: string }
  | { reason: 'mismatch'; name: string; claimed: string };

/** The last path segment without control or shell-special characters, with the extension of the detected format. */
function componentName(original: string, extension: string): string {
  const last = original.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const printable = last.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').replace(/^\.+/, '').trim();
  const base = printable.replace(/\.[^.]*$/, '').slice(0, 150) || 'komponenta';
  return `${base}.${extension}`;
}

/**
 * The uploaded parts as components, or the first refusal. An empty file input (a browser sends a
 * part with no name and no bytes) is no component.
 */
export function checkComponents(parts: readonly UploadedPart[], maxBytes: number): { components: CheckedComponent[] } | { refusal: ComponentRefusal } {
  const present = parts.filter((p) => p.size > 0 || p.originalname);
  if (present.length > MAX_COMPONENTS) return { refusal: { reason: 'too-many', max: MAX_COMPONENTS } };
  const components: CheckedComponent[] = [];
  for (const p of present) {
    const name = p.originalname.split(/[\\/]/).pop() || '?';
    if (p.size > maxBytes) return { refusal: { reason: 'too-large', name } };
    const detected = detectFormat(p.buffer);
    if (!COMPONENT_FORMATS.has(detected.format)) return { refusal: { reason: 'not-allowed', name } };
    const claimedExt = /\.([A-Za-z0-9]{1,6})$/.exec(name)?.[1].toLowerCase();
    const claims = claimedExt ? CLAIMS[claimedExt] : undefined;
    if (claims && !claims.includes(detected.format)) return { refusal: { reason: 'mismatch', name, claimed: claimedExt as string } };
    components.push({ fileName: componentName(p.originalname, detected.extension), mediaType: detected.mediaType, format: detected.format, content: p.buffer });
  }
  return { components };
}
