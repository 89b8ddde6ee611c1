import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { assertRole } from '../files/file-access';
import { auditActor, type Actor } from '../records.model';
import { pragueDay } from '../records.ports';
import { DISPATCH_ROLES, lockOutgoing, momentOfDay } from './dispatch-access';
import { ensureDispatches, pickDispatch, summariseDispatches } from './document-dispatches.repository';

/**
 * Doručení: a dispatched document reached one of its addressees on a day — or is deemed delivered
 * (fikce doručení, e.g. a data-box message not opened within ten days). The addressee's dispatch gets
 * the date (and `deemed`); once every addressee's is delivered the document and its journal row
 * become `delivered` on the last delivery day (a decision's legal force follows it); logged as
 * Doruceno of the document naming the dispatch and the addressee's party id. `dispatchId` names the
 * dispatch; without it the only one waiting for its delivery. The day not before that dispatch and
 * not in the future.
 */
export async function recordDelivery(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; dispatchId?: string | null; day?: string; deemed?: boolean },
): Promise<{ deliveredAt: Date; dispatchId: string }> {
  assertRole(actor, DISPATCH_ROLES);
  const now = ports.clock();
  const at = momentOfDay(input.day, now, 'DELIVERY_DATE_INVALID');
  return ports.db.transaction(async (trx) => {
    const { doc } = await lockOutgoing(trx, actor, input.documentId);
    if (doc.state === 'cancelled' || doc.state === 'delivered') throw new DomainError('DELIVERY_STATE', `document ${doc.jid} is ${doc.state}`, 'business');
    const dispatch = pickDispatch(await ensureDispatches(trx, doc), input.dispatchId, 'dispatched', doc.jid);
    if (dispatch.state !== 'dispatched') throw new DomainError('DELIVERY_STATE', `the dispatch ${dispatch.id} of ${doc.jid} is ${dispatch.state}`, 'business');
    if (pragueDay(at) < pragueDay(new Date(dispatch.dispatched_at!))) throw new DomainError('DELIVERY_DATE_INVALID', `document ${doc.jid} was dispatched after ${at.toISOString()}`);
    await trx('document_dispatches').where({ id: dispatch.id }).update({ state: 'delivered', delivered_at: at, deemed: input.deemed === true });
    await summariseDispatches(trx, doc.id);
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Doruceno', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { jid: doc.jid, dispatchId: dispatch.id, addresseeParty: dispatch.party_id, deliveredAt: at.toISOString(), deemed: input.deemed === true },
    });
    return { deliveredAt: at, dispatchId: dispatch.id };
  });
}
