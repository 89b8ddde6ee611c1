import type { Knex } from 'knex';

/** Roles whose holders may handle (zpracovávat) files and documents. */
export const HANDLER_ROLES: readonly string[] = ['referent', 'vedouci'];

export interface EligibleHandler {
  username: string;
  name: string;
}

/** The active users of the unit with a role that handles files, by name: who a file of the unit may be assigned to. */
export async function eligibleHandlers(db: Knex | Knex.Transaction, orgUnit: string | null): Promise<EligibleHandler[]> {
  if (!orgUnit) return [];
  return db('users as u')
    .where({ 'u.active': true, 'u.org_unit': orgUnit })
    .whereExists((q) => q.select(1).from('user_roles as r').whereRaw('r.user_id = u.id').whereIn('r.role', HANDLER_ROLES))
    .orderBy(['u.display_name', 'u.username'])
    .select('u.username', 'u.display_name as name');
}

/** The file's documents that are still being worked on (not settled, dispatched or cancelled), locked, in file order. */
export async function lockUnsettledDocuments(trx: Knex.Transaction, fileId: string): Promise<{ id: string; handler: string | null }[]> {
  return trx('documents').where({ file_id: fileId }).whereIn('state', ['registered', 'created']).orderBy([{ column: 'order_in_file' }, { column: 'id' }]).forUpdate().select('id', 'handler');
}
