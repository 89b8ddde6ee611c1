import type { Knex } from 'knex';
import { hashPassword } from '../clerk/auth.service';

/** The demo accounts of docs/contracts.md (password `demo`). Roles are the engine's candidate groups. */
export const DEMO_USERS = [
  { username: 'podatelna', displayName: 'Petra Podatelná', roles: ['podatelna'], orgUnit: 'POD' },
  { username: 'referent', displayName: 'Radek Referent', roles: ['referent'], orgUnit: 'OSU' },
  // the Kancelář tajemníka handles the general submissions (processes/general-submission/catalogue.json: filing)
  { username: 'kancelar', displayName: 'Karel Kancelář', roles: ['referent'], orgUnit: 'KT' },
  { username: 'vedouci', displayName: 'Věra Vedoucí', roles: ['vedouci', 'referent'], orgUnit: 'OSU' },
  // the referents of the other units, who handle the records demo's matters there (workers/src/records/demo/demo-data.ts)
  { username: 'kucera', displayName: 'Jan Kučera', roles: ['referent'], orgUnit: 'ODP' },
  { username: 'markova', displayName: 'Lenka Marková', roles: ['referent'], orgUnit: 'OZP' },
  { username: 'horakova', displayName: 'Ivana Horáková', roles: ['referent'], orgUnit: 'OSV' },
  { username: 'spisovna', displayName: 'Sára Spisovna', roles: ['spisovna'], orgUnit: 'KT' },
  { username: 'posuzovatel', displayName: 'Pavel Posuzovatel', roles: ['posuzovatel'], orgUnit: 'KT' },
  { username: 'admin', displayName: 'Adam Správce', roles: ['admin'], orgUnit: null },
] as const;
export const DEMO_PASSWORD = 'demo';

/** Seeds the demo users when the users table is empty; returns whether it did. */
export async function seedDemoUsers(db: Knex): Promise<boolean> {
  const hashed = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (trx) => {
    const [{ n }] = await trx('users').count({ n: '*' });
    if (Number(n) > 0) return false;
    for (const u of DEMO_USERS) {
      const [{ id }] = await trx('users').insert({ username: u.username, display_name: u.displayName, password_hash: hashed, org_unit: u.orgUnit }).returning('id');
      await trx('user_roles').insert(u.roles.map((role) => ({ user_id: id, role })));
    }
    return true;
  });
}
