import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor } from '../records.model';
import { requireRole } from './access';
import { lockFile } from './lifecycle.repository';

/** States in which a hold can still stop a disposal: the file is not yet in a proposal nor disposed of. */
const HOLDABLE = ['open', 'closed', 'in-records-centre'];

/**
 * Pozastavení skartační operace (a disposal or legal hold): a held file is left out of disposal
 * proposals until the hold is lifted. Placing it needs a reason; both are logged on the file
 * (PozastaveniSkartacniOperace, ZruseniPozastaveniSkartacniOperace). Placing a hold twice, or
 * lifting one that is not there, changes nothing.
 */
export async function setDisposalHold(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileId: string; hold: boolean; reason?: string | null },
): Promise<{ changed: boolean; fileReference: string }> {
  requireRole(actor, ['spisovna']);
  const reason = input.reason?.trim() ?? '';
  if (input.hold && !reason) throw new DomainError('HOLD_REASON_REQUIRED', 'a disposal hold needs a reason');
  if (reason.length > 500) throw new DomainError('HOLD_REASON_TOO_LONG', 'the reason of a disposal hold has at most 500 characters');
  return ports.db.transaction(async (trx) => {
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    if (file.disposal_hold === input.hold) return { changed: false, fileReference: file.file_reference };
    if (input.hold && !HOLDABLE.includes(file.state)) throw new DomainError('HOLD_STATE', `file ${file.file_reference} is ${file.state}`, 'business');
    const now = ports.clock();
    const by = auditActor(actor);
    await trx('files').where({ id: file.id }).update(input.hold
      ? { disposal_hold: true, disposal_hold_reason: reason, disposal_hold_by: by, disposal_hold_at: now }
      : { disposal_hold: false, disposal_hold_reason: null, disposal_hold_by: null, disposal_hold_at: null });
    await appendAuditLog(trx, {
      actor: by, eventType: input.hold ? 'PozastaveniSkartacniOperace' : 'ZruseniPozastaveniSkartacniOperace', objectType: 'Spis', objectId: file.id, occurredAt: now,
      details: { fileReference: file.file_reference, ...(input.hold ? { reason } : reason ? { reason } : { heldSince: (file as { disposal_hold_at?: Date | null }).disposal_hold_at ?? null }) },
    });
    return { changed: true, fileReference: file.file_reference };
  });
}
