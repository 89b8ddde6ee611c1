import { unzipSync } from 'fflate';
import { DOMParser } from '@xmldom/xmldom';
import { simpleParser } from 'mailparser';
import { DomainError } from '../shared/domain-error';
import { parseSignedDataInfo, type DetectedFormat } from './format-detection';

export interface UnpackedEntry {
  /** name proposed for the component (sanitised later) */
  name: string;
  content: Buffer;
  /** where the entry was inside the container and what it was, kept on the component */
  details: Record<string, unknown>;
}

export interface UnpackLimits {
  maxEntries: number;
  maxBytes: number;
}

export const CONTAINER_FORMATS = ['zip', 'asic-s', 'asic-e', 'eml', 'zfo'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

export function isContainer(format: string): format is ContainerFormat {
  return (CONTAINER_FORMATS as readonly string[]).includes(format);
}

/**
 * Splits a container into its parts. The container itself stays as it is (it is the original and,
 * for ASiC and ZFO, what the signature covers); the parts become components of their own.
 */
export async function unpackContainer(content: Buffer, detected: DetectedFormat, limits: UnpackLimits): Promise<UnpackedEntry[]> {
  switch (detected.format) {
    case 'zip':
      return unpackZip(content, limits, () => true);
    case 'asic-s':
    case 'asic-e':
      // the data objects; META-INF (signatures, manifests) and `mimetype` belong to the container
      return unpackZip(content, limits, (name) => name !== 'mimetype' && !name.startsWith('META-INF/'));
    case 'eml':
      return unpackEml(content, limits);
    case 'zfo':
      return unpackZfo(content, limits);
    default:
      return [];
  }
}

function tooLarge(what: string): DomainError {
  return new DomainError('CONTAINER_TOO_LARGE', `the container has more ${what} than allowed`);
}

function unpackZip(content: Buffer, limits: UnpackLimits, wanted: (name: string) => boolean): UnpackedEntry[] {
  let total = 0;
  let count = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(content, {
      filter: (f) => {
        if (f.name.endsWith('/') || !wanted(f.name)) return false;
        if (/(^|\/)__MACOSX\//.test(f.name)) return false;
        count += 1;
        total += f.originalSize;
        if (count > limits.maxEntries) throw tooLarge('entries');
        if (total > limits.maxBytes) throw tooLarge('bytes');
        return true;
      },
    });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('CONTAINER_UNREADABLE', `the ZIP archive cannot be read: ${(err as Error).message}`, 'input', { cause: err });
  }
  return Object.entries(files).map(([path, bytes], index) => ({
    name: path.split('/').pop() ?? path,
    content: Buffer.from(bytes),
    details: { index, path },
  }));
}

async function unpackEml(content: Buffer, limits: UnpackLimits): Promise<UnpackedEntry[]> {
  const mail = await simpleParser(content, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const out: UnpackedEntry[] = [];
  // the body: the plain-text part as sent, or the HTML part when there is no plain text
  if (mail.text && mail.text.trim() !== '') {
    out.push({ name: 'zprava.txt', content: Buffer.from(mail.text, 'utf8'), details: { index: 0, part: 'body', type: 'text' } });
  } else if (typeof mail.html === 'string' && mail.html.trim() !== '') {
    out.push({ name: 'zprava.html', content: Buffer.from(mail.html, 'utf8'), details: { index: 0, part: 'body', type: 'html' } });
  }
  let total = out.reduce((n, e) => n + e.content.length, 0);
  mail.attachments.forEach((a, i) => {
    total += a.content.length;
    if (out.length + 1 > limits.maxEntries) throw tooLarge('entries');
    if (total > limits.maxBytes) throw tooLarge('bytes');
    out.push({ name: a.filename ?? `priloha-${i + 1}`, content: a.content, details: { index: i + 1, part: 'attachment', disposition: a.contentDisposition ?? null } });
  });
  return out;
}

function childElements(parent: Element | Document, localName: string): Element[] {
  const all = parent.getElementsByTagNameNS('*', localName);
  return Array.from({ length: all.length }, (_, i) => all.item(i)!).filter(Boolean);
}

/**
 * A ZFO is the data message as ISDS hands it out: CMS signed by ISDS whose content is the XML of
 * `MessageDownloadResponse`/`dmReturnedMessage` (isds/dmBaseTypes.xsd), attachments base64 in
 * `dmFiles/dmFile/dmEncodedContent`. The ISDS signature is checked by `signing.verify`.
 */
function unpackZfo(content: Buffer, limits: UnpackLimits): UnpackedEntry[] {
  const info = parseSignedDataInfo(content);
  if (!info?.eContent) throw new DomainError('CONTAINER_UNREADABLE', 'the ZFO holds no signed content');
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(info.eContent.toString('utf8'), 'text/xml');
  if (errors.length || !doc.documentElement) throw new DomainError('CONTAINER_UNREADABLE', 'the ZFO content is not well-formed XML');
  const text = (name: string) => childElements(doc, name)[0]?.textContent?.trim() || null;
  const envelope = { dmID: text('dmID'), dbIDSender: text('dbIDSender'), dmAnnotation: text('dmAnnotation') };
  const files = childElements(doc, 'dmFile');
  if (files.length > limits.maxEntries) throw tooLarge('entries');
  let total = 0;
  return files.map((file, index) => {
    const encoded = childElements(file, 'dmEncodedContent')[0];
    const xmlContent = childElements(file, 'dmXMLContent')[0];
    let bytes: Buffer;
    if (encoded) bytes = Buffer.from((encoded.textContent ?? '').replace(/\s+/g, ''), 'base64');
    else if (xmlContent) bytes = Buffer.from(Array.from({ length: xmlContent.childNodes.length }, (_, i) => xmlContent.childNodes.item(i)!.toString()).join(''), 'utf8');
    else throw new DomainError('CONTAINER_UNREADABLE', `dmFile ${index + 1} has no content`);
    total += bytes.length;
    if (total > limits.maxBytes) throw tooLarge('bytes');
    return {
      name: file.getAttribute('dmFileDescr') || `priloha-${index + 1}`,
      content: bytes,
      details: { index, dmFileMetaType: file.getAttribute('dmFileMetaType') || null, dmMimeType: file.getAttribute('dmMimeType') || null, dmID: envelope.dmID, dbIDSender: envelope.dbIDSender },
    };
  });
}
