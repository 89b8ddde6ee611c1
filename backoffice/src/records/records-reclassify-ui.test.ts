import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFile, readWorkersConfig, registerRecord, seedRecordsDemo, settleRecordDocument, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** an open file of OSU, the unit of the demo logins referent and vedouci */
let own: RegisterRecordResult;
/** an open file of ODP */
let foreign: RegisterRecordResult;
/** a closed file of OSU */
let closed: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const state = async (fileId: string) => ({
  file: await t.db('files').where({ id: fileId }).first('class_code', 'disposal_code', 'retention_years', 'disposal_year'),
  journal: await t.db('journal').where({ file_id: fileId }).pluck('class_code'),
  log: (await t.db('audit_log').where({ object_id: fileId, event_type: 'Uprava', object_type: 'Spis' }).orderBy('id')).map((r) => ({
    actor: r.actor, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
  })),
});

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'vedouci', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-reclassify-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  own = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Stížnost na hluk z provozovny', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU' });
  foreign = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výmol v ulici', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP' });
  closed = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Dotaz na úřední hodiny', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU' });
  const referent = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
  await settleRecordDocument(ports, referent, { documentId: closed.documentId, method: 'noted' });
  await closeFile(ports, referent, { fileId: closed.fileId });
}, 180_000);
afterAll(() => t.close());

describe('changing the class of a file from the file page', () => {
  it('offers the form to the head of the file\'s unit, the records centre and the administrator, with the leaf classes of the file\'s plan', async () => {
    const page = (await get('vedouci', `/records/files/${own.fileId}`).expect(200)).text;
    expect(page).toContain(`action="/records/files/${own.fileId}/reclassify"`);
    expect(page).toContain('<option value="1.3">1.3 Stížnosti, petice a podněty (S/5)</option>');
    expect(page).toContain('<option value="1.5" selected>1.5 Obecná podání a korespondence (S/5)</option>');
    expect(page).not.toContain('<option value="1.1">'); // groups other classes
    expect(page).not.toContain('<option value="2.1">'); // for typed files
    for (const user of ['spisovna', 'admin']) expect((await get(user, `/records/files/${own.fileId}`).expect(200)).text, user).toContain('/reclassify"');
    expect((await get('referent', `/records/files/${own.fileId}`).expect(200)).text).not.toContain('/reclassify"');
    // a closed file: the records centre only, told that the disposal year follows
    expect((await get('spisovna', `/records/files/${closed.fileId}`).expect(200)).text).toContain('Spis je uzavřen: rok skartace se určí znovu podle nového skartačního režimu.');
    expect((await get('vedouci', `/records/files/${closed.fileId}`).expect(200)).text).not.toContain('/reclassify"');
  });

  it('changes the class of the file and its journal rows, logged with the reason; the same class again changes nothing', async () => {
    const changed = await post('vedouci', `/records/files/${own.fileId}/reclassify`).send({ classCode: '1.3', reason: 'Jde o stížnost' }).expect(303);
    expect(changed.headers.location).toBe(`/records/files/${own.fileId}?reclassified=changed#reclassify-heading`);
    expect((await get('vedouci', changed.headers.location).expect(200)).text).toContain('<p class="message message-success" role="status">Spis má nový spisový znak 1.3.</p>');
    const after = await state(own.fileId);
    expect(after.file).toMatchObject({ class_code: '1.3', disposal_code: 'S', retention_years: 5 });
    expect(after.journal).toEqual(['1.3']);
    expect(after.log).toEqual([{ actor: 'user:vedouci', details: expect.objectContaining({ field: 'classCode', from: '1.5', to: '1.3', reason: 'Jde o stížnost' }) }]);

    const again = await post('spisovna', `/records/files/${own.fileId}/reclassify?lang=en`).send({ classCode: '1.3', reason: 'once more' }).expect(303);
    expect(again.headers.location).toBe(`/records/files/${own.fileId}?reclassified=unchanged#reclassify-heading`);
    expect((await get('spisovna', `${again.headers.location.replace('#reclassify-heading', '')}&lang=en`).expect(200)).text).toContain('The file already has this class; nothing changed.');
    expect(await state(own.fileId)).toEqual(after);
  });

  it('lets the records centre correct a closed file, whose disposal year follows', async () => {
    const before = await state(closed.fileId);
    await post('spisovna', `/records/files/${closed.fileId}/reclassify`).send({ classCode: '1.1.1', reason: 'Podklad pro zastupitelstvo' }).expect(303);
    const after = await state(closed.fileId);
    expect(after.file).toMatchObject({ class_code: '1.1.1', disposal_code: 'A', retention_years: 10, disposal_year: before.file.disposal_year + 5 });
    expect(after.log.at(-1)).toEqual({ actor: 'user:spisovna', details: expect.objectContaining({ from: '1.5', to: '1.1.1', retentionFrom: 'S/5', retentionTo: 'A/10' }) });
  });

  it('shows bad input and refusals again with an error summary, refuses other roles, units and sites; nothing changes', async () => {
    const before = { own: await state(own.fileId), foreign: await state(foreign.fileId), closed: await state(closed.fileId) };
    const none = await post('vedouci', `/records/files/${own.fileId}/reclassify`).send({ classCode: '', reason: '' }).expect(400);
    expect(none.text).toContain('<h2 id="error-summary-title">Spisový znak nelze změnit</h2>');
    expect(none.text).toContain('<a href="#reclassify-class">Vyberte nový spisový znak.</a>');
    expect(none.text).toContain('<a href="#reclassify-reason">Uveďte důvod.</a>');
    expect(none.text).toMatch(/id="reclassify-class-error"><span class="visually-hidden">Chyba: <\/span>Vyberte nový spisový znak\./);
    expect(none.text).toContain('aria-describedby="reclassify-hint reclassify-class-error" aria-invalid="true"');
    const grouping = await post('vedouci', `/records/files/${own.fileId}/reclassify`).send({ classCode: '1.1', reason: 'omyl' }).expect(400);
    expect(grouping.text).toContain('Tato věcná skupina se dále člení; vyberte některou z jejích podskupin.');
    expect(grouping.text).toContain('>omyl</textarea>');
    const unknown = await post('vedouci', `/records/files/${own.fileId}/reclassify?lang=en`).send({ classCode: '99.9', reason: 'typo' }).expect(400);
    expect(unknown.text).toContain('There is no such class in the file plan that applies');
    const uk = await post('vedouci', `/records/files/${own.fileId}/reclassify?lang=uk`).send({ classCode: '1.3' }).expect(400);
    expect(uk.text).toContain('Зазначте причину.');
    // a closed file is the records centre's: the head of unit is told so
    const closedByHead = await post('vedouci', `/records/files/${closed.fileId}/reclassify`).send({ classCode: '1.3', reason: 'omyl' }).expect(409);
    expect(closedByHead.text).toContain('Spisový znak uzavřeného spisu opravuje spisovna');

    await post('referent', `/records/files/${own.fileId}/reclassify`).send({ classCode: '1.4', reason: 'omyl' }).expect(403);
    await post('podatelna', `/records/files/${own.fileId}/reclassify`).send({ classCode: '1.4', reason: 'omyl' }).expect(403);
    await post('vedouci', `/records/files/${foreign.fileId}/reclassify`).send({ classCode: '7.3', reason: 'omyl' }).expect(403); // another unit's file
    await request(t.callback).post(`/records/files/${own.fileId}/reclassify`).set('Cookie', cookies.vedouci).set('Origin', 'https://evil.example').type('form').send({ classCode: '1.4', reason: 'omyl' }).expect(403);
    expect((await post('vedouci', `/records/files/${own.fileId}/reclassify`).send({ classCode: '1.4', reason: 'x'.repeat(20_000) }).expect(413)).text).toContain('Formulář je příliš velký');
    await post('vedouci', '/records/files/not-a-uuid/reclassify').send({ classCode: '1.4', reason: 'omyl' }).expect(404);

    expect({ own: await state(own.fileId), foreign: await state(foreign.fileId), closed: await state(closed.fileId) }).toEqual(before);
  });
});
