import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
let instanceKey = '';
let submissionId = '';

beforeAll(async () => {
  t = await createTestServer();
  expect(await seedDemoUsers(t.db)).toBe(true);
  expect(await seedDemoUsers(t.db)).toBe(false);
  submissionId = randomUUID();
  instanceKey = '77';
  await t.db('submissions').insert({
    id: submissionId, service_code: 'general-submission', status: 'registered', reference_number: 'MMKV/42/2026',
    form_data: JSON.stringify({ subject: 'Oprava chodníku', applicantName: 'Jana Nováková', message: 'Prosím o opravu.' }),
    tracking_expires_at: new Date(Date.now() + 86_400_000), process_instance_key: instanceKey,
  });
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.engine.tasks.clear();
  t.engine.completed = [];
});

async function signIn(username: string) {
  const res = await request(t.callback).post('/login').set('Origin', ORIGIN).type('form').send({ username, password: 'demo' }).expect(302);
  const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('openspis_session='))!;
  expect(cookie).toMatch(/httponly/i);
  expect(cookie).toMatch(/samesite=strict/i);
  return cookie.split(';')[0];
}

function addAnswerTask(extra: Partial<import('../engine-port').UserTask> = {}) {
  return t.engine.addTask(
    { processInstanceKey: instanceKey, dueDate: new Date(Date.now() - 86_400_000).toISOString(), ...extra },
    { submissionId, referenceNumber: 'MMKV/42/2026', subject: 'Oprava chodníku' },
  );
}

describe('login', () => {
  it('rejects a wrong password with a translated message and signs in with the right one', async () => {
    const cs = await request(t.callback).post('/login').set('Origin', ORIGIN).type('form').send({ username: 'referent', password: 'nope' }).expect(401);
    expect(cs.text).toContain('Nesprávné uživatelské jméno nebo heslo.');
    expect(cs.headers['set-cookie']?.toString() ?? '').not.toContain('openspis_session=');
    const en = await request(t.callback).post('/login?lang=en').set('Origin', ORIGIN).type('form').send({ username: 'referent', password: 'nope' }).expect(401);
    expect(en.text).toContain('Wrong user name or password.');
    const cookie = await signIn('referent');
    const sessions = await t.db('sessions').select('id');
    expect(sessions.map((s) => s.id)).not.toContain(cookie.split('=')[1]);
    const inbox = await request(t.callback).get('/tasks').set('Cookie', cookie).expect(200);
    expect(inbox.text).toContain('<html lang="cs">');
    expect(inbox.text).toContain('Moje úkoly');
  });

  it('remembers the language a clerk logs in with and switches to, for the e-mails written to them', async () => {
    const locale = async () => (await t.db('users').where({ username: 'vedouci' }).first('locale')).locale;
    expect(await locale()).toBeNull();
    // the login page in English (the choice is kept in a cookie), then the login
    const page = await request(t.callback).get('/login?lang=en').expect(200);
    const lang = (page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lang='))!.split(';')[0];
    await request(t.callback).post('/login').set('Origin', ORIGIN).set('Cookie', lang).type('form').send({ username: 'vedouci', password: 'demo' }).expect(302);
    expect(await locale()).toBe('en');
    // switching on a page of the clerk UI and of the records while signed in
    const cookie = await signIn('vedouci');
    expect(await locale()).toBe('cs');
    await request(t.callback).get('/tasks?lang=uk').set('Cookie', cookie).expect(200);
    expect(await locale()).toBe('uk');
    await request(t.callback).get('/records/files?lang=en').set('Cookie', cookie).expect(200);
    expect(await locale()).toBe('en');
    // an unknown language changes nothing
    await request(t.callback).get('/tasks?lang=de').set('Cookie', cookie).expect(200);
    expect(await locale()).toBe('en');
  });

  it('sends anonymous visitors to the login page and refuses cross-site POSTs', async () => {
    const res = await request(t.callback).get('/tasks').expect(302);
    expect(res.headers.location).toBe('/login?next=%2Ftasks');
    await request(t.callback).post('/login').set('Origin', 'https://evil.example').type('form').send({ username: 'referent', password: 'demo' }).expect(403);
    await request(t.callback).post('/login').type('form').send({ username: 'referent', password: 'demo' }).expect(403);
  });
});

describe('inbox, claim and complete', () => {
  it('shows group tasks only to members of the candidate groups', async () => {
    addAnswerTask();
    const referent = await signIn('referent');
    const groups = await request(t.callback).get('/tasks?tab=groups').set('Cookie', referent).expect(200);
    expect(groups.text).toContain('MMKV/42/2026');
    expect(groups.text).toContain('Oprava chodníku');
    expect(groups.text).toContain('class="overdue"');
    const podatelna = await signIn('podatelna');
    const other = await request(t.callback).get('/tasks?tab=groups').set('Cookie', podatelna).expect(200);
    expect(other.text).not.toContain('MMKV/42/2026');
  });

  it('lets a member claim, then shows the form; others get 403', async () => {
    const task = addAnswerTask();
    const referent = await signIn('referent');
    const before = await request(t.callback).get(`/tasks/${task.userTaskKey}`).set('Cookie', referent).expect(200);
    expect(before.text).toContain('Převzít');
    expect(before.text).not.toContain('id="task-form"');
    expect(before.text).toContain('MMKV/42/2026');
    const admin = await signIn('admin');
    await request(t.callback).get(`/tasks/${task.userTaskKey}`).set('Cookie', admin).expect(403);
    await request(t.callback).post(`/tasks/${task.userTaskKey}/claim`).set('Origin', ORIGIN).set('Cookie', admin).expect(403);

    await request(t.callback).post(`/tasks/${task.userTaskKey}/claim`).set('Origin', ORIGIN).set('Cookie', referent).expect(302);
    expect(t.engine.tasks.get(task.userTaskKey)?.assignee).toBe('referent');
    const after = await request(t.callback).get(`/tasks/${task.userTaskKey}`).set('Cookie', referent).expect(200);
    expect(after.text).toContain('id="task-form"');
    expect(after.text).toContain('Text odpovědi');
    const mine = await request(t.callback).get('/tasks').set('Cookie', referent).expect(200);
    expect(mine.text).toContain('MMKV/42/2026');

    // vedouci is a referent too, but the task is taken
    const vedouci = await signIn('vedouci');
    await request(t.callback).post(`/tasks/${task.userTaskKey}/claim`).set('Origin', ORIGIN).set('Cookie', vedouci).expect(409);
    await request(t.callback).post(`/tasks/${task.userTaskKey}/complete`).set('Origin', ORIGIN).set('Cookie', vedouci).send({ data: { answerText: 'Odpověď od někoho jiného.' } }).expect(403);
  });

  it('validates the task data again on the server before completing', async () => {
    const task = addAnswerTask({ assignee: 'referent' });
    const referent = await signIn('referent');
    const bad = await request(t.callback).post(`/tasks/${task.userTaskKey}/complete?lang=en`).set('Origin', ORIGIN).set('Cookie', referent).send({ data: { answerText: 'short' } }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { answerText: 'Enter at least 10 characters.' } });
    expect(t.engine.completed).toHaveLength(0);
    const ok = await request(t.callback).post(`/tasks/${task.userTaskKey}/complete`).set('Origin', ORIGIN).set('Cookie', referent).send({ data: { answerText: 'Oprava je naplánována na duben.', injected: 'x' } }).expect(200);
    expect(ok.body.redirect).toBe(`/tasks?done=${task.userTaskKey}`);
    expect(t.engine.completed).toEqual([{ userTaskKey: task.userTaskKey, variables: { answerText: 'Oprava je naplánována na duben.', answeredBy: 'referent' } }]);
    const inbox = await request(t.callback).get(ok.body.redirect).set('Cookie', referent).expect(200);
    expect(inbox.text).toContain('Úkol byl dokončen.');
  });

  it('shows the case to people with a task on it or oversight, 403 to others', async () => {
    const referent = await signIn('referent');
    await request(t.callback).get(`/cases/${submissionId}`).set('Cookie', referent).expect(403);
    addAnswerTask();
    const page = await request(t.callback).get(`/cases/${submissionId}`).set('Cookie', referent).expect(200);
    expect(page.text).toContain('Podací deník');
    expect(page.text).toContain('Prosím o opravu.');
    const vedouci = await signIn('vedouci');
    await request(t.callback).get(`/cases/${submissionId}`).set('Cookie', vedouci).expect(200);
    const admin = await signIn('admin');
    await request(t.callback).get(`/cases/${submissionId}`).set('Cookie', admin).expect(403);
  });
});

describe('tasks on a case filed in a unit', () => {
  it('offers them to candidates of that unit and of units the file is shared with; others neither see, claim nor read the case', async () => {
    // given: a submission filed in a file of the Kancelář tajemníka (KT), with an open task for referents
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-clerk-ui' }) };
    const filed = await registerRecord(ports, { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' }, {
      direction: 'incoming', subject: 'Stížnost na hluk', channel: 'portal', form: 'electronic', orgUnit: 'KT',
      components: [{ fileName: 'podani.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF-1.4 podani') }],
    });
    const ktSubmission = randomUUID();
    await t.db('submissions').insert({
      id: ktSubmission, service_code: 'general-submission', status: 'registered', reference_number: filed.referenceNumber, document_id: filed.documentId,
      form_data: JSON.stringify({ subject: 'Stížnost na hluk', applicantName: 'Jan Dvořák', message: 'Hluk v noci.' }),
      tracking_expires_at: new Date(Date.now() + 86_400_000), process_instance_key: '78',
    });
    const task = t.engine.addTask({ processInstanceKey: '78' }, { submissionId: ktSubmission, referenceNumber: filed.referenceNumber, subject: 'Stížnost na hluk' });
    const [kancelar, referent, vedouci, podatelna] = await Promise.all(['kancelar', 'referent', 'vedouci', 'podatelna'].map(signIn));
    const groupTasks = async (cookie: string) => (await request(t.callback).get('/tasks?tab=groups').set('Cookie', cookie).expect(200)).text;

    // then: the referent of KT sees, opens and reads it; the referent and head of OSU do not, and cannot claim it
    expect(await groupTasks(kancelar)).toContain(`/tasks/${task.userTaskKey}`);
    await request(t.callback).get(`/tasks/${task.userTaskKey}`).set('Cookie', kancelar).expect(200);
    await request(t.callback).get(`/cases/${ktSubmission}`).set('Cookie', kancelar).expect(200);
    expect(await groupTasks(referent)).not.toContain(`/tasks/${task.userTaskKey}`);
    expect(await groupTasks(referent)).not.toContain('Stížnost na hluk');
    await request(t.callback).get(`/tasks/${task.userTaskKey}`).set('Cookie', referent).expect(403);
    await request(t.callback).post(`/tasks/${task.userTaskKey}/claim`).set('Cookie', referent).set('Origin', ORIGIN).expect(403);
    expect(t.engine.tasks.get(task.userTaskKey)!.assignee).toBeNull();
    for (const cookie of [referent, vedouci]) await request(t.callback).get(`/cases/${ktSubmission}`).set('Cookie', cookie).expect(403);
    // the registry office reads every case
    await request(t.callback).get(`/cases/${ktSubmission}`).set('Cookie', podatelna).expect(200);

    // when KT shares the file with OSU, OSU's referents are candidates too, and its head reads the case
    await t.db('file_shares').insert({ file_id: filed.fileId, org_unit: 'OSU', shared_by: 'user:admin', created_at: new Date() });
    expect(await groupTasks(referent)).toContain(`/tasks/${task.userTaskKey}`);
    await request(t.callback).get(`/cases/${ktSubmission}`).set('Cookie', vedouci).expect(200);
    await t.db('file_shares').where({ file_id: filed.fileId }).delete();

    // a task assigned to somebody by name stays theirs, whatever the unit
    const assigned = t.engine.addTask({ processInstanceKey: '78', assignee: 'referent' }, { submissionId: ktSubmission });
    await request(t.callback).get(`/tasks/${assigned.userTaskKey}`).set('Cookie', referent).expect(200);
    await request(t.callback).get(`/cases/${ktSubmission}`).set('Cookie', referent).expect(200);
  });
});

describe('component download', () => {
  it('logs displaying a component\'s content (Zobrazeni Komponenta) before sending it; refused or destroyed content is neither sent nor logged', async () => {
    // given: a document of the case with one component
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-clerk-ui' }) };
    const doc = await registerRecord(ports, { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' }, {
      direction: 'incoming', subject: 'Oprava chodníku', channel: 'portal', components: [{ fileName: 'foto.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF-1.4 foto') }],
    });
    await t.db('documents').where({ id: doc.documentId }).update({ submission_id: submissionId });
    const component = await t.db('components').where({ document_id: doc.documentId }).first();
    const viewed = () => t.db('audit_log').where({ object_id: component.id, event_type: 'Zobrazeni', object_type: 'Komponenta' });

    // a referent without a task of the case: refused, nothing logged
    await request(t.callback).get(`/components/${component.id}`).set('Cookie', await signIn('referent')).expect(403);
    expect(await viewed()).toEqual([]);

    // when the head of department opens it
    const head = await signIn('vedouci');
    const res = await request(t.callback).get(`/components/${component.id}`).set('Cookie', head).buffer(true).expect(200);

    // then: the content, and the log names who displayed which component (ids and checksum only)
    expect(Buffer.from(res.body as Buffer).toString()).toBe('%PDF-1.4 foto');
    const log = await viewed();
    expect(log.map((r) => [r.actor, typeof r.details === 'string' ? JSON.parse(r.details) : r.details])).toEqual([
      ['user:vedouci', { documentId: doc.documentId, sha256: component.blob_sha256 }],
    ]);

    // a destroyed component (disposal) has no content to display
    await t.db('components').where({ id: component.id }).update({ blob_sha256: null, destroyed_at: new Date() });
    await request(t.callback).get(`/components/${component.id}`).set('Cookie', head).expect(404);
    expect(await viewed()).toHaveLength(1);
  });
});
