import type { LegalTitle } from '../../clients/isds/isds-client';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, type Actor } from '../records.model';
import { buildDataBoxMessage } from './data-box-message';
import { findSend, putPendingSend, type DataBoxSendState } from './data-box-send.repository';
import { lockOutgoing } from './dispatch-access';
import { ensureDispatches, pickDispatch } from './document-dispatches.repository';

/** Who sends through the office's data box: the dispatch desk (výpravna) of the registry office, and the administrator. */
export const DATA_BOX_SENDERS = ['podatelna', 'admin'] as const;

/** What the registry office may set on the data message besides the document, as typed into the form. */
export interface DataBoxSendInput {
  /** "k rukám": the person at the addressee the message is for */
  toHands?: string | null;
  /** "do vlastních rukou": only the addressee or a person they authorised may open it */
  personalDelivery?: boolean;
  /** the legal title (zmocnění): law number and year are needed when any part is given */
  legalTitle?: { law?: string | number | null; year?: string | number | null; sect?: string | null; par?: string | null; point?: string | null } | null;
}

export interface DataBoxSendOptions {
  toHands: string | null;
  personalDelivery: boolean;
  legalTitle: LegalTitle | null;
}

/** ISDS takes at most 50 characters "to the hands of". */
export const TO_HANDS_MAX = 50;
const TITLE_PART = /^[\p{L}\p{N}]{1,10}$/u;

/** Checks what was typed: trimmed, empty parts dropped; a refusal is DATA_BOX_SEND_TO_HANDS_TOO_LONG or DATA_BOX_SEND_LEGAL_TITLE_INVALID. */
export function readSendOptions(input: DataBoxSendInput): DataBoxSendOptions {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v).replace(/\s+/g, ' ').trim());
  const toHands = text(input.toHands);
  if (Array.from(toHands).length > TO_HANDS_MAX) throw new DomainError('DATA_BOX_SEND_TO_HANDS_TOO_LONG', `"to the hands of" has more than ${TO_HANDS_MAX} characters`);
  const t = input.legalTitle ?? {};
  const parts = { law: text(t.law), year: text(t.year), sect: text(t.sect).replace(/^§\s*/, ''), par: text(t.par), point: text(t.point) };
  let legalTitle: LegalTitle | null = null;
  if (Object.values(parts).some(Boolean)) {
    const law = /^\d{1,4}$/.test(parts.law) ? Number(parts.law) : 0;
    const year = /^\d{4}$/.test(parts.year) ? Number(parts.year) : 0;
    const badPart = [parts.sect, parts.par, parts.point].some((p) => p && !TITLE_PART.test(p));
    if (!law || year < 1918 || year > 2100 || badPart) throw new DomainError('DATA_BOX_SEND_LEGAL_TITLE_INVALID', 'the legal title needs the law number and its year; section, paragraph and letter up to 10 letters or digits');
    legalTitle = { law, year, sect: parts.sect || null, par: parts.par || null, point: parts.point || null };
  }
  return { toHands: toHands || null, personalDelivery: input.personalDelivery === true, legalTitle };
}

/**
 * "Send by data box": the registry office asks for an outgoing document to be sent to the data box of
 * one of its addressees (the dispatch `dispatchId`, by data box; without it the only one waiting). Only records the request (`data_box_sends`, pending) once the
 * message can be made (buildDataBoxMessage); the periodic sender (sendPendingDataBoxMessages) sends
 * it and records the dispatch. Asking again while it is pending or being sent changes nothing (a
 * second click, a repeated post); a failed request is asked for again, with what is set now. With
 * the request go "to the hands of", personal delivery and the legal title (readSendOptions). Needs
 * ISDS configured.
 */
export async function requestDataBoxSend(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { documentId: string; dispatchId?: string | null } & DataBoxSendInput,
): Promise<{ state: DataBoxSendState; requested: boolean; dispatchId: string }> {
  assertRole(actor, DATA_BOX_SENDERS);
  if (!ports.config.isds) throw new DomainError('ISDS_NOT_CONFIGURED', 'ISDS_URL is not set', 'business');
  const options = readSendOptions(input);
  const now = ports.clock();
  return ports.db.transaction(async (trx) => {
    const { doc, file } = await lockOutgoing(trx, actor, input.documentId);
    const rows = await ensureDispatches(trx, doc);
    const dispatch = input.dispatchId ? pickDispatch(rows, input.dispatchId, 'created', doc.jid) : rows.find((r) => r.state === 'created' && r.channel === 'data-box') ?? pickDispatch(rows, null, 'created', doc.jid);
    const existing = await findSend(trx, dispatch.id);
    if (existing && (existing.state === 'pending' || existing.state === 'sending')) return { state: existing.state, requested: false, dispatchId: dispatch.id };
    if (doc.state !== 'created' || dispatch.state !== 'created') throw new DomainError('DISPATCH_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    await buildDataBoxMessage(trx, doc.id, { withContent: false, dispatchId: dispatch.id });
    await putPendingSend(trx, { dispatchId: dispatch.id, documentId: doc.id, requestedBy: auditActor(actor), at: now, options });
    return { state: 'pending', requested: true, dispatchId: dispatch.id };
  });
}
