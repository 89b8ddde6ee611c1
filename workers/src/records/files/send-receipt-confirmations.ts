import path from 'node:path';
import type pino from 'pino';
import type { MailTransport } from '../../notify/mail-transport';
import { splitEmail } from '../../notify/send-email.service';
import { SYSTEM_ACTOR, type WorkerPorts } from '../../shared/ports';
import { createTranslate, formatDate, renderTextTemplate } from '../../shared/templating';
import { claimReceiptSend, findReceiptEmailContent, listUnsentEmailReceipts, markReceiptSent, RECEIPT_CATCH_UP_MS, releaseReceiptSend } from './receipt-confirmation.repository';

export type SendReceiptConfirmationPorts = Pick<WorkerPorts, 'db' | 'clock' | 'config'> & { transport: MailTransport };

/** A claim older than this is a run that died while sending: the next run takes it again. */
export const RECEIPT_SEND_LEASE_MS = 30 * 60_000;

/**
 * Sends the sealed confirmation of receipt of each document the registry office registered as
 * received by e-mail to the sender's address recorded with the document (vyhláška 259/2012 Sb. § 2:
 * the confirmation goes back the way the message came), with the PDF attached, in Czech (an e-mail
 * has no language of submission). Once per confirmation: a run claims the row first (one UPDATE, so
 * two runs at once send once) and marks it sent, logged as Export of the sealed component, after the
 * transport took it; a refused message gives the claim back for the next run. A crash between the
 * two sends it again after the lease, with the same Message-ID (at least once). Addresses stay out
 * of the log. Returns the documents whose confirmation was sent.
 */
export async function sendPendingReceiptConfirmations(ports: SendReceiptConfirmationPorts, log: pino.Logger, opts: { batch?: number } = {}): Promise<string[]> {
  const { db, clock, config, transport } = ports;
  const sent: string[] = [];
  const pending = await listUnsentEmailReceipts(db, new Date(clock().getTime() - RECEIPT_SEND_LEASE_MS), new Date(clock().getTime() - RECEIPT_CATCH_UP_MS), opts.batch ?? 20);
  const t = createTranslate(config.localesDir, 'cs');
  for (const r of pending) {
    if (!(await claimReceiptSend(db, r.id, clock(), new Date(clock().getTime() - RECEIPT_SEND_LEASE_MS)))) continue;
    const c = await findReceiptEmailContent(db, r.document_id, r.sealed_component_id);
    if (!c?.sender_email) {
      await releaseReceiptSend(db, r.id, 'no-address');
      continue;
    }
    const referenceNumber = c.reference_number ?? c.jid;
    const { subject, text } = splitEmail(renderTextTemplate(path.join(config.templatesDir, 'email', 'receipt-confirmation-attached.hbs'), {
      officeName: config.officeName, referenceNumber, jid: c.jid, subject: String(c.subject).replace(/\s+/g, ' ').trim(),
      receivedAt: formatDate(c.received_at, 'cs', 'seconds'), fileName: c.fileName,
    }, t));
    const stem = `receipt-confirmation-${r.id}`;
    try {
      await transport.send({
        from: config.mailFrom, to: c.sender_email, subject, text, messageId: `<${stem}@openspis>`, fileStem: stem,
        attachments: [{ filename: c.fileName, content: c.pdf, contentType: 'application/pdf' }],
      });
    } catch (err) {
      // the transport's message may quote the address: only its code is kept and logged
      const code = String((err as { responseCode?: unknown }).responseCode ?? (err as { code?: unknown }).code ?? 'unknown');
      await releaseReceiptSend(db, r.id, `the mail transport did not accept the message (${code})`);
      log.warn({ documentId: r.document_id, receiptConfirmationId: r.id, code }, 'confirmation of receipt not sent; the next run tries again');
      continue;
    }
    await db.transaction((trx) => markReceiptSent(trx, { receiptId: r.id, documentId: r.document_id, sealedComponentId: r.sealed_component_id, to: c.sender_email as string, actor: SYSTEM_ACTOR, at: clock() }));
    log.info({ documentId: r.document_id, receiptConfirmationId: r.id }, 'confirmation of receipt sent to the sender by e-mail');
    sent.push(r.document_id);
  }
  return sent;
}
