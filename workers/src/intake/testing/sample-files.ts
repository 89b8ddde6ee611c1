import { zipSync, strToU8 } from 'fflate';
import nodemailer from 'nodemailer';

/** Small real files of each kind, built in memory for tests. */

export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
);

export function minimalPdf(extra = ''): Buffer {
  return Buffer.from(`%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n${extra}trailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

export function pdfaXmp(part: number, conformance: string): string {
  return `3 0 obj\n<< /Type /Metadata /Subtype /XML >>\nstream\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>${part}</pdfaid:part><pdfaid:conformance>${conformance}</pdfaid:conformance></rdf:Description></rdf:RDF></x:xmpmeta>\nendstream\nendobj\n`;
}

export function zip(entries: Record<string, string | Uint8Array>, opts: { storedFirst?: string } = {}): Buffer {
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  // ODF and ASiC want `mimetype` first and uncompressed
  if (opts.storedFirst) files[opts.storedFirst] = [toU8(entries[opts.storedFirst]), { level: 0 }];
  for (const [name, content] of Object.entries(entries)) if (name !== opts.storedFirst) files[name] = [toU8(content), { level: 6 }];
  return Buffer.from(zipSync(files));
}

const toU8 = (c: string | Uint8Array) => (typeof c === 'string' ? strToU8(c) : c);

export function minimalDocx(): Buffer {
  return zip({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    'word/document.xml': '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Ahoj</w:t></w:r></w:p></w:body></w:document>',
  });
}

export function minimalOdt(): Buffer {
  return zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>' }, { storedFirst: 'mimetype' });
}

/** An e-mail with a plain-text body and the given attachments, as an MTA would store it. */
export async function emlWithAttachments(attachments: { filename: string; content: Buffer; contentType: string }[]): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail({
    from: 'Jana Nováková <jana@example.cz>',
    to: 'podatelna@mmkv.example',
    subject: 'Žádost s přílohami',
    text: 'Dobrý den,\nv příloze zasílám žádost a fotografii.\nJana Nováková',
    attachments,
  });
  return info.message as Buffer;
}

/** The XML of an ISDS data message (dmBaseTypes.xsd tReturnedMessage inside MessageDownloadResponse). */
export function isdsMessageXml(files: { name: string; mimeType: string; content: Buffer; metaType?: string }[]): string {
  const dmFiles = files
    .map((f, i) => `<p:dmFile dmMimeType="${f.mimeType}" dmFileMetaType="${f.metaType ?? (i === 0 ? 'main' : 'enclosure')}" dmFileDescr="${f.name}"><p:dmEncodedContent>${f.content.toString('base64')}</p:dmEncodedContent></p:dmFile>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<q:MessageDownloadResponse xmlns:q="http://isds.czechpoint.cz/v20/message" xmlns:p="http://isds.czechpoint.cz/v20">
<q:dmReturnedMessage><p:dmDm><p:dmID>123456789</p:dmID><p:dbIDSender>abc1234</p:dbIDSender><p:dmSender>Obec Příkladov</p:dmSender><p:dmAnnotation>Žádost o informace</p:dmAnnotation>
<p:dmFiles>${dmFiles}</p:dmFiles></p:dmDm><p:dmHash algorithm="SHA-256">AAAA</p:dmHash></q:dmReturnedMessage>
<q:dmStatus><p:dmStatusCode>0000</p:dmStatusCode><p:dmStatusMessage>Provedeno úspěšně.</p:dmStatusMessage></q:dmStatus></q:MessageDownloadResponse>`;
}
