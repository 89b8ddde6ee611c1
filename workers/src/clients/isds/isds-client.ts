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
   * (dm_info.wsdl) is at `<url>/dx`.
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

export interface IsdsClient {
  getDeliveryInfo(dmId: string): Promise<DeliveryInfo>;
}


function text(parent: Element | Document, name: string): string | null {
  const el = parent.getElementsByTagNameNS(ISDS_NS, name)[0];
  if (!el || el.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'nil') === 'true') return null;
  return el.textContent?.trim() ?? null;
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
 * data box's login (HTTP Basic), as in dm_info.wsdl. Only what the records service needs: the
 * delivery information of a sent message. ISDS answers errors as a `dmStatus` with a code other than
 * `0000`; they and transport failures are transient (`ISDS_*`), a refused login is `ISDS_UNAUTHORIZED`.
 */
export function createIsdsClient(options: IsdsClientOptions): IsdsClient {
  const endpoint = `${options.url.replace(/\/+$/, '')}/dx`;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  async function call(operation: string, body: string): Promise<Document> {
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
      const doc = await call('GetDeliveryInfo', `<GetDeliveryInfo xmlns="${ISDS_NS}"><dmID>${xmlEscape(dmId)}</dmID></GetDeliveryInfo>`);
      const response = doc.getElementsByTagNameNS(ISDS_NS, 'GetDeliveryInfoResponse')[0];
      if (!response) throw new DomainError('ISDS_RESPONSE_INVALID', 'GetDeliveryInfo: no GetDeliveryInfoResponse', 'transient');
      const status = response.getElementsByTagNameNS(ISDS_NS, 'dmStatus')[0];
      const code = status ? text(status, 'dmStatusCode') : null;
      if (code !== '0000') throw new DomainError('ISDS_STATUS', `GetDeliveryInfo ${dmId}: ${code ?? 'no status'} ${status ? text(status, 'dmStatusMessage') ?? '' : ''}`.trim(), 'transient');
      const delivery = response.getElementsByTagNameNS(ISDS_NS, 'dmDelivery')[0];
      const messageStatus = delivery ? Number(text(delivery, 'dmMessageStatus')) : NaN;
      if (!delivery || !Number.isInteger(messageStatus)) throw new DomainError('ISDS_RESPONSE_INVALID', `GetDeliveryInfo ${dmId}: no dmMessageStatus`, 'transient');
      return { dmId, messageStatus, deliveryTime: time(delivery, 'dmDeliveryTime'), acceptanceTime: time(delivery, 'dmAcceptanceTime') };
    },
  };
}
