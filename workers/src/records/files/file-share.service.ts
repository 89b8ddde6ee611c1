import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { lockFile } from '../disposal/lifecycle.repository';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';

/** Who shares a file: the administrator, or a head of unit or referent of the unit that handles it (not one it is shared with). */
const SHARERS: readonly string[] = ['vedouci', 'referent'];

/** Whether the actor may share the file with other units or withdraw its shares (see SHARERS). */
export function mayShareFile(actor: Actor, file: Pick<CaseFileRow, 'org_unit'>): boolean {
  if (actor.roles.includes('admin')) return true;
  return actor.roles.some((r) => SHARERS.includes(r)) && Boolean(file.org_unit) && file.org_unit === actor.orgUnit;
}

export interface FileShareInput {
  fileId: string;
  orgUnit: string;
}

async function lockForSharing(trx: Knex.Transaction, actor: Actor, input: FileShareInput): Promise<CaseFileRow> {
  const file = await lockFile(trx, input.fileId);
  if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
  if (!mayShareFile(actor, file)) throw new DomainError('FORBIDDEN', `${actor.username} may not share file ${file.id}`);
  return file;
}

/**
 * Shares a file with another organisational unit (nahlížení jiného útvaru): its referents and heads
 * then see the file as their own unit's (see file-access.ts). Sharing it again changes nothing. The
 * share is logged as `Uprava` of the `Spis` in the same transaction. Returns whether it was new.
 */
export async function shareFile(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: FileShareInput): Promise<boolean> {
  const orgUnit = input.orgUnit?.trim() ?? '';
  return ports.db.transaction(async (trx) => {
    const file = await lockForSharing(trx, actor, input);
    if (!orgUnit || !(await trx('org_units').where({ code: orgUnit }).first())) throw new DomainError('SHARE_UNIT_INVALID', 'no such organisational unit');
    if (orgUnit === file.org_unit) throw new DomainError('SHARE_OWN_UNIT', `file ${file.id} already belongs to ${orgUnit}`);
    if (await trx('file_shares').where({ file_id: file.id, org_unit: orgUnit }).first()) return false;
    const now = ports.clock();
    const by = auditActor(actor);
    await trx('file_shares').insert({ file_id: file.id, org_unit: orgUnit, shared_by: by, created_at: now });
    await appendAuditLog(trx, { actor: by, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now, details: { sharedWith: orgUnit } });
    return true;
  });
}

/**
 * Withdraws a file's share with a unit; withdrawing one that does not exist changes nothing (a unit
 * that does not exist either is refused, so a mistyped code is not taken for done). Logged as
 * `Uprava` of the `Spis`.
 */
export async function unshareFile(ports: Pick<WorkerPorts, 'db' | 'clock'>, actor: Actor, input: FileShareInput): Promise<boolean> {
  const orgUnit = input.orgUnit?.trim() ?? '';
  return ports.db.transaction(async (trx) => {
    const file = await lockForSharing(trx, actor, input);
    if (!(await trx('file_shares').where({ file_id: file.id, org_unit: orgUnit }).first())) {
      if (!orgUnit || !(await trx('org_units').where({ code: orgUnit }).first())) throw new DomainError('SHARE_UNIT_INVALID', 'no such organisational unit');
      return false;
    }
    await trx('file_shares').where({ file_id: file.id, org_unit: orgUnit }).del();
    const now = ports.clock();
    await appendAuditLog(trx, { actor: auditActor(actor), eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now, details: { unsharedFrom: orgUnit } });
    return true;
  });
}
