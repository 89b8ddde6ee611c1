import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, SETTLEMENT_KINDS, type Actor, type SettlementKind } from '../records.model';
import { requireFileAccess, requireRole } from './access';
import { lockDocument, lockFile } from './lifecycle.repository';

/**
 * Settles (vyřízení) a document inside an open file: how, when and by whom go to the document, its
 * journal row and the transaction log in one transaction. Settling a settled document again
 * changes nothing.
 */
export async function settleRecordDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { documentId: string; method: SettlementKind; note?: string | null },
): Promise<{ settled: boolean }> {
  requireRole(actor, ['referent', 'vedouci']);
  if (!(input.method in SETTLEMENT_KINDS)) throw new DomainError('SETTLEMENT_METHOD_INVALID', `unknown settlement method ${input.method}`);
  return ports.db.transaction(async (trx) => {
    const doc = await lockDocument(trx, input.documentId);
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    if (doc.state === 'settled') return { settled: false };
    if (doc.state === 'cancelled') throw new DomainError('DOCUMENT_CANCELLED', `document ${doc.jid} was cancelled`);
    // NSESSS: a document is settled only inside a file
    if (!doc.file_id) throw new DomainError('DOCUMENT_NOT_IN_FILE', `document ${doc.jid} is not in a file`);
    const file = await lockFile(trx, doc.file_id);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${doc.file_id} does not exist`);
    requireFileAccess(actor, file);
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`);

    const now = ports.clock();
    const by = auditActor(actor);
    const note = input.note?.trim() || null;
    await trx('documents').where({ id: doc.id }).update({ state: 'settled', settled_at: now, settled_by: by, settlement_method: input.method, settlement_note: note });
    await trx('journal').where({ document_id: doc.id }).update({ state: 'settled', settled_at: now, settled_by: by, settlement_method: input.method, settlement_note: note });
    await appendAuditLog(trx, {
      actor: by, eventType: 'Vyrizeni', objectType: 'Dokument', objectId: doc.id, occurredAt: now,
      details: { jid: doc.jid, referenceNumber: doc.reference_number, method: input.method },
    });
    return { settled: true };
  });
}
