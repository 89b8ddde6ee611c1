import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { requireRole } from './access';
import { lockFile } from './lifecycle.repository';
import { carryToVolumeFiles } from './volume-unit';

/**
 * States in which a hold can still stop a disposal: any state before the file is transferred or
 * destroyed. A file in the disposal procedure leaves its proposal when it is held.
 */
export const HOLDABLE_STATES: readonly string[] = ['open', 'closed', 'in-records-centre', 'in-disposal'];

/**
 * A held file in the disposal procedure leaves its proposal: the proposal's row stays, marked
 * withdrawn with the reason (VyjmutiZeSkartacnihoNavrhu), and the file returns to the records
 * centre. When the archive's decision on it comes later, it is not carried out while the hold lasts.
 */
async function withdrawFromProposal(trx: Knex.Transaction, file: CaseFileRow, by: string, now: Date, reason: string): Promise<void> {
  const row = await trx('disposal_proposal_files as pf').join('disposal_proposals as p', 'p.id', 'pf.proposal_id')
    .where('pf.file_id', file.id).whereNull('pf.withdrawn_at').whereNull('pf.operation').first('pf.proposal_id', 'p.identifier');
  if (row) {
    await trx('disposal_proposal_files').where({ proposal_id: row.proposal_id, file_id: file.id })
      .update({ withdrawn_at: now, withdrawn_by: by, withdrawn_reason: reason });
  }
  await trx('files').where({ id: file.id }).update({ state: 'in-records-centre' });
  await carryToVolumeFiles(trx, file, { state: 'in-records-centre' });
  await appendAuditLog(trx, {
    actor: by, eventType: 'VyjmutiZeSkartacnihoNavrhu', objectType: 'Spis', objectId: file.id, occurredAt: now,
    details: { fileReference: file.file_reference, proposal: row?.identifier ?? null, reason },
  });
}

/**
 * Pozastavení skartační operace (a disposal or legal hold), possible at any point before the file
 * is transferred or destroyed: a held file is left out of disposal proposals, taken out of the
 * proposal it is in, and no archive decision is carried out on it until the hold is lifted.
 * Placing it needs a reason; both are logged on the file (PozastaveniSkartacniOperace,
 * ZruseniPozastaveniSkartacniOperace). Placing a hold twice, or lifting one that is not there,
 * changes nothing.
 */
export async function setDisposalHold(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileId: string; hold: boolean; reason?: string | null },
): Promise<{ changed: boolean; fileReference: string; withdrawnFromProposal?: boolean }> {
  requireRole(actor, ['spisovna']);
  const reason = input.reason?.trim() ?? '';
  if (input.hold && !reason) throw new DomainError('HOLD_REASON_REQUIRED', 'a disposal hold needs a reason');
  if (reason.length > 500) throw new DomainError('HOLD_REASON_TOO_LONG', 'the reason of a disposal hold has at most 500 characters');
  return ports.db.transaction(async (trx) => {
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    if (file.disposal_hold === input.hold) return { changed: false, fileReference: file.file_reference };
    if (input.hold && !HOLDABLE_STATES.includes(file.state)) throw new DomainError('HOLD_STATE', `file ${file.file_reference} is ${file.state}`, 'business');
    const now = ports.clock();
    const by = auditActor(actor);
    const withdraw = input.hold && file.state === 'in-disposal';
    if (withdraw) await withdrawFromProposal(trx, file, by, now, reason);
    await trx('files').where({ id: file.id }).update(input.hold
      ? { disposal_hold: true, disposal_hold_reason: reason, disposal_hold_by: by, disposal_hold_at: now }
      : { disposal_hold: false, disposal_hold_reason: null, disposal_hold_by: null, disposal_hold_at: null });
    await appendAuditLog(trx, {
      actor: by, eventType: input.hold ? 'PozastaveniSkartacniOperace' : 'ZruseniPozastaveniSkartacniOperace', objectType: 'Spis', objectId: file.id, occurredAt: now,
      details: { fileReference: file.file_reference, ...(input.hold ? { reason } : reason ? { reason } : { heldSince: file.disposal_hold_at ?? null }) },
    });
    return { changed: true, fileReference: file.file_reference, ...(withdraw ? { withdrawnFromProposal: true } : {}) };
  });
}
