import { DomainError } from '../../shared/domain-error';
import type { Actor, CaseFileRow, RecordsRole } from '../records.model';

/** Refuses an actor without one of the roles; `admin` may do everything. */
export function requireRole(actor: Actor, roles: readonly RecordsRole[]): void {
  if (actor.roles.includes('admin') || roles.some((r) => actor.roles.includes(r))) return;
  throw new DomainError('FORBIDDEN', `${actor.username} needs one of the roles ${roles.join(', ')}`);
}

/** Handlers see the files of their own organisational unit; the records centre and admins see all. */
export function requireFileAccess(actor: Actor, file: Pick<CaseFileRow, 'org_unit' | 'owner'>): void {
  if (actor.roles.includes('admin') || actor.roles.includes('spisovna') || actor.username.startsWith('system:')) return;
  if (file.owner === actor.username) return;
  if (file.org_unit && file.org_unit === actor.orgUnit) return;
  if (!file.org_unit) return; // files created before units were assigned belong to everybody in the office
  throw new DomainError('FORBIDDEN', `${actor.username} has no access to this file`);
}

/** The creator as stored (`user:<name>`, a bare name or `system:*`) compared with the actor. */
export function isCreator(actor: Actor, createdBy: string | null): boolean {
  if (!createdBy) return false;
  return createdBy === actor.username || createdBy === `user:${actor.username}`;
}
