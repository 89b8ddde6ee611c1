import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, type Actor } from '../records.model';
import { buildDataBoxMessage } from './data-box-message';
import { findSend, putPendingSend, type DataBoxSendState } from './data-box-send.repository';
import { lockOutgoing } from './dispatch-access';

/** Who sends through the office's data box: the dispatch desk (výpravna) of the registry office, and the administrator. */
export const DATA_BOX_SENDERS = ['podatelna', 'admin'] as const;

/**
 * "Send by data box": the registry office asks for an outgoing document dispatched by data box to be
 * sent to its addressee's data box. Only records the request (`data_box_sends`, pending) once the
 * message can be made (buildDataBoxMessage); the periodic sender (sendPendingDataBoxMessages) sends
 * it and records the dispatch. Asking again while it is pending or being sent changes nothing (a
 * second click, a repeated post); a failed request is asked for again. Needs ISDS configured.
 */
export async function requestDataBoxSend(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { documentId: string },
): Promise<{ state: DataBoxSendState; requested: boolean }> {
  assertRole(actor, DATA_BOX_SENDERS);
  if (!ports.config.isds) throw new DomainError('ISDS_NOT_CONFIGURED', 'ISDS_URL is not set', 'business');
  const now = ports.clock();
  return ports.db.transaction(async (trx) => {
    const { doc, file } = await lockOutgoing(trx, actor, input.documentId);
    const existing = await findSend(trx, doc.id);
    if (existing && (existing.state === 'pending' || existing.state === 'sending')) return { state: existing.state, requested: false };
    if (doc.state !== 'created') throw new DomainError('DISPATCH_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`, 'business');
    await buildDataBoxMessage(trx, doc.id, { withContent: false });
    await putPendingSend(trx, { documentId: doc.id, requestedBy: auditActor(actor), at: now });
    return { state: 'pending', requested: true };
  });
}
