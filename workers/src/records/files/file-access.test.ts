import { randomUUID } from 'node:crypto';
import { createTestDb, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../records.model';
import { assertFileAccess, canAccessFile, scopeFilesToActor } from './file-access';

const actors: Record<string, Actor> = {
  podatelna: { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' },
  spisovna: { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' },
  posuzovatel: { username: 'posuzovatel', roles: ['posuzovatel'], orgUnit: 'KT' },
  admin: { username: 'admin', roles: ['admin'], orgUnit: null },
  referentOd: { username: 'referent', roles: ['referent'], orgUnit: 'OD' },
  vedouciOd: { username: 'vedouci', roles: ['vedouci', 'referent'], orgUnit: 'OD' },
  referentNoUnit: { username: 'novy', roles: ['referent'], orgUnit: null },
};

describe('who sees which file', () => {
  let db: Db;
  let close: () => Promise<void>;
  const ids: Record<'od' | 'kt' | 'ktShared' | 'none', string> = { od: randomUUID(), kt: randomUUID(), ktShared: randomUUID(), none: randomUUID() };

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const at = new Date('2026-11-30T09:00:00Z');
    let n = 0;
    for (const [key, unit] of [['od', 'OD'], ['kt', 'KT'], ['ktShared', 'KT'], ['none', null]] as const) {
      n += 1;
      await db('files').insert({ id: ids[key], file_reference: `MMKV/${n}/2026`, subject: key, state: 'open', kind: 'file', org_unit: unit, created_by: 'user:podatelna', created_at: at });
    }
    await db('file_shares').insert({ file_id: ids.ktShared, org_unit: 'OD', shared_by: 'user:vedouci', created_at: at });
  });
  afterAll(() => close());

  const visible = async (actor: Actor) => (await scopeFilesToActor(db('files'), actor).orderBy('subject').pluck('subject')).sort();

  it('shows files no unit handles only to the registry office and the records roles, never to referents or heads of units', async () => {
    for (const name of ['podatelna', 'spisovna', 'posuzovatel', 'admin']) expect(canAccessFile(actors[name], { org_unit: null }), name).toBe(true);
    for (const name of ['referentOd', 'vedouciOd', 'referentNoUnit']) expect(canAccessFile(actors[name], { org_unit: null }), name).toBe(false);
    await expect(assertFileAccess(db, actors.referentOd, { id: ids.none, org_unit: null })).rejects.toMatchObject({ code: 'FILE_ACCESS_DENIED' });
  });

  it('lists the same files the single check allows', async () => {
    expect(await visible(actors.podatelna)).toEqual(['none']);
    expect(await visible(actors.spisovna)).toEqual(['kt', 'ktShared', 'none', 'od']);
    expect(await visible(actors.admin)).toEqual(['kt', 'ktShared', 'none', 'od']);
    expect(await visible(actors.referentOd)).toEqual(['ktShared', 'od']);
    expect(await visible(actors.vedouciOd)).toEqual(['ktShared', 'od']);
    expect(await visible(actors.referentNoUnit)).toEqual([]);
    for (const actor of Object.values(actors)) {
      const shares = (id: string) => (id === ids.ktShared ? ['OD'] : []);
      const allowed = (['od', 'kt', 'ktShared', 'none'] as const).filter((k) => canAccessFile(actor, { org_unit: { od: 'OD', kt: 'KT', ktShared: 'KT', none: null }[k] }, shares(ids[k])));
      expect(allowed.sort(), actor.username).toEqual(await visible(actor));
    }
  });
});
