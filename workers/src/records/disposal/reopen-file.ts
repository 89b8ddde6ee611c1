import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor } from '../records.model';
import { requireFileAccess, requireRole } from './access';
import { lockFile } from './lifecycle.repository';

/**
 * Reopens (otevření) a closed file that has not yet gone to the records centre. The reason and the
 * closure it undoes are recorded in the transaction log; the disposal dates are recomputed at the
 * next closure.
 */
export async function reopenFile(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileId: string; reason: string },
): Promise<void> {
  requireRole(actor, ['vedouci', 'referent']);
  const reason = input.reason?.trim();
  if (!reason) throw new DomainError('REASON_REQUIRED', 'reopening a file needs a reason');
  await ports.db.transaction(async (trx) => {
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    requireFileAccess(actor, file);
    if (file.state !== 'closed') throw new DomainError('FILE_NOT_CLOSED', `file ${file.file_reference} is ${file.state}`);
    if (file.kind !== 'file') throw new DomainError('FILE_KIND_CLOSES_ELSEWHERE', `${file.file_reference} is a ${file.kind}; it reopens by reopenVolume or reopenTypedFile`);
    // a file in a volume (díl) reopens only while its volume is open: a closed volume keeps what it
    // closed with (closeVolume locks the volume, then its files, so it waits for this file's lock and sees it reopened)
    const volume = file.volume_id ? await trx('files').where({ id: file.volume_id }).first('file_reference', 'state') : null;
    if (volume && volume.state !== 'open') throw new DomainError('VOLUME_CLOSED', `volume ${volume.file_reference} of file ${file.file_reference} is ${volume.state}`, 'business');
    const now = ports.clock();
    await trx('files').where({ id: file.id }).update({ state: 'open', reopened_at: now, closed_at: null, closed_by: null, trigger_date: null, disposal_year: null });
    await appendAuditLog(trx, {
      actor: auditActor(actor), eventType: 'Otevreni', objectType: 'Spis', objectId: file.id, occurredAt: now,
      details: { fileReference: file.file_reference, reason, closedAt: file.closed_at ? new Date(file.closed_at).toISOString() : null, closedBy: file.closed_by },
    });
  });
}
