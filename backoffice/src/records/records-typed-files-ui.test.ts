import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, seedRecordsDemo } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const count = async (table: string) => Number((await t.db(table).count<{ n: string }[]>({ n: '*' }))[0].n);
const building = {
  classCode: '5.3', subject: 'Stavba: Rodinný dům Jaltská 7', reference: 'STAV-2026-JALT7',
  'part-title-1': 'Stavební povolení', 'part-code-1': 'SP', 'part-title-2': 'Kolaudace', 'part-code-2': '',
};

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'vedouci', 'spisovna', 'admin']) cookies[username] = await signIn(t.callback, username);
  await seedRecordsDemo({ db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-typed-ui' }) }, { files: 1 });
}, 180_000);
afterAll(() => t.close());

describe('typed files in the back-office', () => {
  it('offers the form to handlers and the administrator with the classes meant for typed files only', async () => {
    const form = (await get('referent', '/records/typed-files/new').expect(200)).text;
    expect(form).toContain('<option value="5.3">5.3 – Stavební povolení a kolaudace</option>');
    expect(form).toContain('<option value="2.1">');
    expect(form).not.toContain('<option value="1.5">'); // a class for plain files
    expect(form).toContain('Typový spis bude veden útvarem OSU.');
    expect(form).not.toContain('name="orgUnit"');
    expect((await get('admin', '/records/typed-files/new').expect(200)).text).toContain('name="orgUnit"');
    for (const user of ['podatelna', 'spisovna']) await get(user, '/records/typed-files/new').expect(403);
    expect((await get('referent', '/records/files').expect(200)).text).toContain('href="/records/typed-files/new"');
    expect((await get('podatelna', '/records/files').expect(200)).text).not.toContain('href="/records/typed-files/new"');
  });

  it('shows a refused form again with the summary and each field\'s message, writing nothing', async () => {
    const files = await count('files');
    const log = await count('audit_log');
    const refused = await post('referent', '/records/typed-files').send({
      classCode: '1.5', subject: '', reference: 'bad reference!', 'part-title-1': '', 'part-code-1': 'A B', 'part-title-2': 'Dva', 'part-code-2': 'X', 'part-title-3': 'Tři', 'part-code-3': 'X',
    }).expect(400);
    expect(refused.text).toContain('role="alert"');
    for (const target of ['classCode', 'subject', 'reference', 'part-title-1', 'part-code-1', 'part-code-3']) expect(refused.text).toContain(`href="#${target}"`);
    expect(refused.text).toContain('Uveďte název součásti 1.');
    expect(refused.text).toContain('Označení součásti 3 se opakuje.');
    expect(refused.text).toMatch(/id="part-title-2" name="part-title-2" value="Dva"/);
    expect(refused.text).toMatch(/id="reference"[^>]*aria-invalid="true"/);
    expect((await post('referent', '/records/typed-files').send({ ...building, 'part-title-1': '', 'part-code-1': '', 'part-title-2': '' }).expect(400)).text).toContain('Uveďte alespoň jednu součást.');
    await request(t.callback).post('/records/typed-files').set('Cookie', cookies.referent).set('Origin', 'https://evil.example').type('form').send(building).expect(403);
    await post('podatelna', '/records/typed-files').send(building).expect(403);
    expect(await count('files')).toBe(files);
    expect(await count('audit_log')).toBe(log);
  });

  it('opens the typed file with its parts in the user\'s unit, once for a form sent twice, and logs each', async () => {
    // a referent cannot choose another unit: the field is not theirs
    const created = await post('referent', '/records/typed-files').send({ ...building, orgUnit: 'ODP' }).expect(303);
    const id = /^\/records\/files\/([0-9a-f-]{36})\?typed=created$/.exec(created.headers.location)![1];
    const again = await post('referent', '/records/typed-files').send(building).expect(303);
    expect(again.headers.location).toBe(created.headers.location);
    expect(await t.db('files').where({ file_reference: building.reference })).toHaveLength(1);
    expect(await t.db('files').where({ id }).first()).toMatchObject({ kind: 'typed', org_unit: 'OSU', class_code: '5.3', subject: building.subject, state: 'open' });
    const parts = await t.db('file_parts').where({ typed_file_id: id }).orderBy('code').select('id', 'code', 'title');
    expect(parts.map((p) => [p.code, p.title])).toEqual([['2', 'Kolaudace'], ['SP', 'Stavební povolení']]);
    expect(await t.db('audit_log').where({ object_id: id }).pluck('event_type')).toEqual(['Zalozeni']);
    expect(await t.db('audit_log').whereIn('object_id', parts.map((p) => p.id)).andWhere({ object_type: 'Soucast' }).pluck('event_type')).toEqual(['Zalozeni', 'Zalozeni']);
    // another user's reference is taken: refused with the form, nothing written
    const taken = await post('vedouci', '/records/typed-files').send(building).expect(409);
    expect(taken.text).toContain('Spis s touto spisovou značkou už existuje.');

    const page = (await get('referent', `${created.headers.location}`).expect(200)).text;
    expect(page).toContain('Typový spis byl založen.');
    expect(page).toContain('Součásti a díly');
    expect(page).toContain('SP – Stavební povolení');
    expect(page).toContain('Součást zatím nemá žádný díl.');
    expect(page).toContain(`action="/records/typed-files/${id}/parts/${parts[1].id}/volumes"`);
  });

  it('opens a volume of a chosen part once and offers filing a document into it; another unit may not', async () => {
    const typed = await t.db('files').where({ file_reference: building.reference }).first('id');
    const part = await t.db('file_parts').where({ typed_file_id: typed.id, code: 'SP' }).first('id');
    const url = `/records/typed-files/${typed.id}/parts/${part.id}/volumes`;
    const opened = await post('vedouci', url).send({ subject: 'Povolení rodinného domu', volumes: '0' }).expect(303);
    expect(opened.headers.location).toBe(`/records/files/${typed.id}?typed=volume-opened#part-${part.id}`);
    const twice = await post('vedouci', url).send({ subject: 'Povolení rodinného domu', volumes: '0' }).expect(303);
    expect(twice.headers.location).toBe(`/records/files/${typed.id}?typed=volume-existed#part-${part.id}`);
    const volumes = await t.db('files').where({ part_id: part.id });
    expect(volumes.map((v) => [v.file_reference, v.kind, v.org_unit])).toEqual([[`${building.reference}/SP/1`, 'volume', 'OSU']]);
    expect(await t.db('audit_log').where({ object_id: volumes[0].id, object_type: 'Dil' }).pluck('event_type')).toEqual(['Zalozeni']);

    const page = (await get('referent', `/records/files/${typed.id}?typed=volume-opened`).expect(200)).text;
    expect(page).toContain('Díl byl otevřen.');
    expect(page).toContain(`href="/records/files/${volumes[0].id}"`);
    const volumePage = (await get('referent', `/records/files/${volumes[0].id}`).expect(200)).text;
    expect(volumePage).toContain('Díl součásti SP – Stavební povolení typového spisu');
    expect(volumePage).toContain(`href="/records/files/${typed.id}"`);
    // NSESSS 2023: a volume holds files; no document goes straight into it
    expect(volumePage).toContain('Díl zatím neobsahuje žádný spis.');
    expect(volumePage).toContain(`action="/records/volumes/${volumes[0].id}/files"`);
    expect(volumePage).not.toContain(`href="/records/own?file=`);

    // a blank subject is refused; the administrator's typed file of another unit is closed to OSU
    expect((await post('vedouci', url).send({ subject: '', volumes: '1' }).expect(400)).text).toContain('Uveďte věc nového dílu');
    const foreign = await post('admin', '/records/typed-files').send({ ...building, reference: 'STAV-2026-ODP1', orgUnit: 'ODP' }).expect(303);
    const foreignId = /files\/([0-9a-f-]{36})/.exec(foreign.headers.location)![1];
    expect(await t.db('files').where({ id: foreignId }).first()).toMatchObject({ org_unit: 'ODP' });
    const foreignPart = await t.db('file_parts').where({ typed_file_id: foreignId }).first('id');
    await post('referent', `/records/typed-files/${foreignId}/parts/${foreignPart.id}/volumes`).send({ subject: 'Cizí díl', volumes: '0' }).expect(403);
    await post('referent', `/records/typed-files/${typed.id}/parts/${foreignPart.id}/volumes`).send({ subject: 'Záměna', volumes: '0' }).expect(404);
    await post('spisovna', url).send({ subject: 'Spisovna', volumes: '1' }).expect(403);
    expect(await t.db('files').where({ part_id: foreignPart.id })).toHaveLength(0);
    expect(await t.db('files').where({ part_id: part.id })).toHaveLength(1);
  });
  it('opens a file in a volume, closes the volume only when its files are closed (opening the next), reopens it, and closes parts and the typed file', async () => {
    const typed = await t.db('files').where({ file_reference: building.reference }).first('id');
    const parts = await t.db('file_parts').where({ typed_file_id: typed.id }).orderBy('code').select('id', 'code');
    const volume = await t.db('files').where({ file_reference: `${building.reference}/SP/1` }).first('id');
    const files = `/records/volumes/${volume.id}/files`;
    // bad input, a foreign origin and roles that do not handle files change nothing
    const before = { files: await count('files'), log: await count('audit_log') };
    const blank = await post('referent', files).send({ subject: ' ', files: '0' }).expect(400);
    expect(blank.text).toContain('Spis v dílu nelze založit');
    expect(blank.text).toContain('href="#volume-file-subject"');
    await request(t.callback).post(files).set('Cookie', cookies.referent).set('Origin', 'https://evil.example').type('form').send({ subject: 'Zlý', files: '0' }).expect(403);
    for (const user of ['podatelna', 'spisovna']) await post(user, files).send({ subject: 'Cizí', files: '0' }).expect(403);
    expect({ files: await count('files'), log: await count('audit_log') }).toEqual(before);

    const opened = await post('referent', files).send({ subject: 'Řízení o povolení domu', files: '0' }).expect(303);
    expect(opened.headers.location).toBe(`/records/files/${volume.id}?typed=file-opened`);
    expect((await post('referent', files).send({ subject: 'Řízení o povolení domu', files: '0' }).expect(303)).headers.location).toBe(`/records/files/${volume.id}?typed=file-existed`);
    const inner = await t.db('files').where({ volume_id: volume.id }).first();
    expect(inner).toMatchObject({ file_reference: `${building.reference}/SP/1/1`, kind: 'file', org_unit: 'OSU' });
    const innerPage = (await get('referent', `/records/files/${inner.id}`).expect(200)).text;
    expect(innerPage).toContain('Spis je vložen v dílu');
    expect(innerPage).toContain(`href="/records/own?file=${inner.file_reference}"`);

    // the volume with an open file: refused with the file named, nothing changed
    const close = `/records/volumes/${volume.id}/close`;
    const mid = { files: await t.db('files').orderBy('id').select('id', 'state'), log: await count('audit_log') };
    const refused = await post('vedouci', close).send({ reason: '', next: 'Prodloužení' }).expect(409);
    expect(refused.text).toContain('Díl nelze uzavřít');
    expect(refused.text).toContain(`Díl nelze uzavřít, dokud jsou otevřené jeho spisy: ${inner.file_reference}.`);
    expect(refused.text).toMatch(/id="volume-close-next"[^>]*value="Prodloužení"/);
    expect((await post('vedouci', close).send({ reason: 'x'.repeat(501) }).expect(400)).text).toContain('href="#volume-close-reason"');
    await post('spisovna', close).send({}).expect(403);
    expect({ files: await t.db('files').orderBy('id').select('id', 'state'), log: await count('audit_log') }).toEqual(mid);

    // its file closed (as the file page closes it), the volume closes and the next one opens
    await t.db('files').where({ id: inner.id }).update({ state: 'closed', closed_at: new Date(), closed_by: 'user:referent' });
    const closed = await post('vedouci', close).send({ reason: 'povolení vydáno', next: 'Prodloužení platnosti' }).expect(303);
    expect(closed.headers.location).toBe(`/records/files/${volume.id}?typed=volume-closed-next`);
    expect(await t.db('files').where({ id: volume.id }).first()).toMatchObject({ state: 'closed', closure_reason: 'povolení vydáno' });
    expect(await t.db('files').where({ file_reference: `${building.reference}/SP/2` }).first()).toMatchObject({ kind: 'volume', state: 'open', subject: 'Prodloužení platnosti' });
    expect(await t.db('audit_log').where({ object_id: volume.id }).orderBy('id').pluck('event_type')).toContain('Uzavreni');
    const closedPage = (await get('referent', closed.headers.location).expect(200)).text;
    expect(closedPage).toContain('Díl byl uzavřen a otevřel se další díl součásti.');
    expect(closedPage).toContain(`action="/records/volumes/${volume.id}/reopen"`);
    expect(closedPage).not.toContain(`action="/records/files/${volume.id}/close"`);

    // reopening needs a reason
    const reopen = `/records/volumes/${volume.id}/reopen`;
    expect((await post('referent', reopen).send({ reason: '' }).expect(400)).text).toContain('Díl nelze znovu otevřít');
    expect((await post('referent', reopen).send({ reason: 'chybí výkres' }).expect(303)).headers.location).toBe(`/records/files/${volume.id}?typed=volume-reopened`);
    expect(await t.db('audit_log').where({ object_id: volume.id, event_type: 'Otevreni', object_type: 'Dil' })).toHaveLength(1);
    await post('vedouci', close).send({}).expect(303);

    // a part with an open volume does not close; the typed file not while a part is open
    const sp = parts.find((p) => p.code === 'SP')!;
    const partRefused = await post('referent', `/records/typed-files/${typed.id}/parts/${sp.id}/close`).send({}).expect(409);
    expect(partRefused.text).toContain(`Součást nelze uzavřít, dokud jsou otevřené její díly: ${building.reference}/SP/2.`);
    expect(partRefused.text).toContain(`href="#part-close-reason-${sp.id}"`);
    const typedRefused = await post('referent', `/records/typed-files/${typed.id}/close`).send({}).expect(409);
    expect(typedRefused.text).toContain('Typový spis nelze uzavřít, dokud jsou otevřené jeho součásti: 2, SP.');
    const second = await t.db('files').where({ file_reference: `${building.reference}/SP/2` }).first('id');
    await t.db('files').where({ id: second.id }).update({ state: 'closed', closed_at: new Date() });
    for (const p of parts) expect((await post('referent', `/records/typed-files/${typed.id}/parts/${p.id}/close`).send({}).expect(303)).headers.location).toBe(`/records/files/${typed.id}?typed=part-closed`);
    expect(await t.db('file_parts').where({ typed_file_id: typed.id }).whereNull('closed_at')).toHaveLength(0);
    expect((await post('referent', `/records/typed-files/${typed.id}/parts/${sp.id}/reopen`).send({ reason: '' }).expect(400)).text).toContain('Součást nelze znovu otevřít');
    await post('vedouci', `/records/typed-files/${typed.id}/close`).send({ reason: 'stavba dokončena' }).expect(303);
    expect(await t.db('files').where({ id: typed.id }).first()).toMatchObject({ state: 'closed' });
    const closedTyped = (await get('vedouci', `/records/files/${typed.id}?typed=typed-closed`).expect(200)).text;
    expect(closedTyped).toContain('Typový spis byl uzavřen.');
    expect(closedTyped).toContain(`action="/records/typed-files/${typed.id}/reopen"`);
    await post('vedouci', `/records/typed-files/${typed.id}/reopen`).send({ reason: 'kolaudace' }).expect(303);
    expect(await t.db('audit_log').where({ object_id: typed.id }).orderBy('id').pluck('event_type')).toEqual(expect.arrayContaining(['Uzavreni', 'Otevreni']));
    // the English page says it in English
    expect((await get('vedouci', `/records/files/${volume.id}?lang=en`).expect(200)).text).toContain('Files in the volume');
  });
});
