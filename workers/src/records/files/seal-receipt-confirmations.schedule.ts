import type pino from 'pino';
import { runPeriodically, untilFirstFailure } from '../../shared/periodic';
import { createMailTransport, type MailTransport } from '../../notify/mail-transport';
import { listUnsealedReceipts, RECEIPT_CATCH_UP_MS } from './receipt-confirmation.repository';
import { sealReceiptConfirmation, type SealReceiptConfirmationPorts } from './seal-receipt-confirmation.service';
import { sendPendingReceiptConfirmations } from './send-receipt-confirmations';

/** The procedure's job seals a confirmation within seconds; one older than this was left without it. */
export const RECEIPT_GRACE_MS = 10 * 60_000;

/**
 * Renders and seals the confirmations of receipt of portal submissions that the procedure has not
 * (a submission whose procedure instance started on a version without the step, or whose step is
 * an incident): those issued more than `RECEIPT_GRACE_MS` ago without a sealed PDF; and those of
 * documents the registry office registered as received by e-mail (no job does them), oldest first,
 * at most `batch` a run; only those issued in the last `RECEIPT_CATCH_UP_MS` (7 days). Safe beside the job and on several nodes: a confirmation is sealed once.
 */
export async function sealPendingReceiptConfirmations(ports: SealReceiptConfirmationPorts, log: pino.Logger, opts: { batch?: number } = {}): Promise<string[]> {
  const now = ports.clock().getTime();
  const pending = await listUnsealedReceipts(ports.db, new Date(now - RECEIPT_GRACE_MS), new Date(now - RECEIPT_CATCH_UP_MS), opts.batch ?? 20);
  return untilFirstFailure(pending, async (documentId) => {
    const r = await sealReceiptConfirmation(ports, { documentId });
    log.info({ documentId, sealedComponentId: r.sealedComponentId, created: r.created }, 'confirmation of receipt sealed by the catch-up');
  }, { log, context: (documentId) => ({ documentId }), message: 'could not seal the confirmation of receipt' });
}

/** One run of the catch-up: seal what is left, then send the sealed confirmations of e-mails to their senders. */
export async function catchUpReceiptConfirmations(ports: SealReceiptConfirmationPorts & { transport: MailTransport }, log: pino.Logger): Promise<{ sealed: string[]; sent: string[] }> {
  const sealed = await sealPendingReceiptConfirmations(ports, log);
  const sent = await sendPendingReceiptConfirmations(ports, log);
  return { sealed, sent };
}

/** Runs the catch-up at start-up and then every `intervalMs` (hourly); returns a stop function. */
export function scheduleReceiptConfirmationSeals(ports: SealReceiptConfirmationPorts & { transport?: MailTransport }, log: pino.Logger, intervalMs = 3_600_000): () => Promise<void> {
  const withTransport = { ...ports, transport: ports.transport ?? createMailTransport(ports.config) };
  return runPeriodically(() => catchUpReceiptConfirmations(withTransport, log), (err) => log.error({ err }, 'sealing or sending confirmations of receipt failed'), intervalMs);
}
