import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { Actor, CaseFileRow, RecordsRole } from '../records.model';

/** Roles that see files of every organisational unit. */
const ALL_UNITS: readonly string[] = ['admin', 'spisovna', 'posuzovatel'];
/**
 * Roles that see files no unit handles yet (e.g. a document just registered by the registry
 * office): those that work for the whole office. Referents and heads of units see only their unit's
 * files and those shared with it — never another unit's work because it lacks a unit.
 */
const UNASSIGNED: readonly string[] = [...ALL_UNITS, 'podatelna'];

const seesAllUnits = (actor: Actor) => actor.roles.some((r) => ALL_UNITS.includes(r)) || actor.username.startsWith('system:');
const seesUnassigned = (actor: Actor) => actor.roles.some((r) => UNASSIGNED.includes(r));

export function hasRole(actor: Actor, roles: readonly RecordsRole[]): boolean {
  return actor.roles.some((r) => (roles as readonly string[]).includes(r));
}

export function assertRole(actor: Actor, roles: readonly RecordsRole[]): void {
  if (!hasRole(actor, roles)) throw new DomainError('FORBIDDEN', `${actor.username} lacks one of the roles ${roles.join(', ')}`);
}

/**
 * Whether the actor may see the file: their own unit's files and files shared with it; every file
 * for records roles; files with no unit only for the registry office and records roles.
 */
export function canAccessFile(actor: Actor, file: Pick<CaseFileRow, 'org_unit'>, sharedWith: readonly string[] = []): boolean {
  if (seesAllUnits(actor)) return true;
  if (!file.org_unit) return seesUnassigned(actor);
  if (!actor.orgUnit) return false;
  return file.org_unit === actor.orgUnit || sharedWith.includes(actor.orgUnit);
}

export async function assertFileAccess(db: Knex, actor: Actor, file: Pick<CaseFileRow, 'id' | 'org_unit'>): Promise<void> {
  const shares: string[] = (await db('file_shares').where({ file_id: file.id }).select('org_unit')).map((r) => r.org_unit);
  if (!canAccessFile(actor, file, shares)) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not access file ${file.id}`);
}

/**
 * Restricts rows carrying a unit (`unitColumn`; their file's id in `fileIdColumn`) to the actor's
 * unit and the files shared with it — what a referent or head of a unit sees; nothing for an actor
 * with no unit, and never rows with no unit. Callers let the roles that see more through first.
 */
export function whereOwnUnit(q: Knex.QueryBuilder, actor: Actor, unitColumn: string, fileIdColumn: string): Knex.QueryBuilder {
  if (!actor.orgUnit) return q.whereRaw('false');
  return q.where((w) =>
    w.where(unitColumn, actor.orgUnit).orWhereExists((s) =>
      s.select(1).from('file_shares as fs').whereRaw(`fs.file_id = ${fileIdColumn}`).andWhere('fs.org_unit', actor.orgUnit),
    ),
  );
}

/** Restricts a query on `files` (aliased `alias`) to what the actor may see. */
export function scopeFilesToActor(q: Knex.QueryBuilder, actor: Actor, alias = 'files'): Knex.QueryBuilder {
  if (seesAllUnits(actor)) return q;
  if (!seesUnassigned(actor)) return whereOwnUnit(q, actor, `${alias}.org_unit`, `${alias}.id`);
  return q.where((w) => {
    w.whereNull(`${alias}.org_unit`);
    if (actor.orgUnit) w.orWhere((own) => whereOwnUnit(own, actor, `${alias}.org_unit`, `${alias}.id`));
  });
}
