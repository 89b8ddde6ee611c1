import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor } from '../records.model';
import { isCreator } from './access';
import { lockDocument, lockFile } from './lifecycle.repository';

/**
 * Cancels (storno) a document registered by mistake. Only the person who created it may, and only
 * before it is settled or dispatched and before its file goes to the records centre. A document the
 * system registered by itself (a portal submission, a received data message: created by `system:*`)
 * has no person behind it; the registry office (podatelna), which answers for registering the
 * office's incoming documents, may cancel it instead — e.g. the same submission filed twice. The
 * journal row stays, marked cancelled, so the running numbers keep no gap.
 */
export async function cancelDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; reason: string },
): Promise<void> {
  const reason = input.reason?.trim();
  if (!reason) throw new DomainError('REASON_REQUIRED', 'a cancellation needs a reason');
  await ports.db.transaction(async (trx) => {
    const doc = await lockDocument(trx, input.documentId);
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    const registeredBySystem = (doc.created_by ?? '').startsWith('system:');
    const registryOffice = registeredBySystem && actor.roles.some((r) => r === 'podatelna' || r === 'admin');
    if (!isCreator(actor, doc.created_by) && !registryOffice) {
      throw new DomainError('FORBIDDEN', `only the creator of ${doc.jid}${registeredBySystem ? ' or the registry office' : ''} may cancel it`);
    }
    if (doc.state === 'cancelled') throw new DomainError('DOCUMENT_CANCELLED', `document ${doc.jid} is already cancelled`);
    if (!['registered', 'created'].includes(doc.state)) throw new DomainError('DOCUMENT_NOT_CANCELLABLE', `document ${doc.jid} is ${doc.state}`);
    if (doc.file_id) {
      const file = await lockFile(trx, doc.file_id);
      if (file && file.state !== 'open') throw new DomainError('DOCUMENT_NOT_CANCELLABLE', `file ${file.file_reference} is ${file.state}`);
    }
    const now = ports.clock();
    const by = auditActor(actor);
    await trx('documents').where({ id: doc.id }).update({ state: 'cancelled', cancelled_at: now, cancelled_by: by });
    await trx('journal').where({ document_id: doc.id }).update({ state: 'cancelled', cancelled_at: now });
    await appendAuditLog(trx, {
      actor: by, eventType: 'Storno', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { jid: doc.jid, referenceNumber: doc.reference_number, reason },
    });
  });
}
