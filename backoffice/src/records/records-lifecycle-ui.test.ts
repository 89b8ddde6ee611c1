import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** incoming paper document the registry office registered for OSU: opens the file */
let incoming: RegisterRecordResult;
/** an electronic incoming document without any component, in the same file */
let bare: RegisterRecordResult;
/** an outgoing answer the referent created in the same file (the referent may cancel it) */
let answer: RegisterRecordResult;
/** a submission the portal registered by itself into the same file (no person created it) */
let submitted: RegisterRecordResult;
/** another unit's (ODP) file */
let foreign: RegisterRecordResult;

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN).type('form');
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;
const logOf = async (id: string, events: string[]) => (await t.db('audit_log').where({ object_id: id }).whereIn('event_type', events).orderBy('id')).map((r) => ({ event: r.event_type, actor: r.actor, details: details(r) }));
const count = async (event: string) => Number((await t.db('audit_log').where({ event_type: event }).count<{ n: string }[]>({ n: '*' }))[0].n);

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'vedouci', 'spisovna', 'posuzovatel', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-lifecycle-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  incoming = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o kopii rozhodnutí', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU' });
  bare = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Doplnění žádosti', channel: 'email', form: 'electronic', fileId: incoming.fileId });
  answer = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { direction: 'outgoing', subject: 'Kopie rozhodnutí', channel: 'post', form: 'analog', fileId: incoming.fileId });
  submitted = await registerRecord(ports, { username: 'system:portal', roles: ['admin'], orgUnit: null }, { direction: 'incoming', subject: 'Žádost podaná dvakrát', channel: 'portal', form: 'analog', fileId: incoming.fileId });
  foreign = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP' });
}, 180_000);
afterAll(() => t.close());

describe('settlement, storno, closure and reopening from the file page', () => {
  it('offers each form only to whom the use case lets, in the state it allows', async () => {
    const referent = (await get('referent', `/records/files/${incoming.fileId}`).expect(200)).text;
    expect(referent).toContain(`action="/records/documents/${incoming.documentId}/settle"`);
    expect(referent).not.toContain(`action="/records/documents/${answer.documentId}/settle"`); // an outgoing document is dispatched, not settled
    expect(referent).toContain(`action="/records/documents/${answer.documentId}/cancel"`); // the referent created it
    expect(referent).not.toContain(`action="/records/documents/${incoming.documentId}/cancel"`); // the registry office did
    expect(referent).toContain(`action="/records/files/${incoming.fileId}/close"`);
    expect(referent).not.toContain('/reopen"');
    expect(referent).toContain('vyřízení záznamem na dokumentu');

    // the head of the unit settles and closes, but cancels only what they created
    const vedouci = (await get('vedouci', `/records/files/${incoming.fileId}`).expect(200)).text;
    expect(vedouci).toContain(`action="/records/documents/${incoming.documentId}/settle"`);
    expect(vedouci).not.toContain('/cancel"');
    // what the portal registered by itself: the registry office's or the administrator's to cancel, not a handler's
    expect(referent).not.toContain(`action="/records/documents/${submitted.documentId}/cancel"`);
    const admin = (await get('admin', `/records/files/${incoming.fileId}`).expect(200)).text;
    expect(admin).toContain(`action="/records/documents/${submitted.documentId}/cancel"`);
    expect(admin).not.toContain(`action="/records/documents/${answer.documentId}/cancel"`);
    // the records centre and the assessor see the file, but do not handle it
    for (const user of ['spisovna', 'posuzovatel']) {
      const page = (await get(user, `/records/files/${incoming.fileId}`).expect(200)).text;
      expect(page).not.toContain('/settle"');
      expect(page).not.toContain('/close"');
      expect(page).not.toContain('/cancel"');
    }
  });

  it('refuses a role that may not, another unit\'s file, another site and a non-creator; nothing changes', async () => {
    const before = await count('Vyrizeni') + await count('Uzavreni') + await count('Storno') + await count('Otevreni');
    const role = await post('spisovna', `/records/documents/${incoming.documentId}/settle`).send({ method: 'noted' }).expect(403);
    expect(role.text).toContain('K této akci nemáte oprávnění.');
    await post('posuzovatel', `/records/files/${incoming.fileId}/close`).send({}).expect(403);
    await post('podatelna', `/records/documents/${incoming.documentId}/settle`).send({ method: 'noted' }).expect(403);
    await post('spisovna', `/records/files/${incoming.fileId}/reopen`).send({ reason: 'omyl' }).expect(403);
    // another unit's file: refused before the form is read
    const foreignSettle = await post('referent', `/records/documents/${foreign.documentId}/settle`).send({ method: 'noted' }).expect(403);
    expect(foreignSettle.text).toContain('K tomuto spisu nemáte přístup.');
    await post('referent', `/records/files/${foreign.fileId}/close`).send({}).expect(403);
    await post('referent', `/records/documents/${foreign.documentId}/cancel`).send({ reason: 'omyl' }).expect(403);
    // only the creator cancels: the head of the unit did not create the answer
    const notCreator = await post('vedouci', `/records/documents/${answer.documentId}/cancel`).send({ reason: 'omyl' }).expect(403);
    expect(notCreator.text).toContain('K této operaci nemáte oprávnění.');
    // a post from another site
    await request(t.callback).post(`/records/documents/${incoming.documentId}/settle`).set('Cookie', cookies.referent).set('Origin', 'https://evil.example').type('form').send({ method: 'noted' }).expect(403);
    // a body over the limit
    expect((await post('referent', `/records/files/${incoming.fileId}/close`).send({ reason: 'x'.repeat(20_000) }).expect(413)).text).toContain('Formulář je příliš velký');

    expect(await t.db('documents').where({ id: incoming.documentId }).first()).toMatchObject({ state: 'registered', settled_at: null });
    expect(await t.db('documents').where({ id: answer.documentId }).first()).toMatchObject({ state: 'created', cancelled_at: null });
    expect(await t.db('files').where({ id: incoming.fileId }).first()).toMatchObject({ state: 'open', closed_at: null });
    expect(await t.db('files').where({ id: foreign.fileId }).first()).toMatchObject({ state: 'open' });
    expect(await count('Vyrizeni') + await count('Uzavreni') + await count('Storno') + await count('Otevreni')).toBe(before);
  });

  it('shows bad input again on the file page with an error summary and the field\'s message, and changes nothing', async () => {
    const views = await count('Zobrazeni');
    const badMethod = await post('referent', `/records/documents/${incoming.documentId}/settle`).send({ method: 'pigeon', note: 'Vyřízeno telefonicky' }).expect(400);
    expect(badMethod.text).toContain('<h2 id="error-summary-title">Dokument nelze vyřídit</h2>');
    expect(badMethod.text).toContain(`<a href="#settle-method-${incoming.documentId}">Zvolte způsob vyřízení.</a>`);
    expect(badMethod.text).toContain(`aria-describedby="settle-method-${incoming.documentId}-error"`);
    expect(badMethod.text).toMatch(new RegExp(`id="settle-method-${incoming.documentId}-error"><span class="visually-hidden">Chyba: </span>Zvolte způsob vyřízení.`));
    expect(badMethod.text).toContain('<details open><summary>Vyřídit</summary>');
    expect(badMethod.text).toContain('>Vyřízeno telefonicky</textarea>'); // what was typed stays
    // the language switch of a form shown again (Handlebars writes = as &#x3D;) leads to the page the form was on, not to the POST address
    expect(badMethod.text).toContain('<a href="/?lang&#x3D;en" lang="en" hreflang="en">');
    const fromFilePage = await post('referent', `/records/documents/${incoming.documentId}/settle`).set('Referer', `${ORIGIN}/records/files/${incoming.fileId}?tab=docs`).send({ method: 'pigeon' }).expect(400);
    expect(fromFilePage.text).toContain(`<a href="/records/files/${incoming.fileId}?tab&#x3D;docs&amp;lang&#x3D;en" lang="en" hreflang="en">`);
    const fromElsewhere = await post('referent', `/records/documents/${incoming.documentId}/settle`).set('Referer', 'https://evil.example//evil.example/x').send({ method: 'pigeon' }).expect(400);
    expect(fromElsewhere.text).toContain('<a href="/?lang&#x3D;uk" lang="uk" hreflang="uk">');
    const tooLong = await post('referent', `/records/documents/${incoming.documentId}/settle`).send({ method: 'noted', note: 'x'.repeat(501) }).expect(400);
    expect(tooLong.text).toContain('Text může mít nejvýše 500 znaků.');

    const noReason = await post('referent', `/records/documents/${answer.documentId}/cancel`).send({ reason: '  ' }).expect(400);
    expect(noReason.text).toContain(`<a href="#cancel-reason-${answer.documentId}">Uveďte důvod.</a>`);
    expect(noReason.text).toContain(`aria-describedby="cancel-hint-${answer.documentId} cancel-reason-${answer.documentId}-error"`);
    const inEnglish = await post('referent', `/records/documents/${answer.documentId}/cancel?lang=en`).send({}).expect(400);
    expect(inEnglish.text).toContain('Give a reason.');

    expect(await t.db('documents').where({ id: incoming.documentId }).first()).toMatchObject({ state: 'registered', settlement_method: null });
    expect(await t.db('documents').where({ id: answer.documentId }).first()).toMatchObject({ state: 'created' });
    expect(await logOf(incoming.documentId, ['Vyrizeni'])).toEqual([]);
    expect(await count('Zobrazeni')).toBe(views); // a page shown again is not a new display
  });

  it('refuses to close an incomplete file, naming each document and why, and leaves it open', async () => {
    const res = await post('referent', `/records/files/${incoming.fileId}/close`).send({ reason: 'Věc vyřízena' }).expect(409);
    expect(res.text).toContain('<h2 id="error-summary-title">Spis nelze uzavřít</h2>');
    expect(res.text).toContain(`<a href="#doc-${incoming.documentId}">${incoming.referenceNumber}: dokument není vyřízen (odesílaný dokument není vypraven)</a>`);
    expect(res.text).toContain(`<a href="#doc-${bare.documentId}">${bare.referenceNumber}: elektronický dokument nemá žádnou komponentu</a>`);
    expect(res.text).toContain(`<a href="#doc-${answer.documentId}">${answer.referenceNumber}: dokument není vyřízen`);
    expect(res.text).toContain(`<tr id="doc-${bare.documentId}">`);
    expect(res.text).toContain('Brání uzavření spisu:');
    expect(res.text).toContain('>Věc vyřízena</textarea>');
    expect(await t.db('files').where({ id: incoming.fileId }).first()).toMatchObject({ state: 'open', closed_at: null, closure_reason: null });
    expect(await logOf(incoming.fileId, ['Uzavreni'])).toEqual([]);
  });

  it('settles, cancels, closes and reopens: the documents, the journal and the log say who, when and how', async () => {
    // settle the incoming documents
    const settled = await post('referent', `/records/documents/${incoming.documentId}/settle`).send({ method: 'by-note', note: 'Kopie předána osobně' }).expect(303);
    expect(settled.headers.location).toBe(`/records/files/${incoming.fileId}?done=settled#doc-${incoming.documentId}`);
    expect(await t.db('documents').where({ id: incoming.documentId }).first()).toMatchObject({ state: 'settled', settled_by: 'user:referent', settlement_method: 'by-note', settlement_note: 'Kopie předána osobně' });
    expect(await t.db('journal').where({ document_id: incoming.documentId }).first()).toMatchObject({ state: 'settled', settled_by: 'user:referent', settlement_method: 'by-note' });
    expect(await logOf(incoming.documentId, ['Vyrizeni'])).toEqual([{ event: 'Vyrizeni', actor: 'user:referent', details: expect.objectContaining({ method: 'by-note' }) }]);
    const page = (await get('referent', `/records/files/${incoming.fileId}?done=settled`).expect(200)).text;
    expect(page).toContain('Dokument je vyřízen.');
    expect(page).toContain('vyřízení záznamem na dokumentu');
    expect(page).toContain('Kopie předána osobně');
    expect(page).not.toContain(`action="/records/documents/${incoming.documentId}/settle"`);
    await post('vedouci', `/records/documents/${bare.documentId}/settle`).send({ method: 'noted' }).expect(303);

    await post('admin', `/records/documents/${submitted.documentId}/cancel`).send({ reason: 'Podáno dvakrát' }).expect(303);
    expect(await t.db('documents').where({ id: submitted.documentId }).first()).toMatchObject({ state: 'cancelled', cancelled_by: 'user:admin' });

    // cancel the answer (its creator), with the reason in the log
    await post('referent', `/records/documents/${answer.documentId}/cancel`).send({ reason: 'Zaevidováno omylem' }).expect(303);
    expect(await t.db('documents').where({ id: answer.documentId }).first()).toMatchObject({ state: 'cancelled', cancelled_by: 'user:referent' });
    expect(await t.db('journal').where({ document_id: answer.documentId }).first()).toMatchObject({ state: 'cancelled', reference_number: answer.referenceNumber });
    expect(await logOf(answer.documentId, ['Storno'])).toEqual([{ event: 'Storno', actor: 'user:referent', details: expect.objectContaining({ reason: 'Zaevidováno omylem' }) }]);
    // cancelled now: a second storno is refused
    const late = await post('referent', `/records/documents/${answer.documentId}/cancel`).send({ reason: 'znovu' }).expect(400);
    expect(late.text).toContain('Dokument je stornován.');

    // the electronic document still has no component: the closure names only it
    const stillBare = await post('referent', `/records/files/${incoming.fileId}/close`).send({}).expect(409);
    expect(stillBare.text).toContain(`${bare.referenceNumber}: elektronický dokument nemá žádnou komponentu`);
    expect(stillBare.text).not.toContain(`${incoming.referenceNumber}: dokument není vyřízen`);
    await t.db('documents').where({ id: bare.documentId }).update({ form: 'analog' }); // it was paper after all

    const closed = await post('referent', `/records/files/${incoming.fileId}/close`).send({ reason: 'Věc vyřízena' }).expect(303);
    expect(closed.headers.location).toBe(`/records/files/${incoming.fileId}?done=closed`);
    expect(await t.db('files').where({ id: incoming.fileId }).first()).toMatchObject({ state: 'closed', closed_by: 'user:referent', closure_reason: 'Věc vyřízena' });
    expect((await logOf(incoming.fileId, ['Uzavreni'])).map((e) => [e.event, e.actor])).toEqual([['Uzavreni', 'user:referent']]);
    const closedPage = (await get('vedouci', `/records/files/${incoming.fileId}?done=closed`).expect(200)).text;
    expect(closedPage).toContain('Spis je uzavřen.');
    expect(closedPage).toContain(`action="/records/files/${incoming.fileId}/reopen"`);
    expect(closedPage).not.toContain('/close"');
    // a closed file can not be closed again
    const again = await post('referent', `/records/files/${incoming.fileId}/close`).send({}).expect(400);
    expect(again.text).toContain('Spis není otevřený');

    // reopening needs a reason
    const noReason = await post('vedouci', `/records/files/${incoming.fileId}/reopen`).send({ reason: '' }).expect(400);
    expect(noReason.text).toContain('<a href="#reopen-reason">Uveďte důvod.</a>');
    expect(noReason.text).toContain('aria-describedby="reopen-hint reopen-reason-error"');
    expect(await t.db('files').where({ id: incoming.fileId }).first()).toMatchObject({ state: 'closed' });
    await post('vedouci', `/records/files/${incoming.fileId}/reopen`).send({ reason: 'Odvolání účastníka' }).expect(303);
    expect(await t.db('files').where({ id: incoming.fileId }).first()).toMatchObject({ state: 'open', closed_at: null });
    expect(await logOf(incoming.fileId, ['Otevreni'])).toEqual([{ event: 'Otevreni', actor: 'user:vedouci', details: expect.objectContaining({ reason: 'Odvolání účastníka' }) }]);
    expect((await get('vedouci', `/records/files/${incoming.fileId}?done=reopened`).expect(200)).text).toContain('Spis je znovu otevřen');
  });
});
