import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** a file of OSU, the unit of the demo logins referent and vedouci */
let own: RegisterRecordResult;
/** a file of ODP */
let foreign: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const sharesOf = async (fileId: string) => (await t.db('file_shares').where({ file_id: fileId }).orderBy('org_unit').pluck('org_unit')) as string[];
const shareLog = async (fileId: string) =>
  (await t.db('audit_log').where({ object_id: fileId, event_type: 'Uprava', object_type: 'Spis' }).orderBy('id')).map((r) => ({
    actor: r.actor, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
  }));

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'vedouci', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-share-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  own = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o společné stanovisko', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU' });
  foreign = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Uzavírka silnice', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP' });
}, 180_000);
afterAll(() => t.close());

describe('sharing a file with another unit from the file page', () => {
  it('offers the form to the file\'s own unit and the administrator only, with the other units to choose from', async () => {
    const referent = (await get('referent', `/records/files/${own.fileId}`).expect(200)).text;
    expect(referent).toContain(`action="/records/files/${own.fileId}/share"`);
    expect(referent).toContain('<option value="ODP">ODP – Odbor dopravy</option>');
    expect(referent).not.toContain('<option value="OSU">'); // the file's own unit
    expect(referent).toContain('Spis není sdílen s žádným jiným útvarem.');
    for (const user of ['spisovna', 'podatelna']) {
      const page = await get(user, `/records/files/${own.fileId}`);
      expect(page.text, user).not.toContain('/share"');
    }
    expect((await get('admin', `/records/files/${foreign.fileId}`).expect(200)).text).toContain(`action="/records/files/${foreign.fileId}/share"`);
  });

  it('shares and withdraws: the other unit sees the file only while it is shared, each change logged once', async () => {
    await get('referent', `/records/files/${foreign.fileId}`).expect(403);
    const shared = await post('admin', `/records/files/${foreign.fileId}/share`).send({ orgUnit: 'OSU' }).expect(303);
    expect(shared.headers.location).toBe(`/records/files/${foreign.fileId}?done=shared#share-heading`);
    await post('admin', `/records/files/${foreign.fileId}/share`).send({ orgUnit: 'OSU' }).expect(303); // again: nothing changes
    expect(await sharesOf(foreign.fileId)).toEqual(['OSU']);
    const page = (await get('admin', `/records/files/${foreign.fileId}?done=shared`).expect(200)).text;
    expect(page).toContain('Spis je sdílen s útvarem.');
    expect(page).toContain('Zrušit sdílení s OSU');
    // the referent of OSU now sees the file, but may not share it further: it is not their unit's
    const referent = (await get('referent', `/records/files/${foreign.fileId}`).expect(200)).text;
    expect(referent).not.toContain('/share"');
    expect(referent).not.toContain('/unshare"');
    await post('referent', `/records/files/${foreign.fileId}/share`).send({ orgUnit: 'OZP' }).expect(403);
    await post('referent', `/records/files/${foreign.fileId}/unshare`).send({ orgUnit: 'OSU' }).expect(403);
    expect(await sharesOf(foreign.fileId)).toEqual(['OSU']);

    const withdrawn = await post('admin', `/records/files/${foreign.fileId}/unshare`).send({ orgUnit: 'OSU' }).expect(303);
    expect(withdrawn.headers.location).toBe(`/records/files/${foreign.fileId}?done=unshared#share-heading`);
    await post('admin', `/records/files/${foreign.fileId}/unshare`).send({ orgUnit: 'OSU' }).expect(303);
    expect(await sharesOf(foreign.fileId)).toEqual([]);
    await get('referent', `/records/files/${foreign.fileId}`).expect(403);
    expect(await shareLog(foreign.fileId)).toEqual([
      { actor: 'user:admin', details: expect.objectContaining({ sharedWith: 'OSU' }) },
      { actor: 'user:admin', details: expect.objectContaining({ unsharedFrom: 'OSU' }) },
    ]);
  });

  it('lets the head of the file\'s unit share it and withdraw the share', async () => {
    await post('vedouci', `/records/files/${own.fileId}/share`).send({ orgUnit: 'ODP' }).expect(303);
    expect(await sharesOf(own.fileId)).toEqual(['ODP']);
    const page = (await get('referent', `/records/files/${own.fileId}`).expect(200)).text;
    expect(page).toContain(`action="/records/files/${own.fileId}/unshare"`);
    expect(page).not.toContain('<option value="ODP">'); // already shared
    await post('referent', `/records/files/${own.fileId}/unshare`).send({ orgUnit: 'ODP' }).expect(303);
    expect(await sharesOf(own.fileId)).toEqual([]);
  });

  it('shows bad input again with an error summary, refuses other roles and sites; nothing changes', async () => {
    const before = await shareLog(own.fileId);
    const none = await post('referent', `/records/files/${own.fileId}/share`).send({ orgUnit: '' }).expect(400);
    expect(none.text).toContain('<h2 id="error-summary-title">Sdílení spisu nelze změnit</h2>');
    expect(none.text).toContain('<a href="#share-unit">Zvolte organizační útvar.</a>');
    expect(none.text).toMatch(/id="share-unit-error"><span class="visually-hidden">Chyba: <\/span>Zvolte organizační útvar\./);
    expect(none.text).toContain('aria-describedby="share-hint share-unit-error" aria-invalid="true"');
    const unknown = await post('referent', `/records/files/${own.fileId}/share`).send({ orgUnit: 'XYZ' }).expect(400);
    expect(unknown.text).toContain('Takový organizační útvar neexistuje.');
    const ownUnit = await post('referent', `/records/files/${own.fileId}/share?lang=en`).send({ orgUnit: 'OSU' }).expect(400);
    expect(ownUnit.text).toContain('it can only be shared with another unit');
    const uk = await post('referent', `/records/files/${own.fileId}/share?lang=uk`).send({}).expect(400);
    expect(uk.text).toContain('Виберіть організаційний підрозділ.');

    await post('spisovna', `/records/files/${own.fileId}/share`).send({ orgUnit: 'ODP' }).expect(403);
    await post('podatelna', `/records/files/${own.fileId}/share`).send({ orgUnit: 'ODP' }).expect(403);
    await post('referent', `/records/files/${foreign.fileId}/share`).send({ orgUnit: 'OZP' }).expect(403); // another unit's file
    await request(t.callback).post(`/records/files/${own.fileId}/share`).set('Cookie', cookies.referent).set('Origin', 'https://evil.example').type('form').send({ orgUnit: 'ODP' }).expect(403);
    expect((await post('referent', `/records/files/${own.fileId}/share`).send({ orgUnit: 'x'.repeat(20_000) }).expect(413)).text).toContain('Formulář je příliš velký');
    await post('referent', '/records/files/not-a-uuid/share').send({ orgUnit: 'ODP' }).expect(404);

    expect(await sharesOf(own.fileId)).toEqual([]);
    expect(await sharesOf(foreign.fileId)).toEqual([]);
    expect(await shareLog(own.fileId)).toEqual(before);
  });
});
