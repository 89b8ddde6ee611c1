import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord, seedRecordsDemo } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

let t: Awaited<ReturnType<typeof createTestServer>>;
let osuFile = '';
let odpFile = '';

const signInAs = (username: string) => signIn(t.callback, username);

beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  osuFile = (await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o územní rozhodnutí', channel: 'post', classCode: '5.2', orgUnit: 'OSU', sender: { kind: 'person', givenName: 'Ölga', familyName: 'Šťastná' } })).fileId;
  odpFile = (await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'post', classCode: '7.4', orgUnit: 'ODP' })).fileId;
});
afterAll(() => t.close());

describe('records screens', () => {
  it('search the journal by subject and sender without accents, in three languages', async () => {
    const cookie = await signInAs('referent');
    const cs = await request(t.callback).get('/records/journal?subject=uzemni&sender=stastna').set('Cookie', cookie).expect(200);
    expect(cs.text).toContain('Žádost o územní rozhodnutí');
    expect(cs.text).toContain('Podací deník');
    expect(cs.text).not.toContain('Výtluk na silnici');
    const en = await request(t.callback).get('/records/journal?lang=en').set('Cookie', cookie).expect(200);
    expect(en.text).toContain('Registry journal');
    const uk = await request(t.callback).get('/records/files?lang=uk').set('Cookie', cookie).expect(200);
    expect(uk.text).toContain('Справи');
  });

  it('limits files to the user\'s unit and logs who displayed a file', async () => {
    const referent = await signInAs('referent'); // unit OSU
    const list = await request(t.callback).get('/records/files').set('Cookie', referent).expect(200);
    expect(list.text).toContain('Žádost o územní rozhodnutí');
    expect(list.text).not.toContain('Výtluk na silnici');
    const detail = await request(t.callback).get(`/records/files/${osuFile}`).set('Cookie', referent).expect(200);
    expect(detail.text).toContain('Sběrný arch');
    await request(t.callback).get(`/records/files/${odpFile}`).set('Cookie', referent).expect(403);
    const views = await t.db('audit_log').where({ event_type: 'Zobrazeni', object_id: osuFile }).pluck('actor');
    expect(views).toEqual(['user:referent']);
    // the records manager sees every unit's files
    await request(t.callback).get(`/records/files/${odpFile}`).set('Cookie', await signInAs('spisovna')).expect(200);
  });

  it('sends anonymous visitors to the login and rejects bad input', async () => {
    const res = await request(t.callback).get('/records/journal').expect(302);
    expect(res.headers.location).toBe('/login?next=%2Frecords%2Fjournal');
    await request(t.callback).get('/records/journal?from=yesterday').set('Cookie', await signInAs('referent')).expect(400);
  });
});
