import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { assertFileAccess, assertRole } from './file-access';
import { checkDocumentTarget } from './volume-file.service';

/**
 * Moves an unsettled document to another open file. The document keeps its JID and reference
 * number; it takes the next order in the target file; the move is kept in `document_file_moves`
 * and logged as VyjmutiZeSpisu + VlozeniDoSpisu. A file left empty is cancelled (storno).
 */
export async function moveDocument(ports: Pick<RecordsPorts, 'db' | 'clock'>, actor: Actor, input: { documentId: string; toFileId: string; reason: string }): Promise<{ order: number }> {
  assertRole(actor, ['referent', 'vedouci', 'podatelna', 'admin']);
  if (!input.reason.trim()) throw new DomainError('MOVE_REASON_REQUIRED', 'moving a document needs a reason');
  const { db, clock } = ports;
  const now = clock();
  return db.transaction(async (trx) => {
    const doc = await trx('documents').where({ id: input.documentId }).forUpdate().first();
    if (!doc) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    if (doc.file_id === input.toFileId) throw new DomainError('DOCUMENT_ALREADY_IN_FILE', 'the document is already in that file');
    if (doc.state === 'settled' || doc.state === 'cancelled') throw new DomainError('DOCUMENT_SETTLED', `document ${doc.jid} is ${doc.state}`, 'business');
    // lock both files in a fixed order so two opposite moves cannot deadlock
    const ids = [doc.file_id, input.toFileId].filter(Boolean).sort();
    const files: CaseFileRow[] = await trx('files').whereIn('id', ids).orderBy('id').forUpdate();
    const from = files.find((f) => f.id === doc.file_id);
    const to = files.find((f) => f.id === input.toFileId);
    if (!to) throw new DomainError('FILE_NOT_FOUND', `file ${input.toFileId} does not exist`);
    if (to.state !== 'open' || (from && from.state !== 'open')) throw new DomainError('FILE_NOT_OPEN', 'both files must be open', 'business');
    checkDocumentTarget(to, now);
    await assertFileAccess(trx, actor, to);
    if (from) await assertFileAccess(trx, actor, from);

    const order = to.last_order + 1;
    await trx('files').where({ id: to.id }).update({ last_order: order });
    await trx('documents').where({ id: doc.id }).update({ file_id: to.id, order_in_file: order, org_unit: to.org_unit, disposal_code: to.disposal_code, retention_years: to.retention_years, trigger_event: to.trigger_event });
    await trx('journal').where({ document_id: doc.id }).update({ file_id: to.id, file_reference: to.file_reference, class_code: to.class_code, disposal_code: to.disposal_code, retention_years: to.retention_years });
    await trx('document_file_moves').insert({ document_id: doc.id, from_file_id: from?.id ?? null, to_file_id: to.id, from_order: doc.order_in_file, to_order: order, reason: input.reason, moved_by: auditActor(actor), moved_at: now });
    const a = auditActor(actor);
    if (from) {
      await appendAuditLog(trx, { actor: a, eventType: 'VyjmutiZeSpisu', objectType: 'Dokument', objectId: doc.id, details: { fileId: from.id, fileReference: from.file_reference, reason: input.reason }, occurredAt: now });
      const [{ n }] = await trx('documents').where({ file_id: from.id }).count({ n: '*' });
      if (Number(n) === 0) {
        await trx('files').where({ id: from.id }).update({ state: 'cancelled', cancelled_at: now, cancelled_by: a });
        await appendAuditLog(trx, { actor: a, eventType: 'Storno', objectType: 'Spis', objectId: from.id, details: { reason: 'empty after move' }, occurredAt: now });
      }
    }
    await appendAuditLog(trx, { actor: a, eventType: 'VlozeniDoSpisu', objectType: 'Dokument', objectId: doc.id, details: { fileId: to.id, fileReference: to.file_reference, order }, occurredAt: now });
    return { order };
  });
}
