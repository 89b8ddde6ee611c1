import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFile, readWorkersConfig, registerRecord, seedRecordsDemo, settleRecordDocument, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** files of OSU (the unit of the demo logins referent and vedouci): handled by referent, by kolega, and a closed one */
let mine: RegisterRecordResult;
let colleagues: RegisterRecordResult;
let closed: RegisterRecordResult;
/** a file of ODP */
let foreign: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const ownerOf = async (fileId: string) => (await t.db('files').where({ id: fileId }).first('owner')).owner as string | null;
const handlersOf = async (fileId: string) => (await t.db('journal').where({ file_id: fileId }).orderBy('order_in_file').pluck('handled_by')) as (string | null)[];
const changes = async (fileId: string) =>
  (await t.db('audit_log').where({ event_type: 'ZmenaZpracovatele' }).andWhere((w) => w.where({ object_id: fileId }).orWhereRaw("details->>'fileId' = ?", [fileId])).orderBy('id')).map((r) => ({
    actor: r.actor, objectType: r.object_type, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
  }));
const views = async () => Number((await t.db('audit_log').where({ event_type: 'Zobrazeni' }).count({ n: '*' }).first())?.n);

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  // a second referent of OSU, with the demo password
  const { password_hash } = await t.db('users').where({ username: 'referent' }).first('password_hash');
  // kucera, the demo referent of ODP, is a demo login
  for (const [username, name, unit] of [['kolega', 'Karel Kolega', 'OSU']]) {
    const [{ id }] = await t.db('users').insert({ username, display_name: name, password_hash, org_unit: unit }).returning('id');
    await t.db('user_roles').insert({ user_id: id, role: 'referent' });
  }
  for (const username of ['podatelna', 'referent', 'kolega', 'vedouci', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-handler-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  const letter = (subject: string, orgUnit: string, handler: string | null, classCode = '1.5') =>
    registerRecord(ports, podatelna, { direction: 'incoming', subject, channel: 'post', form: 'analog', classCode, orgUnit, handler });
  mine = await letter('Žádost o dělení pozemku', 'OSU', 'referent');
  await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Doplnění žádosti', channel: 'post', form: 'analog', fileId: mine.fileId, handler: 'referent' });
  colleagues = await letter('Žádost o kolaudaci', 'OSU', 'kolega');
  closed = await letter('Dotaz na územní plán', 'OSU', 'referent');
  const referent = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
  await settleRecordDocument(ports, referent, { documentId: closed.documentId, method: 'noted' });
  await closeFile(ports, referent, { fileId: closed.fileId });
  foreign = await letter('Uzavírka silnice', 'ODP', 'kucera', '7.4');
}, 180_000);
afterAll(() => t.close());

describe('the handler (zpracovatel) of a file on the file page', () => {
  it('shows who handles the file, and the form to whom the use case lets assign it', async () => {
    const head = (await get('vedouci', `/records/files/${mine.fileId}`).expect(200)).text;
    expect(head).toContain('<dt>Zpracovatel</dt><dd>Radek Referent</dd>');
    expect(head).toContain(`action="/records/files/${mine.fileId}/handler"`);
    expect(head).toContain('<option value="kolega">Karel Kolega</option>');
    expect(head).toContain('<option value="referent">Radek Referent (nyní zpracovává)</option>');
    expect(head).toContain('<option value="vedouci">Věra Vedoucí</option>');
    expect(head).not.toContain('<option value="kucera">'); // another unit's referent
    expect(head).not.toContain('<option value="podatelna">');
    // the referent hands over their own file, but not a colleague's
    expect((await get('referent', `/records/files/${mine.fileId}`).expect(200)).text).toContain(`action="/records/files/${mine.fileId}/handler"`);
    const notTheirs = (await get('referent', `/records/files/${colleagues.fileId}`).expect(200)).text;
    expect(notTheirs).toContain('<dd>Karel Kolega</dd>');
    expect(notTheirs).not.toContain('/handler"');
    for (const user of ['spisovna', 'podatelna']) expect((await get(user, `/records/files/${mine.fileId}`)).text, user).not.toContain('/handler"');
    expect((await get('vedouci', `/records/files/${closed.fileId}`).expect(200)).text).not.toContain('/handler"');
    const admin = (await get('admin', `/records/files/${foreign.fileId}?lang=en`).expect(200)).text;
    expect(admin).toContain('<dt>Handler</dt><dd>Jan Kučera</dd>');
    expect(admin).toContain('<option value="kucera">Jan Kučera (handles it now)</option>');
  });

  it('filters the file list by handler: my files, files of the unit nobody handles', async () => {
    const list = (await get('kolega', '/records/files?handler=mine').expect(200)).text;
    expect(list).toContain(`href="/records/files/${colleagues.fileId}"`);
    expect(list).not.toContain(`href="/records/files/${mine.fileId}"`);
    expect(list).toContain('<option value="mine" selected>Moje spisy</option>');
    expect(list).toContain('<td>Karel Kolega</td>');
    expect((await get('vedouci', '/records/files?handler=none&lang=en').expect(200)).text).toContain('<option value="none" selected>Without a handler</option>');
    await get('vedouci', '/records/files?handler=whoever').expect(400);
  });

  it('lets the head of the unit reassign the file with its documents; the same person again changes nothing', async () => {
    const res = await post('vedouci', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega', reason: 'Zastupování po dobu dovolené' }).expect(303);
    expect(res.headers.location).toBe(`/records/files/${mine.fileId}?done=handler#handler-heading`);
    expect(await ownerOf(mine.fileId)).toBe('kolega');
    expect(await handlersOf(mine.fileId)).toEqual(['kolega', 'kolega']);
    expect(await changes(mine.fileId)).toEqual([
      { actor: 'user:vedouci', objectType: 'Spis', details: expect.objectContaining({ from: 'referent', to: 'kolega', reason: 'Zastupování po dobu dovolené' }) },
      { actor: 'user:vedouci', objectType: 'Dokument', details: expect.objectContaining({ from: 'referent', to: 'kolega' }) },
      { actor: 'user:vedouci', objectType: 'Dokument', details: expect.objectContaining({ from: 'referent', to: 'kolega' }) },
    ]);
    const page = (await get('vedouci', `/records/files/${mine.fileId}?done=handler`).expect(200)).text;
    expect(page).toContain('<p class="message message-success" role="status">Zpracovatel spisu je změněn.</p>');
    expect(page).toContain('<dt>Zpracovatel</dt><dd>Karel Kolega</dd>');

    const again = await post('vedouci', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega' }).expect(303);
    expect(again.headers.location).toBe(`/records/files/${mine.fileId}?done=handler-same#handler-heading`);
    expect((await get('vedouci', `/records/files/${mine.fileId}?done=handler-same&lang=uk`)).text).toContain('Цю справу вже опрацьовує ця особа; нічого не змінилося.');
    expect(await changes(mine.fileId)).toHaveLength(3);
  });

  it('lets a referent hand over their own file to a colleague, and then no more', async () => {
    await post('kolega', `/records/files/${mine.fileId}/handler`).send({ handler: 'referent' }).expect(303);
    expect(await ownerOf(mine.fileId)).toBe('referent');
    await post('kolega', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega' }).expect(403);
    await post('referent', `/records/files/${colleagues.fileId}/handler`).send({ handler: 'referent' }).expect(403);
    expect(await ownerOf(mine.fileId)).toBe('referent');
    expect(await ownerOf(colleagues.fileId)).toBe('kolega');
  });

  it('shows bad input again with an error summary, refuses other roles, units, sites and a closed file; nothing changes', async () => {
    const before = { mine: await changes(mine.fileId), owner: await ownerOf(mine.fileId), views: await views() };
    const none = await post('vedouci', `/records/files/${mine.fileId}/handler`).send({ handler: '' }).expect(400);
    expect(none.text).toContain('<h2 id="error-summary-title">Zpracovatele nelze změnit</h2>');
    expect(none.text).toContain('<a href="#handler-person">Zvolte nového zpracovatele.</a>');
    expect(none.text).toMatch(/id="handler-person-error"><span class="visually-hidden">Chyba: <\/span>Zvolte nového zpracovatele\./);
    expect(none.text).toContain('aria-describedby="handler-hint handler-person-error" aria-invalid="true"');
    const clerk = await post('vedouci', `/records/files/${mine.fileId}/handler`).send({ handler: 'podatelna', reason: 'Omyl' }).expect(400);
    expect(clerk.text).toContain('Zpracovatelem může být jen aktivní referent nebo vedoucí útvaru, kterému spis patří.');
    expect(clerk.text).toContain('>Omyl</textarea>'); // what was typed
    const other = await post('vedouci', `/records/files/${mine.fileId}/handler?lang=en`).send({ handler: 'kucera' }).expect(400);
    expect(other.text).toContain('Only an active referent or head of the unit the file belongs to can handle it.');
    const long = await post('vedouci', `/records/files/${mine.fileId}/handler?lang=uk`).send({ handler: 'kolega', reason: 'x'.repeat(600) }).expect(400);
    expect(long.text).toContain('<a href="#handler-reason">');
    expect(long.text).toContain('aria-describedby="handler-reason-error" aria-invalid="true"');

    await post('spisovna', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega' }).expect(403);
    await post('podatelna', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega' }).expect(403);
    await post('vedouci', `/records/files/${foreign.fileId}/handler`).send({ handler: 'kucera' }).expect(403); // another unit's file
    await request(t.callback).post(`/records/files/${mine.fileId}/handler`).set('Cookie', cookies.vedouci).set('Origin', 'https://evil.example').type('form').send({ handler: 'kolega' }).expect(403);
    expect((await post('vedouci', `/records/files/${mine.fileId}/handler`).send({ handler: 'kolega', reason: 'x'.repeat(20_000) }).expect(413)).text).toContain('Formulář je příliš velký');
    await post('vedouci', '/records/files/not-a-uuid/handler').send({ handler: 'kolega' }).expect(404);
    const refused = await post('vedouci', `/records/files/${closed.fileId}/handler`).send({ handler: 'kolega' }).expect(409);
    expect(refused.text).toContain('Spis není otevřený');

    expect({ mine: await changes(mine.fileId), owner: await ownerOf(mine.fileId), views: await views() }).toEqual(before);
    expect(await ownerOf(closed.fileId)).toBe('referent');
    expect(await ownerOf(foreign.fileId)).toBe('kucera');
  });
});
