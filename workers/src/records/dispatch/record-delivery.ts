import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, type Actor } from '../records.model';
import { pragueDay } from '../records.ports';
import { DISPATCH_ROLES, lockOutgoing, momentOfDay } from './dispatch-access';

/**
 * Doručení: a dispatched document reached its addressee on a day — or is deemed delivered (fikce
 * doručení, e.g. a data-box message not opened within ten days). Document and journal row get the
 * date, the document becomes `delivered`; logged as Doruceno of the document, with `deemed`. The day
 * not before the dispatch and not in the future.
 */
export async function recordDelivery(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; day?: string; deemed?: boolean },
): Promise<{ deliveredAt: Date }> {
  assertRole(actor, DISPATCH_ROLES);
  const now = ports.clock();
  const at = momentOfDay(input.day, now, 'DELIVERY_DATE_INVALID');
  return ports.db.transaction(async (trx) => {
    const { doc } = await lockOutgoing(trx, actor, input.documentId);
    if (doc.state !== 'dispatched') throw new DomainError('DELIVERY_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
    if (pragueDay(at) < pragueDay(new Date(doc.dispatched_at))) throw new DomainError('DELIVERY_DATE_INVALID', `document ${doc.jid} was dispatched after ${at.toISOString()}`);
    await trx('documents').where({ id: doc.id }).update({ state: 'delivered', delivered_at: at });
    await trx('journal').where({ document_id: doc.id }).update({ delivered_at: at });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Doruceno', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { jid: doc.jid, deliveredAt: at.toISOString(), deemed: input.deemed === true },
    });
    return { deliveredAt: at };
  });
}
