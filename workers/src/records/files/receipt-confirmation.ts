import { randomUUID } from 'node:crypto';
import { appendAuditLog, type AuditEntry } from '@openspis/db';
import type { Knex } from 'knex';
import type { RegistrationWrite } from '../../registry/registration-commit';
import { auditActor, type Actor } from '../records.model';

const PRAGUE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Prague', day: 'numeric', month: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
});

/** Local time of the office to the second, with its offset from UTC: `30. 11. 2026 10:15:00 (GMT+1)`. */
export function receivedAtText(at: Date): string {
  const p = Object.fromEntries(PRAGUE.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day}. ${p.month}. ${p.year} ${p.hour}:${p.minute}:${p.second} (${p.timeZoneName})`;
}

/** The text of a confirmation of receipt: office, time of receipt, JID, reference number, components. */
export function receiptConfirmationText(c: { officeName: string; receivedAt: Date; jid: string; referenceNumber: string; components: string[] }): string {
  return [
    `${c.officeName} potvrzuje přijetí datové zprávy.`,
    `Datum a čas přijetí: ${receivedAtText(c.receivedAt)}`,
    `Evidenční číslo (JID): ${c.jid}`,
    `Číslo jednací: ${c.referenceNumber}`,
    `Komponenty: ${c.components.length ? c.components.join(', ') : '(žádné)'}`,
  ].join('\n');
}

export interface ReceiptConfirmationInput {
  documentId: string;
  jid: string;
  /** the reference number, or its template inside a registration's numbering statement */
  referenceNumber: string;
  receivedAt: Date;
  channel: string;
  officeName: string;
  recipient: string;
  components: string[];
  at: Date;
}

/**
 * The confirmation of receipt of a document being registered, as a row of the registration's
 * numbering statement (`numberAndLog`) and its log entry: issued in the registration's transaction,
 * so a registered electronic submission always has exactly one.
 */
export function receiptConfirmationWrite(actor: string, c: ReceiptConfirmationInput): { id: string; write: RegistrationWrite; audit: AuditEntry } {
  const id = randomUUID();
  return {
    id,
    write: { insert: 'receipt_confirmations', rows: { id, document_id: c.documentId, channel: c.channel, recipient: c.recipient, text: receiptConfirmationText(c), issued_at: c.at } },
    audit: { actor, eventType: 'Uprava', objectType: 'Dokument', objectId: c.documentId, details: { receiptConfirmation: id }, occurredAt: c.at },
  };
}

/**
 * Confirmation of receipt (potvrzení o přijetí, vyhláška 259/2012 Sb. § 2) of an electronic
 * submission: who received it, when, under which JID and reference number, and which components.
 * Stored with the document; sending it is the channel's job (e-mail, data-box message).
 */
export async function issueReceiptConfirmation(
  trx: Knex.Transaction,
  actor: Actor,
  c: ReceiptConfirmationInput,
): Promise<string> {
  const existing = await trx('receipt_confirmations').where({ document_id: c.documentId }).first();
  if (existing) return existing.id;
  const { id, write, audit } = receiptConfirmationWrite(auditActor(actor), c);
  if ('insert' in write) await trx(write.insert).insert(write.rows);
  await appendAuditLog(trx, audit);
  return id;
}
