import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveDocument, readWorkersConfig, registerRecord, seedRecordsDemo, type RegisterRecordResult } from '@openspis/workers';
import { seedDemoUsers } from '../seed/demo-users';
import { createTestServer, signIn } from '../testing/harness';

let t: Awaited<ReturnType<typeof createTestServer>>;
const cookies: Record<string, string> = {};
/** a letter with a scan for OSU (the unit of the demo logins referent and vedouci), moved into a second file */
let letter: RegisterRecordResult;
/** a letter for ODP, and an outgoing answer of ODP */
let foreign: RegisterRecordResult;
let foreignAnswer: RegisterRecordResult;
let movedTo: string;
const SCAN = Buffer.from('%PDF-1.4\n% the scan of a letter\n%%EOF\n');

const get = (user: string, url: string) => request(t.callback).get(url).set('Cookie', cookies[user]);
const events = async (objectType: string, objectId: string, eventType: string) =>
  Number((await t.db('audit_log').where({ object_type: objectType, object_id: objectId, event_type: eventType }).count({ n: '*' }).first())?.n);

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  t = await createTestServer();
  await seedDemoUsers(t.db);
  for (const username of ['podatelna', 'referent', 'vedouci', 'spisovna', 'kancelar']) cookies[username] = await signIn(t.callback, username);
  const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: '/tmp/openspis-records-document-page-ui' }) };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  letter = await registerRecord(ports, podatelna, {
    direction: 'incoming', subject: 'Žádost o dělení pozemku', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU', handler: 'referent',
    senderReference: 'SKV/7/2026', attachmentsCount: 2, attachmentsKind: '2 listy A4',
    components: [{ fileName: 'zadost.pdf', mediaType: 'application/pdf', content: SCAN, format: 'pdf' }],
  });
  const second = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Jiná žádost', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'OSU', handler: 'referent' });
  const referent = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
  await moveDocument(ports, referent, { documentId: letter.documentId, toFileId: second.fileId, reason: 'Patří k žádosti' });
  movedTo = second.fileId;
  foreign = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Uzavírka silnice', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP', handler: null });
  const kucera = { username: 'kucera', roles: ['referent'], orgUnit: 'ODP' };
  foreignAnswer = await registerRecord(ports, kucera, {
    direction: 'outgoing', subject: 'Rozhodnutí o uzavírce', channel: 'data-box', fileId: foreign.fileId, handler: 'kucera',
    components: [{ fileName: 'rozhodnuti.pdf', mediaType: 'application/pdf', content: SCAN, format: 'pdf' }],
  });
}, 180_000);
afterAll(() => t.close());

describe('the document page', () => {
  it('shows the journal entry, the components to download, the move between files and the history, and logs the display', async () => {
    const before = await events('Dokument', letter.documentId, 'Zobrazeni');
    const html = (await get('referent', `/records/documents/${letter.documentId}`).expect(200)).text;
    expect(html).toContain(`<h1>Dokument ${letter.referenceNumber}</h1>`);
    expect(html).toContain(`<dd>${letter.jid}</dd>`);
    expect(html).toContain('<dd>Žádost o dělení pozemku</dd>');
    expect(html).toContain('<dd>SKV/7/2026</dd>');
    expect(html).toContain('<dd>2 – 2 listy A4</dd>');
    expect(html).toContain('<dd>Pošta, listinná podoba</dd>');
    // people by name: the handler and who registered it
    expect(html).toContain('<dt>Zpracovatel</dt><dd>Radek Referent</dd>');
    expect(html).toContain('<dt>Zaevidoval / vytvořil</dt><dd>Petra Podatelná, ');
    const [component] = await t.db('components').where({ document_id: letter.documentId }).select('id');
    expect(html).toContain(`<a href="/components/${component.id}" download>zadost.pdf</a>`);
    // the move: from its own file into the second one, with the reason
    expect(html).toMatch(/<h2 id="moves-heading">Přesuny mezi spisy<\/h2>[\s\S]*Patří k žádosti/);
    // the history from the transaction log, in words, newest first
    const history = html.slice(html.indexOf('id="history-heading"'));
    expect(history).toContain('Založení');
    expect(history).toContain('Vložení do spisu');
    expect(history.indexOf('Vložení do spisu')).toBeLessThan(history.lastIndexOf('Založení'));
    expect(html).toContain(`<a href="/records/files/${movedTo}#doc-${letter.documentId}">`);
    expect(await events('Dokument', letter.documentId, 'Zobrazeni')).toBe(before + 1);
  });

  it('is reached from the file page and the journal', async () => {
    expect((await get('referent', `/records/files/${movedTo}`).expect(200)).text).toContain(`<a href="/records/documents/${letter.documentId}">${letter.referenceNumber}</a>`);
    const journal = (await get('referent', `/records/journal?jid=${letter.jid}`).expect(200)).text;
    expect(journal).toContain(`<a href="/records/documents/${letter.documentId}" aria-label="Otevřít dokument ${letter.jid}">${letter.jid}</a>`);
  });

  it('downloads a component for a user of the file\'s unit, logged as Zobrazeni of the Komponenta', async () => {
    const [component] = await t.db('components').where({ document_id: letter.documentId }).select('id');
    const before = await events('Komponenta', component.id, 'Zobrazeni');
    const res = await get('vedouci', `/components/${component.id}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain('zadost.pdf');
    expect(Buffer.compare(res.body as Buffer, SCAN)).toBe(0);
    expect(await events('Komponenta', component.id, 'Zobrazeni')).toBe(before + 1);
  });

  it('refuses another unit\'s document and its components, and logs nothing', async () => {
    const [component] = await t.db('components').where({ document_id: foreignAnswer.documentId }).select('id');
    const before = await t.db('audit_log').count({ n: '*' }).first();
    expect((await get('referent', `/records/documents/${foreign.documentId}`).expect(403)).text).not.toContain('Uzavírka silnice');
    await get('referent', `/components/${component.id}`).expect(403);
    await get('kancelar', `/records/documents/${foreignAnswer.documentId}`).expect(403);
    expect(await t.db('audit_log').count({ n: '*' }).first()).toEqual(before);
  });

  it('lets the registry office read what it registered and the outgoing documents it dispatches, and the records centre everything', async () => {
    expect((await get('podatelna', `/records/documents/${foreign.documentId}`).expect(200)).text).toContain('Uzavírka silnice');
    const answer = (await get('podatelna', `/records/documents/${foreignAnswer.documentId}`).expect(200)).text;
    expect(answer).toContain('Rozhodnutí o uzavírce');
    // no link to a file the registry office may not open
    expect(answer).not.toContain(`href="/records/files/${foreign.fileId}`);
    const [component] = await t.db('components').where({ document_id: foreignAnswer.documentId }).select('id');
    await get('podatelna', `/components/${component.id}`).expect(200);
    expect((await get('spisovna', `/records/documents/${foreignAnswer.documentId}`).expect(200)).text).toContain(`href="/records/files/${foreign.fileId}#doc-${foreignAnswer.documentId}"`);
  });

  it('speaks English and Ukrainian, and answers 404 for an unknown or malformed id', async () => {
    expect((await get('referent', `/records/documents/${letter.documentId}?lang=en`).expect(200)).text).toContain('<h2 id="components-heading">Components</h2>');
    expect((await get('referent', `/records/documents/${letter.documentId}?lang=uk`).expect(200)).text).toContain('<h2 id="components-heading">Компоненти</h2>');
    await get('referent', '/records/documents/00000000-0000-4000-8000-000000000000').expect(404);
    await get('referent', '/records/documents/not-a-uuid').expect(404);
  });
});
