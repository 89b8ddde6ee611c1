import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

let t: Awaited<ReturnType<typeof createTestServer>>;

beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
});
afterAll(() => t.close());

const signInAs = (username: string) => signIn(t.callback, username);

describe('document template preview', () => {
  it('lists the templates and shows the decision with its fixture data, escaped, in the clerk’s language', async () => {
    const cookie = await signInAs('referent');
    const list = await request(t.callback).get('/templates').set('Cookie', cookie).expect(200);
    expect(list.text).toContain('href="/templates/decision"');
    expect(list.text).toContain('href="/templates/general-submission-answer"');

    const cs = await request(t.callback).get('/templates/decision').set('Cookie', cookie).expect(200);
    expect(cs.text).toContain('ROZHODNUTÍ');
    expect(cs.text).toContain('Poučení o odvolání');
    expect(cs.text).toContain('JID: MMKV-0000000123');
    expect(cs.text).toContain('Sp. zn. S-MMKV/45/2027');
    expect(cs.text).toContain('zábor 18 m²');
    expect(cs.text).toContain('1. Po dobu záboru bude zachován průchod');

    const en = await request(t.callback).get('/templates/decision?lang=en').set('Cookie', cookie).expect(200);
    expect(en.text).toContain('Instruction on appeal');
  });

  it('is for clerks who draft documents: others get 403, strangers go to the login, unknown templates 404', async () => {
    await request(t.callback).get('/templates/decision').expect(302).expect('Location', /\/login/);
    await request(t.callback).get('/templates/decision').set('Cookie', await signInAs('podatelna')).expect(403);
    const cookie = await signInAs('admin');
    await request(t.callback).get('/templates/decision').set('Cookie', cookie).expect(200);
    await request(t.callback).get('/templates/nope').set('Cookie', cookie).expect(404);
    await request(t.callback).get('/templates/..%2Fpackage').set('Cookie', cookie).expect(404);
  });
});
