import { DOMParser } from '@xmldom/xmldom';
import { DomainError } from '../../shared/domain-error';
import { xmlEscape } from '../../records/xml/xml-writer';

/** Namespace of the ISDS web services' types (isds/dmBaseTypes.xsd, WSDL v2.33). */
export const ISDS_NS = 'http://isds.czechpoint.cz/v20';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface IsdsClientOptions {
  /**
   * Base of the web services, e.g. `https://ws1.mojedatovaschranka.cz/DS` (production) or
   * `https://ws1.czebox.cz/DS` (the public test environment); the message information service
   * (dm_info.wsdl) is at `<url>/dx`, the message operations (dm_operations.wsdl) at `<url>/dz`.
   */
  url: string;
  /** login of the office's data box (name and password authentication) */
  username: string;
  password: string;
  /** how long one call may take (default 30 s) */
  timeoutMs?: number;
}

/** What ISDS tells about a sent data message (tDelivery of GetDeliveryInfo: dodejka, doručenka, nedoručenka). */
export interface DeliveryInfo {
  dmId: string;
  /**
   * dmMessageStatus: 1 submitted, 2 time-stamped, 3 failed the virus check, 4 delivered to the box
   * (dodána), 5 delivered by fiction — nobody logged in within ten days (doručena fikcí), 6 delivered
   * by login (doručena přihlášením), 7 read, 8 undeliverable (the box was made inaccessible), 9 content
   * deleted, 10 in the data vault.
   */
  messageStatus: number;
  /** dmDeliveryTime: when it reached the addressee's box (dodání) */
  deliveryTime: Date | null;
  /** dmAcceptanceTime: when it was delivered (doručení: login or fiction) */
  acceptanceTime: Date | null;
}

/** One file (písemnost) of a data message to send. */
export interface OutgoingFile {
  /** dmFileDescr: the file's name as the addressee sees it */
  fileName: string;
  /** dmMimeType, e.g. application/pdf */
  mimeType: string;
  content: Buffer;
}

/** A data message to send (CreateMessage): the envelope (gMessageEnvelopeSub) and its files, the first one the main. */
export interface OutgoingMessage {
  /** dbIDRecipient: the addressee's data box ID (7 characters) */
  recipientBoxId: string;
  /** dmAnnotation: the matter (věc), at most 255 characters */
  annotation: string;
  /** dmSenderRefNumber / dmSenderIdent: our reference number (č.j.) and file reference (spisová značka), at most 50 characters each */
  senderRefNumber: string | null;
  senderIdent: string | null;
  /** dmRecipientRefNumber / dmRecipientIdent: the addressee's own reference number and file reference, if they gave them */
  recipientRefNumber: string | null;
  recipientIdent: string | null;
  /** dmToHands: the person the message is for ("k rukám"), at most 50 characters */
  toHands?: string | null;
  /** dmPersonalDelivery: only the addressee, or a person they authorised for it, may open the message (do vlastních rukou) */
  personalDelivery?: boolean;
  /** dmLegalTitle*: the legal title (zmocnění) the office delivers under */
  legalTitle?: LegalTitle | null;
  files: OutgoingFile[];
}

/** The legal title of a data message: law number and year (e.g. 500/2004), section, paragraph and letter. */
export interface LegalTitle {
  law: number;
  year: number;
  sect: string | null;
  par: string | null;
  point: string | null;
}

export interface IsdsClient {
  getDeliveryInfo(dmId: string): Promise<DeliveryInfo>;
  /** Sends a data message from the office's box; resolves to the new message's ID (dmID). */
  createMessage(message: OutgoingMessage): Promise<string>;
  /**
   * The signed delivery information of a sent message (GetSignedDeliveryInfo: dodejka, doručenka or
   * nedoručenka as ISDS signed it, a CMS SignedData — the content of a `.zfo` file).
   */
  getSignedDeliveryInfo(dmId: string): Promise<Buffer>;
}

/**
 * ISDS refused an operation with a dmStatus other than 0000: `statusCode` and `statusMessage` as ISDS
 * gave them (its message is Czech and names no person: it can be shown to the registry office).
 */
export class IsdsStatusError extends DomainError {
  constructor(
    readonly operation: string,
    readonly statusCode: string,
    readonly statusMessage: string,
    kind: 'transient' | 'business',
  ) {
    super('ISDS_STATUS', `${operation}: ${statusCode} ${statusMessage}`.trim(), kind);
    this.name = 'IsdsStatusError';
  }
}


function text(parent: Element | Document, name: string): string | null {
  const el = parent.getElementsByTagNameNS(ISDS_NS, name)[0];
  if (!el || el.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'nil') === 'true') return null;
  return el.textContent?.trim() ?? null;
}

/** The dmStatus of an answer; anything but 0000 is an IsdsStatusError. */
function requireOk(response: Element, operation: string, kind: 'transient' | 'business'): void {
  const status = response.getElementsByTagNameNS(ISDS_NS, 'dmStatus')[0];
  const code = status ? text(status, 'dmStatusCode') : null;
  if (code !== '0000') throw new IsdsStatusError(operation, code ?? 'no status', (status ? text(status, 'dmStatusMessage') : null) ?? '', kind);
}

function responseOf(doc: Document, operation: string): Element {
  const response = doc.getElementsByTagNameNS(ISDS_NS, `${operation}Response`)[0];
  if (!response) throw new DomainError('ISDS_RESPONSE_INVALID', `${operation}: no ${operation}Response`, 'transient');
  return response;
}

const nillable = (name: string, value: string | null) => (value ? `<${name}>${xmlEscape(value)}</${name}>` : `<${name} xsi:nil="true"/>`);

/** The CreateMessage body: gMessageEnvelopeSub in its order, then the files, base64. */
export function createMessageXml(m: OutgoingMessage): string {
  const envelope = '<dmSenderOrgUnit xsi:nil="true"/><dmSenderOrgUnitNum xsi:nil="true"/>'
    + `<dbIDRecipient>${xmlEscape(m.recipientBoxId)}</dbIDRecipient><dmRecipientOrgUnit xsi:nil="true"/><dmRecipientOrgUnitNum xsi:nil="true"/>${nillable('dmToHands', m.toHands ?? null)}`
    + `<dmAnnotation>${xmlEscape(m.annotation)}</dmAnnotation>${nillable('dmRecipientRefNumber', m.recipientRefNumber)}${nillable('dmSenderRefNumber', m.senderRefNumber)}`
    + `${nillable('dmRecipientIdent', m.recipientIdent)}${nillable('dmSenderIdent', m.senderIdent)}`
    + `${nillable('dmLegalTitleLaw', m.legalTitle ? String(m.legalTitle.law) : null)}${nillable('dmLegalTitleYear', m.legalTitle ? String(m.legalTitle.year) : null)}`
    + `${nillable('dmLegalTitleSect', m.legalTitle?.sect ?? null)}${nillable('dmLegalTitlePar', m.legalTitle?.par ?? null)}${nillable('dmLegalTitlePoint', m.legalTitle?.point ?? null)}`
    + `${m.personalDelivery ? '<dmPersonalDelivery>true</dmPersonalDelivery>' : '<dmPersonalDelivery xsi:nil="true"/>'}<dmAllowSubstDelivery xsi:nil="true"/>`;
  const files = m.files.map((f, i) => `<dmFile dmMimeType="${xmlEscape(f.mimeType)}" dmFileMetaType="${i === 0 ? 'main' : 'enclosure'}" dmFileDescr="${xmlEscape(f.fileName)}"><dmEncodedContent>${f.content.toString('base64')}</dmEncodedContent></dmFile>`).join('');
  return `<CreateMessage xmlns="${ISDS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dmEnvelope>${envelope}</dmEnvelope><dmFiles>${files}</dmFiles></CreateMessage>`;
}

function time(parent: Element, name: string): Date | null {
  const v = text(parent, name);
  if (!v) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new DomainError('ISDS_RESPONSE_INVALID', `${name} is not a time`, 'transient');
  return d;
}

/**
 * The SOAP client of the data-box information system (ISDS), document/literal over HTTPS with the
 * data box's login (HTTP Basic), as in dm_info.wsdl and dm_operations.wsdl. Only what the records
 * service needs: sending a message (CreateMessage) and the delivery information of a sent one. ISDS answers errors as a `dmStatus` with a code other than
 * `0000`; they and transport failures are transient (`ISDS_*`), a refused login is `ISDS_UNAUTHORIZED`.
 */
export function createIsdsClient(options: IsdsClientOptions): IsdsClient {
  const base = options.url.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  /** `service`: dx (dm_info.wsdl) or dz (dm_operations.wsdl). */
  async function call(service: 'dx' | 'dz', operation: string, body: string): Promise<Document> {
    const endpoint = `${base}/${service}`;
    const envelope = `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', Authorization: authorization },
        body: envelope,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new DomainError('ISDS_UNREACHABLE', `${operation}: ${(err as Error).message}`, 'transient', { cause: err });
    }
    if (res.status === 401 || res.status === 403) throw new DomainError('ISDS_UNAUTHORIZED', `${operation}: HTTP ${res.status}`, 'transient');
    const xml = await res.text();
    // a SOAP fault comes with 500; anything else that is not XML is a broken answer
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const fault = doc.getElementsByTagNameNS(SOAP_NS, 'Fault')[0];
    if (fault) throw new DomainError('ISDS_FAULT', `${operation}: ${fault.getElementsByTagName('faultstring')[0]?.textContent ?? 'SOAP fault'}`, 'transient');
    if (!res.ok) throw new DomainError('ISDS_RESPONSE_INVALID', `${operation}: HTTP ${res.status}`, 'transient');
    return doc;
  }

  return {
    async getDeliveryInfo(dmId) {
      if (!/^\d{1,20}$/.test(dmId)) throw new DomainError('ISDS_DM_ID_INVALID', 'a data message ID is 1–20 digits');
      const doc = await call('dx', 'GetDeliveryInfo', `<GetDeliveryInfo xmlns="${ISDS_NS}"><dmID>${xmlEscape(dmId)}</dmID></GetDeliveryInfo>`);
      const response = responseOf(doc, 'GetDeliveryInfo');
      requireOk(response, `GetDeliveryInfo ${dmId}`, 'transient');
      const delivery = response.getElementsByTagNameNS(ISDS_NS, 'dmDelivery')[0];
      const messageStatus = delivery ? Number(text(delivery, 'dmMessageStatus')) : NaN;
      if (!delivery || !Number.isInteger(messageStatus)) throw new DomainError('ISDS_RESPONSE_INVALID', `GetDeliveryInfo ${dmId}: no dmMessageStatus`, 'transient');
      return { dmId, messageStatus, deliveryTime: time(delivery, 'dmDeliveryTime'), acceptanceTime: time(delivery, 'dmAcceptanceTime') };
    },

    async getSignedDeliveryInfo(dmId) {
      if (!/^\d{1,20}$/.test(dmId)) throw new DomainError('ISDS_DM_ID_INVALID', 'a data message ID is 1–20 digits');
      const doc = await call('dx', 'GetSignedDeliveryInfo', `<GetSignedDeliveryInfo xmlns="${ISDS_NS}"><dmID>${xmlEscape(dmId)}</dmID></GetSignedDeliveryInfo>`);
      const response = responseOf(doc, 'GetSignedDeliveryInfo');
      requireOk(response, `GetSignedDeliveryInfo ${dmId}`, 'transient');
      const signature = Buffer.from((text(response, 'dmSignature') ?? '').replace(/\s+/g, ''), 'base64');
      // a CMS SignedData is a DER SEQUENCE; anything else is not what ISDS signs
      if (signature.length < 2 || signature[0] !== 0x30) throw new DomainError('ISDS_RESPONSE_INVALID', `GetSignedDeliveryInfo ${dmId}: no signed data`, 'transient');
      return signature;
    },

    async createMessage(message) {
      if (!/^[a-z0-9]{7}$/.test(message.recipientBoxId)) throw new DomainError('ISDS_BOX_ID_INVALID', 'a data box ID is 7 lower-case letters and digits');
      if (message.files.length === 0) throw new DomainError('ISDS_NO_FILES', 'a data message needs at least one file');
      const doc = await call('dz', 'CreateMessage', createMessageXml(message));
      const response = responseOf(doc, 'CreateMessage');
      // a refusal (no such box, a format ISDS does not take, too large) is final for this message
      requireOk(response, 'CreateMessage', 'business');
      const dmId = text(response, 'dmID');
      if (!dmId) throw new DomainError('ISDS_RESPONSE_INVALID', 'CreateMessage: no dmID', 'transient');
      return dmId;
    },
  };
}
