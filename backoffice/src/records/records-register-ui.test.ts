import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
let odpFile: RegisterRecordResult;

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
// the bytes of a Windows program, named like a PDF
const FAKE_PDF = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]), Buffer.alloc(200, 0)]);

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string, fields: Record<string, string>, files: [Buffer, string][] = []) => {
  let r = request(t.callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN);
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
  for (const [content, name] of files) r = r.attach('components', content, name);
  return r;
};
const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())?.n);
const counts = async () => Object.fromEntries(await Promise.all(['documents', 'journal', 'files', 'parties', 'components', 'audit_log'].map(async (n) => [n, await count(n)])));
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Prague' }).format(new Date());
/** Received at the start of today in Prague: never in the future, whenever the test runs (00:01 is in the future in the first minute after midnight). */
const START_OF_DAY = '00:00';

/** A paper letter from a company, for a new file of the building office (OSU). */
const letter = (over: Record<string, string> = {}): Record<string, string> => ({
  channel: 'post', form: 'analog', receivedDate: today(), receivedTime: START_OF_DAY,
  senderKind: 'organisation', senderOrganisationName: 'Stavby Karlovy Vary s.r.o.', senderCompanyId: '25401726', senderDataBoxId: 'x7k2m9p',
  senderStreet: 'Sokolovská 12', senderCity: 'Karlovy Vary', senderPostcode: '360 01', senderReference: 'SKV/118/2026', senderReferenceDate: today(),
  subject: 'Žádost o vyjádření k přístavbě', attachmentsCount: '2', attachmentsKind: '2 listy A4',
  fileMode: 'new', classCode: '1.3', orgUnit: 'OSU', handler: 'referent', action: 'register', ...over,
});

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'spisovna', 'admin']) {
    cookies[username] = await signIn(t.callback, username);
  }
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-register-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  odpFile = await registerRecord(ports, { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' }, { direction: 'incoming', subject: 'Výtluk na silnici', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
}, 180_000);
afterAll(() => t.close());

describe('registering a received document (podatelna)', () => {
  it('is the registry office\'s and the administrator\'s; the own document is the handlers\'; others are refused and nothing is written', async () => {
    const before = await counts();
    await get('referent', '/records/register').expect(403);
    await get('spisovna', '/records/register').expect(403);
    await get('podatelna', '/records/own').expect(403);
    await post('referent', '/records/register', letter()).expect(403);
    await post('podatelna', '/records/own', { direction: 'internal', subject: 'Záznam', form: 'electronic', fileMode: 'new', classCode: '1.3' }).expect(403);
    // a post from another site is refused before anything else
    await request(t.callback).post('/records/register').set('Cookie', cookies.podatelna).set('Origin', 'https://evil.example').field('subject', 'x').expect(403);
    // only the multipart form is taken
    await request(t.callback).post('/records/register').set('Cookie', cookies.podatelna).set('Origin', ORIGIN).type('form').send(letter()).expect(400);
    expect(await counts()).toEqual(before);

    // the menu offers each the form that is theirs
    const podatelna = await get('podatelna', '/records/journal').expect(200);
    expect(podatelna.text).toContain('href="/records/register"');
    expect(podatelna.text).not.toContain('href="/records/own"');
    const referent = await get('referent', '/records/journal').expect(200);
    expect(referent.text).toContain('href="/records/own"');
    expect(referent.text).not.toContain('href="/records/register"');
    expect((await get('admin', '/records/register').expect(200)).text).toContain('<h1>Zaevidovat doručený dokument</h1>');
  });

  it('shows the form with now as the time of receipt, the ways of receipt, the plan valid today and the units', async () => {
    const res = await get('podatelna', '/records/register').expect(200);
    expect(res.text).toContain('enctype="multipart/form-data"');
    expect(res.text).toContain(`id="receivedDate" name="receivedDate" type="date" value="${today()}" max="${today()}"`);
    expect(res.text).toMatch(/<option value="data-box">Datová schránka<\/option>/);
    expect(res.text).toContain('<option value="1.3">1.3 Stížnosti, petice a podněty</option>');
    expect(res.text).not.toContain('<option value="5">'); // a class grouping others is not offered
    expect(res.text).not.toContain('<option value="2.1">'); // nor one for typed files
    expect(res.text).toContain('<option value="OSU">');
    expect((await get('podatelna', '/records/register?lang=uk').expect(200)).text).toContain('Зареєструвати отриманий документ');
  });

  it('refuses bad input field by field with translated messages, keeps what was typed and writes nothing', async () => {
    const before = await counts();
    const res = await post('podatelna', '/records/register', letter({ subject: '', receivedDate: '2999-01-01', senderCompanyId: '12345678', senderEmail: 'neplatny@', classCode: '5', attachmentsCount: '-1' })).expect(400);
    expect(res.text).toContain('class="error-summary" role="alert"');
    expect(res.text).toContain('<a href="#subject">Vyplňte věc (stručný obsah dokumentu).</a>');
    expect(res.text).toContain('<a href="#receivedDate">Datum a čas doručení nesmí být v budoucnosti.</a>');
    expect(res.text).toContain('<a href="#senderCompanyId">IČO má 8 číslic a platnou kontrolní číslici.</a>');
    expect(res.text).toContain('<a href="#senderEmail">');
    expect(res.text).toContain('<a href="#classCode">');
    expect(res.text).toContain('<a href="#attachmentsCount">');
    // the message is tied to its field
    expect(res.text).toMatch(/<input id="senderCompanyId" name="senderCompanyId" type="text" value="12345678"[^>]* aria-invalid="true" aria-describedby="senderCompanyId-error">/);
    expect(res.text).toContain('id="senderCompanyId-error"');
    // what was typed stays
    expect(res.text).toContain('value="Stavby Karlovy Vary s.r.o."');
    expect(res.text).toContain('value="SKV/118/2026"');
    expect(await counts()).toEqual(before);

    // a data message comes from a data box, an e-mail from an address: the confirmation of receipt goes there
    const noBox = await post('podatelna', '/records/register', letter({ channel: 'data-box', senderDataBoxId: '' })).expect(400);
    expect(noBox.text).toContain('<a href="#senderDataBoxId">U datové zprávy vyplňte ID datové schránky odesílatele');
    const noAddress = await post('podatelna', '/records/register', letter({ channel: 'email' })).expect(400);
    expect(noAddress.text).toContain('<a href="#senderEmail">U e-mailu vyplňte e-mailovou adresu odesílatele');
    const en = await post('podatelna', '/records/register?lang=en', letter({ fileMode: 'existing', fileReference: 'MMKV/999999/2026' })).expect(400);
    expect(en.text).toContain('There is no file with this reference, or you have no access to it.');
    const noUnit = await post('podatelna', '/records/register', letter({ orgUnit: '' })).expect(400);
    expect(noUnit.text).toContain('Vyberte útvar, kterému nový spis patří.');
    const wrongHandler = await post('podatelna', '/records/register', letter({ orgUnit: 'ODP' })).expect(400);
    expect(wrongHandler.text).toContain('Vyberte zpracovatele z útvaru, kterému dokument předáváte.');
    expect(await counts()).toEqual(before);
  });

  it('refuses a component that is not what its name says, or is in no accepted format, or too large; nothing is written', async () => {
    const before = await counts();
    const fake = await post('podatelna', '/records/register', letter(), [[PDF, 'dopis.pdf'], [FAKE_PDF, 'smlouva.pdf']]).expect(400);
    expect(fake.text).toContain('Soubor smlouva.pdf není v žádném z přijímaných formátů (určeno podle obsahu).');
    expect(fake.text).toMatch(/<input id="components" name="components" type="file" multiple aria-describedby="components-hint components-error" aria-invalid="true">/);
    const renamed = await post('podatelna', '/records/register', letter(), [[Buffer.from('Dobrý den, posílám žádost.\n'), 'zadost.pdf']]).expect(400);
    expect(renamed.text).toContain('Soubor zadost.pdf se vydává za PDF, ale podle obsahu jím není.');
    // the test server takes components up to 64 KiB
    const large = await post('podatelna', '/records/register', letter(), [[Buffer.concat([PDF, Buffer.alloc(70 * 1024, 0x20)]), 'velky.pdf']]).expect(400);
    expect(large.text).toContain('Každý soubor může mít nejvýše 64 kB.');
    expect(await counts()).toEqual(before);
  });

  it('registers a paper letter with a PDF scan from a new sender into a new file: journal, sender, component, confirmation; logged once', async () => {
    // given
    const logBefore = await count('audit_log');

    // when
    const res = await post('podatelna', '/records/register', letter(), [[PDF, 'sken dopisu.PDF']]).expect(303);

    // then: the confirmation shows the JID and the reference number
    const documentId = /^\/records\/registered\/([0-9a-f-]{36})$/.exec(res.headers.location)![1];
    const doc = await t.db('documents').where({ id: documentId }).first();
    const done = await get('podatelna', res.headers.location).expect(200);
    expect(done.text).toContain(`Dokument ${doc.jid} je zaevidován pod číslem jednacím ${doc.reference_number}.`);
    expect(done.text).toContain('sken dopisu.pdf');
    // the registry office does not see the building office's file: the journal instead of the file
    expect(done.text).not.toContain(`href="/records/files/${doc.file_id}"`);
    expect(done.text).toContain(`href="/records/journal?referenceNumber=${encodeURIComponent(doc.reference_number)}"`);
    const referentView = await get('referent', res.headers.location).expect(200);
    expect(referentView.text).toContain(`href="/records/files/${doc.file_id}"`);
    await get('spisovna', '/records/registered/00000000-0000-4000-8000-000000000000').expect(404);
    // a handler of another unit who did not register it does not read it
    await get('referent', `/records/registered/${odpFile.documentId}`).expect(403);

    expect(doc).toMatchObject({ direction: 'incoming', state: 'registered', channel: 'post', form: 'analog', subject: 'Žádost o vyjádření k přístavbě', sender_reference: 'SKV/118/2026', attachments_count: 2, attachments_kind: '2 listy A4', org_unit: 'OSU', handler: 'referent', created_by: 'user:podatelna' });
    const journal = await t.db('journal').where({ document_id: documentId }).first();
    expect(journal).toMatchObject({ sender: 'Stavby Karlovy Vary s.r.o.', class_code: '1.3', components_count: 1, org_unit: 'OSU', handled_by: 'referent' });
    expect(new Date(journal.received_at).getTime()).toBeLessThanOrEqual(Date.now());
    const sender = await t.db('parties').where({ id: doc.sender_party_id }).first();
    expect(sender).toMatchObject({ kind: 'organisation', company_id: '25401726', data_box_id: 'x7k2m9p', postcode: '36001', city: 'Karlovy Vary' });
    const [component] = await t.db('components').where({ document_id: documentId });
    expect(component).toMatchObject({ file_name: 'sken dopisu.pdf', media_type: 'application/pdf', format: 'pdf', size: PDF.length });
    expect(Buffer.from((await t.db('blobs').where({ sha256: component.blob_sha256 }).first()).content)).toEqual(PDF);
    // the use case logs the registration; the screen adds nothing of its own
    const log = await t.db('audit_log').where('id', '>', logBefore).orderBy('id');
    expect(log.map((r) => `${r.event_type} ${r.object_type}`).sort()).toEqual(['VlozeniDoSpisu Dokument', 'Zalozeni Dokument', 'Zalozeni Komponenta', 'Zalozeni Spis', 'Zalozeni Subjekt']);
    expect(log.every((r) => r.actor === 'user:podatelna')).toBe(true);
    // a paper letter gets no electronic confirmation of receipt
    expect(await t.db('receipt_confirmations').where({ document_id: documentId })).toEqual([]);
  });

  it('finds the sender in the parties register without JavaScript and files a data message into the existing file; the data box gets a confirmation of receipt', async () => {
    const file = await t.db('files').where({ subject: 'Žádost o vyjádření k přístavbě' }).first();
    const parties = await count('parties');
    // when: the search button of the same form
    const found = await post('podatelna', '/records/register', { ...letter(), action: 'search-sender', senderQuery: 'stavby karl', subject: 'Doplnění žádosti' }).expect(200);
    const party = await t.db('parties').where({ company_id: '25401726' }).first();
    expect(found.text).toContain(`name="senderPartyId" value="${party.id}"`);
    expect(found.text).toContain('value="Doplnění žádosti"');
    expect(found.text).not.toContain('error-summary');

    // the party has a data box, no e-mail: it cannot be the sender of an e-mail; the choice stays on the form
    const byEmail = await post('podatelna', '/records/register', { channel: 'email', receivedDate: today(), receivedTime: START_OF_DAY, senderPartyId: party.id, subject: 'Doplnění žádosti', fileMode: 'existing', fileReference: file.file_reference, action: 'register' }).expect(400);
    expect(byEmail.text).toContain('<a href="#senderPartyId">U e-mailu vyplňte e-mailovou adresu odesílatele');
    expect(byEmail.text).toContain(`<input type="hidden" name="senderPartyId" value="${party.id}">`);

    const res = await post('podatelna', '/records/register', {
      channel: 'data-box', receivedDate: today(), receivedTime: START_OF_DAY, senderPartyId: party.id, subject: 'Doplnění žádosti',
      fileMode: 'existing', fileReference: file.file_reference, action: 'register',
    }, [[PDF, 'doplneni.pdf']]).expect(303);
    const doc = await t.db('documents').where({ id: res.headers.location.split('/').pop() }).first();
    expect(doc).toMatchObject({ file_id: file.id, sender_party_id: party.id, form: 'electronic', channel: 'data-box', reference_number: `${file.file_reference}-2` });
    expect(await count('parties')).toBe(parties);
    const receipt = await t.db('receipt_confirmations').where({ document_id: doc.id }).first();
    expect(receipt).toMatchObject({ channel: 'data-box', recipient: 'x7k2m9p' });
    expect((await get('podatelna', res.headers.location).expect(200)).text).toContain('Potvrzení o přijetí je připraveno k odeslání: x7k2m9p.');
  });

  it('numbers registrations sent at the same time gap-free, each once', async () => {
    const seqBefore = Number((await t.db('journal').max({ m: 'seq' }).first())?.m);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post('podatelna', '/records/register', letter({ subject: `Souběžné podání ${i}`, senderCompanyId: '', senderDataBoxId: '', senderOrganisationName: `Firma ${i}` }))));
    expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303, 303, 303]);
    const seqs = (await t.db('journal').where('subject', 'like', 'Souběžné podání %').pluck('seq')).map(Number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 6 }, (_, i) => seqBefore + 1 + i));
    expect(new Set(results.map((r) => r.headers.location)).size).toBe(6);
  });
});

describe('one registration per filled-in form', () => {
  it('registers a form sent twice (a double click, a reload) once and leads both posts to the same document; a refused post does not use its key up', async () => {
    // given: the form's key, as the browser got it
    const form = (await get('podatelna', '/records/register').expect(200)).text;
    const formKey = /name="formKey" value="([0-9a-f-]{36})"/.exec(form)![1];
    expect((await get('podatelna', '/records/register').expect(200)).text).not.toContain(formKey);
    const fields = letter({ subject: 'Odvolání proti rozhodnutí', formKey, senderCompanyId: '', senderDataBoxId: '' });
    // a refused post does not claim the key
    await post('podatelna', '/records/register', { ...fields, classCode: '' }).expect(400);

    // when: sent twice at once, then once more
    const both = await Promise.all([post('podatelna', '/records/register', fields), post('podatelna', '/records/register', fields)]);
    const again = await post('podatelna', '/records/register', fields).expect(303);

    // then: one document; every post that was answered with a document names that one
    const docs = await t.db('documents').where({ subject: 'Odvolání proti rozhodnutí' });
    expect(docs).toHaveLength(1);
    expect(again.headers.location).toBe(`/records/registered/${docs[0].id}`);
    for (const r of both) {
      if (r.status === 303) expect(r.headers.location).toBe(again.headers.location);
      else {
        expect(r.status).toBe(409);
        expect(r.text).toContain('Tento formulář už byl odeslán a dokument se právě eviduje.');
      }
    }
    expect(both.some((r) => r.status === 303)).toBe(true);
    // another user's post with the key registers nothing
    await post('admin', '/records/register', fields).expect(409);
    expect(await t.db('documents').where({ subject: 'Odvolání proti rozhodnutí' })).toHaveLength(1);
  });
});

describe('creating an own document (referent)', () => {
  it('creates an outgoing letter with its addressee in a file of the unit; it waits in the dispatch list', async () => {
    const file = await t.db('files').where({ subject: 'Žádost o vyjádření k přístavbě' }).first();
    const form = (await get('referent', `/records/own?file=${encodeURIComponent(file.file_reference)}`).expect(200)).text;
    expect(form).toContain(`value="${file.file_reference}"`);
    expect(form).toContain('Nový spis bude patřit vašemu útvaru OSU.');

    const res = await post('referent', '/records/own', {
      direction: 'outgoing', channel: 'post', form: 'analog', subject: 'Vyjádření k přístavbě', fileMode: 'existing', fileReference: file.file_reference,
      addresseeKind: 'person', addresseeGivenName: 'Jana', addresseeFamilyName: 'Nováková', addresseeStreet: 'Moskevská 12', addresseeCity: 'Karlovy Vary', addresseePostcode: '36001', action: 'register',
    }, [[PDF, 'vyjadreni.pdf']]).expect(303);
    const doc = await t.db('documents').where({ id: res.headers.location.split('/').pop() }).first();
    expect(doc).toMatchObject({ direction: 'outgoing', state: 'created', channel: 'post', file_id: file.id, handler: 'referent', created_by: 'user:referent' });
    expect((await t.db('parties').where({ id: doc.addressee_party_id }).first()).display_name).toBe('Jana Nováková');
    const done = await get('referent', res.headers.location).expect(200);
    expect(done.text).toContain(`href="/records/files/${file.id}"`);
    // the file's page offers the next one
    expect((await get('referent', `/records/files/${file.id}`).expect(200)).text).toContain(`href="/records/own?file=${file.file_reference}"`);
    expect((await get('spisovna', `/records/files/${file.id}`).expect(200)).text).not.toContain('href="/records/own');
    expect((await get('podatelna', '/records/dispatch?unit=OSU').expect(200)).text).toContain(doc.reference_number);
  });

  it('opens a new file only in the referent\'s own unit, files only into files the unit may see, and needs an addressee for an outgoing letter', async () => {
    const before = await counts();
    const foreign = await post('referent', '/records/own', { direction: 'internal', form: 'electronic', subject: 'Záznam z jednání', fileMode: 'existing', fileReference: odpFile.fileReference, action: 'register' }).expect(400);
    expect(foreign.text).toContain('Spis s touto spisovou značkou neexistuje, nebo k němu nemáte přístup.');
    const noAddressee = await post('referent', '/records/own', { direction: 'outgoing', channel: 'post', form: 'analog', subject: 'Výzva', fileMode: 'new', classCode: '1.3', action: 'register' }).expect(400);
    expect(noAddressee.text).toContain('Odesílaný dokument potřebuje adresáta');
    expect(await counts()).toEqual(before);

    // the unit posted is not the referent's: the new file is still the referent's unit's
    const res = await post('referent', '/records/own', { direction: 'internal', form: 'electronic', subject: 'Úřední záznam o kontrole', fileMode: 'new', classCode: '1.3', orgUnit: 'ODP', action: 'register' }).expect(303);
    const doc = await t.db('documents').where({ id: res.headers.location.split('/').pop() }).first();
    expect(doc).toMatchObject({ direction: 'internal', channel: 'internal', org_unit: 'OSU' });
    expect((await t.db('files').where({ id: doc.file_id }).first()).org_unit).toBe('OSU');
    // the confirmation is not another unit's to read
    await get('spisovna', res.headers.location).expect(200); // the records centre sees every file
    const closed = await t.db('files').where({ id: doc.file_id }).update({ state: 'closed' });
    expect(closed).toBe(1);
    const intoClosed = await post('referent', '/records/own', { direction: 'internal', form: 'electronic', subject: 'Dodatek', fileMode: 'existing', fileReference: (await t.db('files').where({ id: doc.file_id }).first()).file_reference, action: 'register' }).expect(400);
    expect(intoClosed.text).toContain('Spis není otevřený');
  });
});
