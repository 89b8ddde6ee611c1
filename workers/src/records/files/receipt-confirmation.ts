import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { auditActor, type Actor } from '../records.model';

/** The text of a confirmation of receipt: office, time of receipt, JID, reference number, components. */
export function receiptConfirmationText(c: { officeName: string; receivedAt: Date; jid: string; referenceNumber: string; components: string[] }): string {
  return [
    `${c.officeName} potvrzuje přijetí datové zprávy.`,
    `Datum a čas přijetí: ${c.receivedAt.toISOString()}`,
    `Evidenční číslo (JID): ${c.jid}`,
    `Číslo jednací: ${c.referenceNumber}`,
    `Komponenty: ${c.components.length ? c.components.join(', ') : '(žádné)'}`,
  ].join('\n');
}

/**
 * Confirmation of receipt (potvrzení o přijetí, vyhláška 259/2012 Sb. § 2) of an electronic
 * submission: who received it, when, under which JID and reference number, and which components.
 * Stored with the document; sending it is the channel's job (e-mail, data-box message).
 */
export async function issueReceiptConfirmation(
  trx: Knex.Transaction,
  actor: Actor,
  c: { documentId: string; jid: string; referenceNumber: string; receivedAt: Date; channel: string; officeName: string; recipient: string; components: string[]; at: Date },
): Promise<string> {
  const existing = await trx('receipt_confirmations').where({ document_id: c.documentId }).first();
  if (existing) return existing.id;
  const id = randomUUID();
  const text = receiptConfirmationText(c);
  await trx('receipt_confirmations').insert({ id, document_id: c.documentId, channel: c.channel, recipient: c.recipient, text, issued_at: c.at });
  await appendAuditLog(trx, { actor: auditActor(actor), eventType: 'Uprava', objectType: 'Dokument', objectId: c.documentId, details: { receiptConfirmation: id }, occurredAt: c.at });
  return id;
}
