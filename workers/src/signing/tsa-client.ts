import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DomainError } from '../shared/domain-error';
import { OID } from './oids';

export interface TimeStamp {
  /** DER of the TimeStampToken (a CMS ContentInfo), as the TSA sent it */
  token: Buffer;
  genTime: Date;
  serialNumber: string;
  /** subject of the TSA certificate in the token, if it carried one */
  tsaSubject: string | null;
}

/** Something that time-stamps `data` (RFC 3161, SHA-256 message imprint of `data`). */
export type TimeStamper = (data: Buffer) => Promise<TimeStamp>;

const hex = (view: ArrayBuffer | Uint8Array) => Buffer.from(view instanceof Uint8Array ? view : new Uint8Array(view)).toString('hex');

export function subjectOf(cert: pkijs.Certificate): string {
  return cert.subject.typesAndValues.map((tv) => `${({ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C' } as Record<string, string>)[tv.type] ?? tv.type}=${tv.value.valueBlock.value}`).join(', ');
}

/**
 * An RFC 3161 client over HTTP(S): POST `application/timestamp-query`, expects a granted
 * `application/timestamp-reply` whose token covers our imprint and nonce and whose signature
 * verifies. Network failures and refusals are transient (the job retries); an answer that does not
 * match the request is too (it may be a proxy's), but says so.
 */
export function httpTimeStamper(opts: { url: string; timeoutMs?: number; username?: string | null; password?: string | null }): TimeStamper {
  return async (data) => {
    const imprint = createHash('sha256').update(data).digest();
    const nonce = randomBytes(8);
    nonce[0] = (nonce[0] & 0x7f) | 0x01;
    const request = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
        hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
      }),
      certReq: true,
      nonce: new asn1js.Integer({ valueHex: nonce }),
    });
    const headers: Record<string, string> = { 'content-type': 'application/timestamp-query' };
    if (opts.username) headers.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    let body: Buffer;
    try {
      const res = await fetch(opts.url, { method: 'POST', headers, body: Buffer.from(request.toSchema().toBER()), signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw new DomainError('TSA_UNAVAILABLE', `time stamp authority did not answer: ${err instanceof Error ? err.message : String(err)}`, 'transient', { cause: err });
    }
    return parseTimeStampReply(body, data, nonce);
  };
}

/** Checks a TimeStampResp against the request and returns the token bytes exactly as received. */
export async function parseTimeStampReply(body: Buffer, data: Buffer, nonce: Buffer | null): Promise<TimeStamp> {
  const imprint = createHash('sha256').update(data).digest();
  const bad = (why: string) => new DomainError('TSA_BAD_REPLY', `time stamp reply rejected: ${why}`, 'transient');
  const parsed = asn1js.fromBER(new Uint8Array(body));
  if (parsed.offset === -1) throw bad('not DER');
  const response = pkijs.TimeStampResp.fromBER(new Uint8Array(body));
  if (response.status.status !== 0 && response.status.status !== 1) throw bad(`status ${response.status.status}`);
  const tokenSchema = (parsed.result as asn1js.Sequence).valueBlock.value[1];
  if (!tokenSchema || !response.timeStampToken) throw bad('no token');
  const token = Buffer.from(tokenSchema.valueBeforeDecodeView);
  const signedData = new pkijs.SignedData({ schema: response.timeStampToken.content });
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo || !signedData.encapContentInfo.eContent) throw bad('not a TSTInfo');
  const tstInfo = pkijs.TSTInfo.fromBER(signedData.encapContentInfo.eContent.getValue());
  if (tstInfo.messageImprint.hashAlgorithm.algorithmId !== OID.sha256 || hex(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView) !== imprint.toString('hex')) throw bad('imprint differs');
  if (nonce && (!tstInfo.nonce || hex(tstInfo.nonce.valueBlock.valueHexView) !== nonce.toString('hex'))) throw bad('nonce differs');
  const verified = await signedData.verify({ signer: 0, data: new Uint8Array(data).buffer, checkChain: false, extendedMode: true }).catch((err: unknown) => ({ signatureVerified: false, error: err }));
  if (!verified.signatureVerified) throw bad('token signature does not verify');
  const tsaCert = (signedData.certificates ?? []).find((c): c is pkijs.Certificate => c instanceof pkijs.Certificate && !!('signerCertificate' in verified && verified.signerCertificate && c === verified.signerCertificate));
  return { token, genTime: tstInfo.genTime, serialNumber: hex(tstInfo.serialNumber.valueBlock.valueHexView), tsaSubject: tsaCert ? subjectOf(tsaCert) : null };
}
