import { createTestDb, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import type { Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { searchJournal } from '../search/records-search.service';
import { assertFileAccess, canAccessFile } from './file-access';
import { shareFile, unshareFile } from './file-share.service';
import { registerRecord } from './register-record.service';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referentOsu: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
const vedouciOsu: Actor = { username: 'vedouci', roles: ['vedouci'], orgUnit: 'OSU' };
const referentOdp: Actor = { username: 'doprava', roles: ['referent'], orgUnit: 'ODP' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' };

describe('sharing a file with another unit', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  let fileId: string;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const now = new Date('2026-11-30T09:00:00Z');
    ports = { db, clock: () => now, config: testConfig() };
    await db('org_units').insert([{ code: 'OSU', name: 'Odbor správní' }, { code: 'ODP', name: 'Odbor dopravy' }]).onConflict('code').ignore();
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2026), { at: now }));
    await registerRecord(ports, podatelna, {
      direction: 'incoming', subject: 'Žádost o zábor chodníku', channel: 'post', classCode: '1.5', orgUnit: 'OSU', receivedAt: now,
      sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' },
    });
    fileId = (await db('journal').where({ subject: 'Žádost o zábor chodníku' }).first()).file_id;
  }, 120_000);
  afterAll(() => close());

  const sees = async (actor: Actor) => {
    const file = await db('files').where({ id: fileId }).first();
    const shares: string[] = await db('file_shares').where({ file_id: fileId }).pluck('org_unit');
    const checked = await assertFileAccess(db, actor, file).then(() => true, () => false);
    const found = (await searchJournal(db, actor, { subject: 'zabor' })).rows.map((r) => r.subject);
    expect(canAccessFile(actor, file, shares)).toBe(checked);
    expect(found).toEqual(checked ? ['Žádost o zábor chodníku'] : []);
    return checked;
  };
  const snapshot = async () => ({
    shares: await db('file_shares').where({ file_id: fileId }).orderBy('org_unit').select('org_unit', 'shared_by'),
    log: await db('audit_log').where({ object_id: fileId }).count({ n: '*' }).first(),
  });

  it('lets the other unit see the file after sharing and not after the share is withdrawn, each change logged once', async () => {
    expect(await sees(referentOdp)).toBe(false);
    const logBefore = Number((await snapshot()).log?.n);
    expect(await shareFile(ports, referentOsu, { fileId, orgUnit: 'ODP' })).toBe(true);
    expect(await shareFile(ports, vedouciOsu, { fileId, orgUnit: 'ODP' })).toBe(false);
    expect(await sees(referentOdp)).toBe(true);
    expect(await db('file_shares').where({ file_id: fileId }).select('org_unit', 'shared_by')).toEqual([{ org_unit: 'ODP', shared_by: 'user:referent' }]);
    const shared = await db('audit_log').where({ object_id: fileId }).orderBy('id', 'desc').first();
    expect(shared).toMatchObject({ event_type: 'Uprava', object_type: 'Spis', actor: 'user:referent' });
    expect(shared.details).toMatchObject({ sharedWith: 'ODP' });

    expect(await unshareFile(ports, vedouciOsu, { fileId, orgUnit: 'ODP' })).toBe(true);
    expect(await unshareFile(ports, vedouciOsu, { fileId, orgUnit: 'ODP' })).toBe(false);
    expect(await sees(referentOdp)).toBe(false);
    const withdrawn = await db('audit_log').where({ object_id: fileId }).orderBy('id', 'desc').first();
    expect(withdrawn).toMatchObject({ event_type: 'Uprava', object_type: 'Spis', actor: 'user:vedouci' });
    expect(withdrawn.details).toMatchObject({ unsharedFrom: 'ODP' });
    expect(Number((await snapshot()).log?.n)).toBe(logBefore + 2);
    expect(await sees(referentOsu)).toBe(true);
  });

  it('refuses other roles, a unit that only has the file shared, an unknown or the own unit, and changes nothing', async () => {
    await shareFile(ports, admin, { fileId, orgUnit: 'ODP' });
    const before = await snapshot();
    const refusals: [Actor, string, string][] = [
      [podatelna, 'KT', 'FORBIDDEN'],
      [spisovna, 'KT', 'FORBIDDEN'],
      [referentOdp, 'KT', 'FORBIDDEN'], // sees the file through the share only
      [referentOsu, 'XYZ', 'SHARE_UNIT_INVALID'],
      [referentOsu, '', 'SHARE_UNIT_INVALID'],
      [referentOsu, 'OSU', 'SHARE_OWN_UNIT'],
    ];
    for (const [actor, orgUnit, code] of refusals) {
      await expect(shareFile(ports, actor, { fileId, orgUnit }), `${actor.username} ${orgUnit}`).rejects.toMatchObject({ code });
    }
    for (const actor of [podatelna, spisovna, referentOdp]) {
      await expect(unshareFile(ports, actor, { fileId, orgUnit: 'ODP' }), actor.username).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    // a mistyped unit is not taken for a share already withdrawn
    for (const orgUnit of ['XYZ', '']) await expect(unshareFile(ports, referentOsu, { fileId, orgUnit }), orgUnit).rejects.toMatchObject({ code: 'SHARE_UNIT_INVALID' });
    await expect(shareFile(ports, admin, { fileId: '00000000-0000-4000-8000-000000000000', orgUnit: 'ODP' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await snapshot()).toEqual(before);
    expect(await sees(referentOdp)).toBe(true);
    expect(await unshareFile(ports, admin, { fileId, orgUnit: 'ODP' })).toBe(true);
  });

  it('npm run cli -- files share / unshare <fileReference> <unit>: the same change and log entry, said once; files list --shared-with; exit 1 on a refusal, 2 on bad usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config: testConfig(), clock: () => new Date('2026-11-30T10:00:00Z'), actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const cli = async (...argv: string[]) => {
      out.length = 0;
      err.length = 0;
      return runCli(COMMANDS, argv, ctx);
    };
    const ref: string = (await db('files').where({ id: fileId }).first()).file_reference;

    // share: the other unit sees the file, the change is logged as the back-office's is
    expect(await cli('files', 'share', ref, 'ODP')).toBe(0);
    expect(out).toEqual([`${ref}\tshared with ODP`]);
    expect(await sees(referentOdp)).toBe(true);
    const shared = await db('audit_log').where({ object_id: fileId }).orderBy('id', 'desc').first();
    expect(shared).toMatchObject({ event_type: 'Uprava', object_type: 'Spis', actor: 'system:cli:test' });
    expect(shared.details).toMatchObject({ sharedWith: 'ODP' });
    expect(await cli('files', 'share', ref, 'ODP')).toBe(0);
    expect(out).toEqual([`${ref}\tshared with ODP (no change)`]);

    // the list of the files shared with a unit, alone and with a state
    expect(await cli('files', 'list', '--shared-with', 'ODP')).toBe(0);
    expect(out).toEqual([ref]);
    expect(await cli('files', 'list', '--state', 'open', '--shared-with', 'ODP')).toBe(0);
    expect(out).toEqual([ref]);
    expect(await cli('files', 'list', '--shared-with', 'ODP', '--state', 'closed')).toBe(0);
    expect(out).toEqual([]);
    expect(await cli('files', 'list', '--shared-with', 'OSU')).toBe(0);
    expect(out).toEqual([]);

    // refusals and bad usage change nothing
    const before = await snapshot();
    const refused: [string[], string][] = [
      [['files', 'share', ref, 'XYZ'], 'SHARE_UNIT_INVALID'],
      [['files', 'share', ref, 'OSU'], 'SHARE_OWN_UNIT'],
      [['files', 'share', 'MMKV/404/2026', 'ODP'], 'FILE_NOT_FOUND'],
      [['files', 'unshare', ref, 'XYZ'], 'SHARE_UNIT_INVALID'],
      [['files', 'unshare', 'MMKV/404/2026', 'ODP'], 'FILE_NOT_FOUND'],
      [['files', 'list', '--shared-with', 'XYZ'], 'SHARE_UNIT_INVALID'],
    ];
    for (const [argv, code] of refused) {
      expect(await cli(...argv), argv.join(' ')).toBe(1);
      expect(err, argv.join(' ')).toEqual([expect.stringMatching(new RegExp(`^${code}: `))]);
    }
    for (const argv of [['files', 'share', ref], ['files', 'share', ref, 'ODP', 'KT'], ['files', 'unshare'], ['files', 'unshare', ref, '--unit'], ['files', 'list', '--shared-with'], ['files', 'list', '--shared-with', 'ODP', '--shared-with', 'KT']]) {
      expect(await cli(...argv), argv.join(' ')).toBe(2);
      expect(err[0], argv.join(' ')).toMatch(/^usage: npm run cli -- files (share|unshare|list) /);
    }
    expect(await snapshot()).toEqual(before);

    // unshare: once, then no change
    expect(await cli('files', 'unshare', ref, 'ODP')).toBe(0);
    expect(out).toEqual([`${ref}\tnot shared with ODP`]);
    expect(await sees(referentOdp)).toBe(false);
    const withdrawn = await db('audit_log').where({ object_id: fileId }).orderBy('id', 'desc').first();
    expect(withdrawn).toMatchObject({ event_type: 'Uprava', object_type: 'Spis', actor: 'system:cli:test' });
    expect(withdrawn.details).toMatchObject({ unsharedFrom: 'ODP' });
    expect(await cli('files', 'unshare', ref, 'ODP')).toBe(0);
    expect(out).toEqual([`${ref}\tnot shared with ODP (no change)`]);
    expect(await cli('files', 'list', '--shared-with', 'ODP')).toBe(0);
    expect(out).toEqual([]);
  });
});
