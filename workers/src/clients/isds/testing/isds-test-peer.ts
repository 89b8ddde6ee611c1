import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import forge from 'node-forge';
import { validateXML } from 'xmllint-wasm';
import { createTestCa, issueCertificate, type TestCa, type TestCertificate } from '../../../signing/test-pki';
import { xmlEscape } from '../../../records/xml/xml-writer';
import { ISDS_NS } from '../isds-client';

/** Verbatim copies of the official ISDS WSDL v2.33 types (see standards/README.md). */
export const ISDS_SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../standards/isds');
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Validates an element of the ISDS web services (a request or a response body) against dmBaseTypes.xsd. */
export async function validateIsdsXml(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: { fileName: 'body.xml', contents: xml },
    schema: { fileName: 'dmBaseTypes.xsd', contents: fs.readFileSync(path.join(ISDS_SCHEMA_DIR, 'dmBaseTypes.xsd'), 'utf8') },
    maxMemoryPages: 4096,
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message ?? e.rawMessage) };
}

export interface PeerMessage {
  status: number;
  deliveryTime?: string | null;
  acceptanceTime?: string | null;
  /** the addressee's box and the matter; a message sent through CreateMessage has its own */
  recipientBoxId?: string;
  annotation?: string;
}

/** A data message the peer took through CreateMessage, as it read it from the request. */
export interface PeerSentMessage {
  dmId: string;
  recipientBoxId: string;
  annotation: string | null;
  senderRefNumber: string | null;
  recipientRefNumber: string | null;
  senderIdent: string | null;
  recipientIdent: string | null;
  toHands: string | null;
  personalDelivery: boolean;
  /** dmLegalTitleLaw/Year/Sect/Par/Point as sent */
  legalTitle: (string | null)[];
  files: { fileName: string; mimeType: string; metaType: string; content: Buffer }[];
}

export interface IsdsTestPeer {
  url: string;
  /** sent messages by dmID, as the test wants ISDS to report them */
  messages: Map<string, PeerMessage>;
  /** messages sent through CreateMessage, by dmID (each is also in `messages`, time-stamped: status 2) */
  sent: Map<string, PeerSentMessage>;
  /** addressee boxes CreateMessage refuses, with the dmStatus ISDS answers */
  refusedBoxes: Map<string, { code: string; message: string }>;
  /** the test CA and the certificate ISDS signs delivery information with (GetSignedDeliveryInfo) */
  ca: TestCa;
  signer: TestCertificate;
  /** every request body (the operation element), as received */
  requests: string[];
  /** every response body sent (the operation element), to check against the schema */
  responses: string[];
  close(): Promise<void>;
}

const nil = (name: string, value: string | null | undefined) => (value ? `<${name}>${value}</${name}>` : `<${name} xsi:nil="true"/>`);

/** tDelivery of one sent message: the envelope (gMessageEnvelope) with what a reply of this office would carry. */
function deliveryXml(dmId: string, m: PeerMessage): string {
  const events = [
    m.deliveryTime ? `<dmEvent><dmEventTime>${m.deliveryTime}</dmEventTime><dmEventDescr>EV0: Zpráva byla dodána do schránky</dmEventDescr></dmEvent>` : '',
    m.acceptanceTime ? `<dmEvent><dmEventTime>${m.acceptanceTime}</dmEventTime><dmEventDescr>${m.status === 5 ? 'EV4: Zpráva byla doručena fikcí' : 'EV5: Zpráva byla doručena přihlášením'}</dmEventDescr></dmEvent>` : '',
  ].join('') || '<dmEvent><dmEventTime xsi:nil="true"/><dmEventDescr>EV1: Zpráva byla podána</dmEventDescr></dmEvent>';
  return `<dmDelivery><dmDm><dmID>${dmId}</dmID><dbIDSender>mmkv7xz</dbIDSender><dmSender>Magistrát města Karlovy Vary</dmSender><dmSenderAddress>Moskevská 2035/21, 36120 Karlovy Vary</dmSenderAddress><dmSenderType>10</dmSenderType>`
    + '<dmRecipient>Adresát</dmRecipient><dmRecipientAddress xsi:nil="true"/>'
    + `<dmSenderOrgUnit xsi:nil="true"/><dmSenderOrgUnitNum xsi:nil="true"/><dbIDRecipient>${m.recipientBoxId ?? 'abc2def'}</dbIDRecipient><dmRecipientOrgUnit xsi:nil="true"/><dmRecipientOrgUnitNum xsi:nil="true"/>`
    + `<dmToHands xsi:nil="true"/><dmAnnotation>${xmlEscape(m.annotation ?? 'Odpověď')}</dmAnnotation><dmRecipientRefNumber xsi:nil="true"/><dmSenderRefNumber xsi:nil="true"/><dmRecipientIdent xsi:nil="true"/><dmSenderIdent xsi:nil="true"/>`
    + '<dmLegalTitleLaw xsi:nil="true"/><dmLegalTitleYear xsi:nil="true"/><dmLegalTitleSect xsi:nil="true"/><dmLegalTitlePar xsi:nil="true"/><dmLegalTitlePoint xsi:nil="true"/><dmPersonalDelivery>false</dmPersonalDelivery><dmAllowSubstDelivery>true</dmAllowSubstDelivery>'
    + `</dmDm><dmHash algorithm="SHA-256">${Buffer.alloc(32, 7).toString('base64')}</dmHash><dmQTimestamp>${Buffer.from('timestamp').toString('base64')}</dmQTimestamp>`
    + `${nil('dmDeliveryTime', m.deliveryTime)}${nil('dmAcceptanceTime', m.acceptanceTime)}<dmMessageStatus>${m.status}</dmMessageStatus><dmEvents>${events}</dmEvents></dmDelivery>`;
}

/**
 * What ISDS signs for GetSignedDeliveryInfo: the delivery information of the message, enveloped in a
 * CMS SignedData (SHA-256, with the signer's certificate), as the `.zfo` of a dodejka / doručenka.
 */
function signedDelivery(dmId: string, m: PeerMessage, signer: TestCertificate): Buffer {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<q:GetDeliveryInfoResponse xmlns:q="${ISDS_NS}" xmlns="${ISDS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${deliveryXml(dmId, m)}`
    + '<dmStatus><dmStatusCode>0000</dmStatusCode><dmStatusMessage>Provedeno úspěšně.</dmStatusMessage></dmStatus></q:GetDeliveryInfoResponse>';
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(Buffer.from(xml, 'utf8').toString('binary'));
  const certificate = forge.pki.certificateFromPem(signer.certPem);
  p7.addCertificate(certificate);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signer.keyPem), certificate, digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [{ type: forge.pki.oids.contentType, value: forge.pki.oids.data }, { type: forge.pki.oids.messageDigest }, { type: forge.pki.oids.signingTime, value: new Date() as unknown as string }],
  });
  p7.sign();
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_NS}"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

/**
 * A data-box web service peer for tests, after dm_info.wsdl (endpoint `<url>/dx`) and
 * dm_operations.wsdl (`<url>/dz`), SOAP 1.1 document/literal, HTTP Basic login: every request body
 * is validated against the official dmBaseTypes.xsd (an invalid one gets a SOAP fault).
 * CreateMessage answers a new dmID (or the dmStatus of a box in `refusedBoxes`) and remembers the
 * message in `sent` and `messages`; GetDeliveryInfo answers a schema-valid tDeliveryMessageOutput
 * from `messages` (an unknown dmID: a dmStatus other than 0000, as ISDS does), GetSignedDeliveryInfo
 * the same delivery information in a CMS SignedData made with `signer` (a test CA's seal).
 */
export async function startIsdsTestPeer(login: { username: string; password: string }): Promise<IsdsTestPeer> {
  const messages = new Map<string, PeerMessage>();
  const requests: string[] = [];
  const responses: string[] = [];
  // ASCII names: node-forge writes a non-ASCII issuer into the SignerInfo differently from the certificate
  // valid for long, as ISDS's seal is: the tests' clocks are fixed days, before the moment the peer starts
  const validity = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z') };
  const ca = createTestCa({ commonName: 'ISDS Test CA', organization: 'openspis test', ...validity });
  const signer = issueCertificate(ca, { commonName: 'ISDS test seal', organization: 'openspis test', kind: 'seal', ...validity });
  const sent = new Map<string, PeerSentMessage>();
  const refusedBoxes = new Map<string, { code: string; message: string }>();
  let lastId = 90_000_000;
  const ok = '<dmStatusCode>0000</dmStatusCode><dmStatusMessage>Provedeno úspěšně.</dmStatusMessage>';

  /** CreateMessage: a new dmID for a box it does not refuse; the message is then known to GetDeliveryInfo. */
  function createMessage(operation: Element): string {
    const value = (name: string) => {
      const el = operation.getElementsByTagNameNS(ISDS_NS, name)[0];
      return !el || el.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'nil') === 'true' ? null : el.textContent ?? '';
    };
    const recipientBoxId = value('dbIDRecipient') ?? '';
    const head = `<q:CreateMessageResponse xmlns:q="${ISDS_NS}" xmlns="${ISDS_NS}">`;
    const refused = refusedBoxes.get(recipientBoxId);
    if (refused) return `${head}<dmStatus><dmStatusCode>${refused.code}</dmStatusCode><dmStatusMessage>${xmlEscape(refused.message)}</dmStatusMessage></dmStatus></q:CreateMessageResponse>`;
    const dmId = String((lastId += 1));
    const files = Array.from(operation.getElementsByTagNameNS(ISDS_NS, 'dmFile')).map((f) => ({
      fileName: f.getAttribute('dmFileDescr') ?? '', mimeType: f.getAttribute('dmMimeType') ?? '', metaType: f.getAttribute('dmFileMetaType') ?? '',
      content: Buffer.from(f.getElementsByTagNameNS(ISDS_NS, 'dmEncodedContent')[0]?.textContent ?? '', 'base64'),
    }));
    sent.set(dmId, {
      dmId, recipientBoxId, annotation: value('dmAnnotation'), senderRefNumber: value('dmSenderRefNumber'), recipientRefNumber: value('dmRecipientRefNumber'),
      senderIdent: value('dmSenderIdent'), recipientIdent: value('dmRecipientIdent'), toHands: value('dmToHands'), personalDelivery: value('dmPersonalDelivery') === 'true',
      legalTitle: ['Law', 'Year', 'Sect', 'Par', 'Point'].map((part) => value(`dmLegalTitle${part}`)), files,
    });
    messages.set(dmId, { status: 2, recipientBoxId, annotation: value('dmAnnotation') ?? undefined });
    return `${head}<dmID>${dmId}</dmID><dmStatus>${ok}</dmStatus></q:CreateMessageResponse>`;
  }

  const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const reply = (status: number, body: string) => {
          res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
          res.end(envelope(body));
        };
        const service = req.url === '/DS/dx' ? 'dx' : req.url === '/DS/dz' ? 'dz' : null;
        if (!service || req.method !== 'POST') return reply(404, `<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>no such service ${req.url}</faultstring></SOAP-ENV:Fault>`);
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="ISDS"' });
          return res.end();
        }
        const doc = new DOMParser().parseFromString(Buffer.concat(chunks).toString('utf8'), 'text/xml');
        const body = doc.getElementsByTagNameNS(SOAP_NS, 'Body')[0];
        const operation = body ? Array.from(body.childNodes).find((n): n is Element => n.nodeType === 1) : undefined;
        if (!operation) return reply(500, '<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>no body</faultstring></SOAP-ENV:Fault>');
        const requestXml = new XMLSerializer().serializeToString(operation);
        requests.push(requestXml);
        const check = await validateIsdsXml(requestXml);
        if (!check.valid) return reply(500, `<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>${check.errors.join('; ').replace(/</g, '&lt;')}</faultstring></SOAP-ENV:Fault>`);
        const served = service === 'dz' ? ['CreateMessage'] : ['GetDeliveryInfo', 'GetSignedDeliveryInfo'];
        if (operation.namespaceURI !== ISDS_NS || !served.includes(operation.localName ?? '')) return reply(500, `<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>not served at ${service}: ${operation.localName}</faultstring></SOAP-ENV:Fault>`);
        if (operation.localName === 'CreateMessage') {
          const response = createMessage(operation);
          responses.push(response);
          return reply(200, response);
        }
        const dmId = operation.getElementsByTagNameNS(ISDS_NS, 'dmID')[0]?.textContent ?? '';
        const m = messages.get(dmId);
        if (operation.localName === 'GetSignedDeliveryInfo') {
          const response = `<q:GetSignedDeliveryInfoResponse xmlns:q="${ISDS_NS}" xmlns="${ISDS_NS}">${m ? `<dmSignature>${signedDelivery(dmId, m, signer).toString('base64')}</dmSignature><dmStatus>${ok}</dmStatus>` : '<dmStatus><dmStatusCode>1219</dmStatusCode><dmStatusMessage>Zpráva neexistuje.</dmStatusMessage></dmStatus>'}</q:GetSignedDeliveryInfoResponse>`;
          responses.push(response);
          return reply(200, response);
        }
        const status = m ? '<dmStatusCode>0000</dmStatusCode><dmStatusMessage>Provedeno úspěšně.</dmStatusMessage>' : '<dmStatusCode>1219</dmStatusCode><dmStatusMessage>Zpráva neexistuje.</dmStatusMessage>';
        const response = `<q:GetDeliveryInfoResponse xmlns:q="${ISDS_NS}" xmlns="${ISDS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${m ? deliveryXml(dmId, m) : ''}<dmStatus>${status}</dmStatus></q:GetDeliveryInfoResponse>`;
        responses.push(response);
        reply(200, response);
      })().catch((err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/DS`, messages, sent, refusedBoxes, ca, signer, requests, responses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
