import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createDisposalProposal, createTypedFile, handOverFiles, openVolume, readWorkersConfig, recordDispatch, registerRecord, seedRecordsDemo, setDisposalHold, shareFile, type RegisterRecordResult } from '@openspis/workers';
import { loadCatalogue } from '../../backoffice/src/catalogue';
import { readServerConfig } from '../../backoffice/src/config';
import { PROCESSES_DIR } from '../../backoffice/src/paths';
import { seedDemoUsers } from '../../backoffice/src/seed/demo-users';
import { createServer } from '../../backoffice/src/server';
import { FakeEngine } from '../../backoffice/src/testing/fake-engine';
import { wcagViolations } from '../support/axe';
import { freePort, tempDataDir } from '../support/processes';

// The records screens of the back-office (journal, files, a file — with the hold and trigger-event forms —, a document's parties, the dispatch list, the registration
// of a received document and of an own document with their refusals and the confirmation, the settlement, storno, closure
// (with its refusal per document) and reopening forms of a file, the parties register with a party and the merge confirmation, the records
// centre with hand-over, disposal proposals, the assessor's view and the archive's decisions, typed files with their parts and
// volumes and the form that opens one, also refused) in
// headless Chromium, checked by axe-core against WCAG 2.1 A and AA, in each language.


let db: Db;
let closeDb: () => Promise<void>;
let server: http.Server;
let browser: Browser;
let baseUrl = '';
const contexts: Record<string, BrowserContext> = {};
const dataDir = tempDataDir('openspis-a11y-');
let open: RegisterRecordResult;
let foreign: RegisterRecordResult;
let proposalId = '';
let centreFileId = '';
let inDisposalFileId = '';
let awaitingTriggerFileId = '';
let closedFileId = '';
let partyId = '';
let duplicatePartyId = '';
let typedFileId = '';
let volumeId = '';

async function signedIn(username: string): Promise<BrowserContext> {
  if (contexts[username]) return contexts[username];
  // the page's Content-Security-Policy would refuse the injected axe script
  const context = await browser.newContext({ locale: 'cs-CZ', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Uživatelské jméno').fill(username);
  await page.getByLabel('Heslo').fill('demo');
  await page.getByRole('button', { name: 'Přihlásit se' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.close();
  contexts[username] = context;
  return context;
}

// a database, its migrations, argon2 sign-ins, the demo records and a disposal procedure: slow on a loaded machine
beforeAll(async () => {
  ({ db, close: closeDb } = await createTestDb());
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const workers = readWorkersConfig({ OPENSPIS_DATA_DIR: dataDir });
  const app = createServer({
    db, engine: new FakeEngine(), config: readServerConfig({ PUBLIC_BASE_URL: baseUrl }), log: pino({ level: 'silent' }),
    catalogue: loadCatalogue(path.resolve(PROCESSES_DIR)), workers,
  });
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await seedDemoUsers(db);
  const ports = { db, clock: () => new Date(), config: workers };
  await seedRecordsDemo(ports, { files: 2 });

  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  const spisovna = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' };
  open = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Stížnost na hluk z provozovny', channel: 'post', form: 'analog', classCode: '1.3', orgUnit: 'OSU', sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' } });
  // an answer in the open file: the dispatch form on the file's page
  await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { direction: 'outgoing', subject: 'Odpověď na stížnost', channel: 'data-box', form: 'analog', fileId: open.fileId });
  // a second answer sent through the data box, which ISDS reports undeliverable: the dispatch list's second stage shows its message and state
  const sent = await registerRecord(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { direction: 'outgoing', subject: 'Výzva k doplnění', channel: 'data-box', form: 'electronic', fileId: open.fileId });
  await recordDispatch(ports, podatelna, { documentId: sent.documentId, channel: 'data-box', dataBoxMessageId: '81000001' });
  // ISDS reported the message undeliverable (status 8): the state of the addressee's dispatch
  await db('document_dispatches').where({ document_id: sent.documentId }).update({ data_box_status: 8 });
  // shared with another unit: the file page lists the share with its withdraw button
  await shareFile(ports, { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { fileId: open.fileId, orgUnit: 'ODP' });
  foreign = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Výtluk v ulici Moskevská', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP' });
  const old: RegisterRecordResult[] = [];
  for (const subject of ['Podnět k zeleni', 'Stížnost na osvětlení', 'Žádost o kopii']) {
    old.push(await registerRecord(ports, podatelna, { direction: 'incoming', subject, channel: 'post', form: 'analog', classCode: '1.3', orgUnit: 'OSU' }));
  }
  // closed in 2015 (S/5): due for disposal since 2021
  await db('files').whereIn('id', old.map((r) => r.fileId)).update({ state: 'closed', closed_at: new Date('2015-06-01T10:00:00Z'), closed_by: 'user:referent', disposal_year: 2021 });
  // one more closed file waits for hand-over
  const waiting = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Petice za přechod', channel: 'post', form: 'analog', classCode: '1.3', orgUnit: 'OSU' });
  await db('files').where({ id: waiting.fileId }).update({ state: 'closed', closed_at: new Date('2026-01-10T10:00:00Z'), closed_by: 'user:referent', disposal_year: 2032 });
  closedFileId = waiting.fileId;
  // the same person recorded twice (no identifier to tell): the parties register's merge
  const again = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Doplnění stížnosti', channel: 'post', form: 'analog', classCode: '7.4', orgUnit: 'ODP', sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková', city: 'Karlovy Vary' } });
  partyId = (await db('documents').where({ id: open.documentId }).first('sender_party_id')).sender_party_id;
  duplicatePartyId = (await db('documents').where({ id: again.documentId }).first('sender_party_id')).sender_party_id;
  // a fishing licence's file: retention from the licence's expiry, not yet recorded (the trigger form)
  const licence = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o rybářský lístek', channel: 'post', form: 'analog', classCode: '6.3', orgUnit: 'OSU' });
  await db('files').where({ id: licence.fileId }).update({ state: 'closed', closed_at: new Date('2025-04-01T10:00:00Z'), closed_by: 'user:referent', trigger_date: null, disposal_year: null });
  awaitingTriggerFileId = licence.fileId;
  await handOverFiles(ports, spisovna, { fileIds: old.map((r) => r.fileId), storageUnit: 'K-12' });
  proposalId = (await createDisposalProposal(ports, spisovna)).proposalId;
  // one file taken out of the proposal by a hold: the proposal lists it as withdrawn
  await setDisposalHold(ports, spisovna, { fileId: old[0].fileId, hold: true, reason: 'Soudní spor 12 C 34/2020' });
  centreFileId = old[0].fileId;
  inDisposalFileId = old[1].fileId;

  // a typed file of the referent's unit with two parts, one of them with a volume: parts and volumes on its page
  const referent = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
  const typed = await createTypedFile(ports, referent, { classCode: '5.3', subject: 'Stavba: Rodinný dům Jaltská 7', reference: 'STAV-A11Y-1', parts: [{ code: 'SP', title: 'Stavební povolení' }, { code: 'KOL', title: 'Kolaudace' }] });
  typedFileId = typed.fileId;
  volumeId = (await openVolume(ports, referent, { partId: typed.partIds.SP, subject: 'Povolení rodinného domu' })).fileId;

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update'] });
}, 300_000);

afterAll(async () => {
  for (const c of Object.values(contexts)) await c.close();
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await closeDb?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const screens = (): [user: string, url: string, heading: RegExp, status?: number][] => [
  ['podatelna', '/records/journal', /Podací deník|Registry journal|Реєстраційний журнал/],
  ['podatelna', '/records/journal?subject=stiznost&state=registered', /Podací deník|Registry journal|Реєстраційний журнал/],
  ['podatelna', `/records/documents/${foreign.documentId}/parties?q=novakova`, /Odesílatel a adresát|Sender and addressee|Відправник і адресат/],
  // the registry office's dispatch list (výpravna): waiting for dispatch, then for delivery (the demo's answers)
  ['podatelna', '/records/dispatch', /Výpravna|Dispatch|Експедиція/],
  ['podatelna', '/records/dispatch?stage=to-deliver&channel=data-box', /Výpravna|Dispatch|Експедиція/],
  ['referent', '/records/files', /Spisy|Files|Справи/],
  ['vedouci', '/records/files?handler=none', /Spisy|Files|Справи/],
  ['referent', `/records/files/${open.fileId}`, new RegExp(open.fileReference.replace(/\//g, '\\/'))],
  ['referent', `/records/documents/${open.documentId}/parties`, /Odesílatel a adresát|Sender and addressee|Відправник і адресат/],
  ['referent', `/records/documents/${open.documentId}`, /Dokument|Document|Документ/],
  ['podatelna', `/records/documents/${foreign.documentId}`, /Dokument|Document|Документ/],
  ['spisovna', '/records/centre', /Spisovna|Records centre|Архівний підрозділ/],
  ['spisovna', '/records/centre?held=1', /Spisovna|Records centre|Архівний підрозділ/],
  ['spisovna', '/records/centre/handover', /.+/],
  ['spisovna', '/records/centre/proposals', /.+/],
  ['spisovna', `/records/centre/proposals/${proposalId}`, /.+/],
  ['spisovna', `/records/files/${centreFileId}`, /.+/],
  ['spisovna', '/records/centre/decisions', /.+/],
  ['spisovna', `/records/files/${inDisposalFileId}`, /.+/],
  ['spisovna', `/records/files/${awaitingTriggerFileId}`, /.+/],
  ['posuzovatel', `/records/centre/proposals/${proposalId}`, /.+/],
  // registering a received document (podatelna), an own document (referent) and the confirmation
  ['podatelna', '/records/register', /Zaevidovat doručený dokument|Register a received document|Зареєструвати отриманий документ/],
  ['referent', `/records/own?file=${encodeURIComponent(open.fileReference)}`, /Nový vlastní dokument|New own document|Новий власний документ/],
  ['podatelna', `/records/registered/${open.documentId}`, /Dokument je zaevidován|The document is registered|Документ зареєстровано/],
  // a closed file of the referent's unit: the reopening form
  ['referent', `/records/files/${closedFileId}`, /.+/],
  // the head of the file's unit: the handler form with the unit's people and the change of class
  ['vedouci', `/records/files/${open.fileId}`, new RegExp(open.fileReference.replace(/\//g, '\\/'))],
  // a closed file as the records centre sees it: the change of class with its note on the disposal year
  ['spisovna', `/records/files/${closedFileId}`, /.+/],
  // the parties register: list, search, a party with its documents, the merge search and its confirmation
  ['podatelna', '/records/parties', /Jmenný rejstřík|Parties register|Реєстр суб’єктів/],
  ['referent', '/records/parties?q=novakova', /Jmenný rejstřík|Parties register|Реєстр суб’єктів/],
  ['referent', `/records/parties/${partyId}`, /Jana Nováková/],
  ['podatelna', `/records/parties/${partyId}?mq=novakova`, /Jana Nováková/],
  ['podatelna', `/records/parties/${partyId}/merge?duplicate=${duplicatePartyId}`, /Potvrzení sloučení|Confirm the merge|Підтвердження об’єднання/],
  // typed files: the form that opens one, a typed file with its parts and volumes, a volume
  ['referent', '/records/typed-files/new', /Nový typový spis|New typed file|Нова типова справа/],
  ['referent', `/records/files/${typedFileId}?typed=created`, /STAV-A11Y-1/],
  ['referent', `/records/files/${volumeId}`, /STAV-A11Y-1\/SP\/1/],
  // a refusal, shown as a page of its own
  ['referent', '/records/centre', /Operaci nelze provést|cannot be done|.+/, 403],
];

describe('records screens of the back-office meet WCAG 2.1 AA (axe-core)', () => {
  it('checks the dispatch list with its rows: a data-box message and the state ISDS reported', async () => {
    const page = await (await signedIn('podatelna')).newPage();
    await page.goto(`${baseUrl}/records/dispatch?stage=to-deliver&channel=data-box`);
    await expect(page.getByRole('cell', { name: /Datová zpráva 81000001/ }).innerText()).resolves.toContain('Nedoručitelná');
    await page.close();
  });

  it('checks the registration forms as the clerk sees them after a search in the parties register and after a refused submission', async () => {
    const found: Record<string, string[]> = {};
    for (const lng of ['cs', 'en', 'uk']) {
      // given: the registry office's form, the sender searched for with the form's own button (no JavaScript needed)
      const page = await (await signedIn('podatelna')).newPage();
      await page.goto(`${baseUrl}/records/register?lang=${lng}`);
      await page.locator('#senderQuery').fill('novakova');
      await page.locator('button[value="search-sender"]').click();
      await page.waitForLoadState();
      await expect(page.locator('input[name="senderPartyId"]').count()).resolves.toBeGreaterThan(1);
      let violations = await wcagViolations(page);
      if (violations.length) found[`${lng} register, search`] = violations;
      // when: registered with no subject, class or unit
      await page.locator('button.button[value="register"]').click();
      await page.waitForLoadState();
      // then: the summary names the fields, each linked to its control
      await expect(page.getByRole('alert').locator('a[href="#subject"]').count()).resolves.toBe(1);
      await expect(page.locator('#subject').getAttribute('aria-describedby')).resolves.toBe('subject-error');
      violations = await wcagViolations(page);
      if (violations.length) found[`${lng} register, refused`] = violations;
      await page.close();

      const own = await (await signedIn('referent')).newPage();
      await own.goto(`${baseUrl}/records/own?lang=${lng}`);
      // Enter in a field registers (the form's default button), it does not search the parties register
      await own.locator('#subject').fill('Výzva k doplnění');
      await own.locator('#subject').press('Enter');
      await own.waitForLoadState();
      await expect(own.getByRole('alert').locator('a[href="#classCode"]').count()).resolves.toBe(1);
      await expect(own.getByRole('alert').locator('a[href="#addresseeQuery"]').count()).resolves.toBe(0);
      await expect(own.locator('#subject').inputValue()).resolves.toBe('Výzva k doplnění');
      violations = await wcagViolations(own);
      if (violations.length) found[`${lng} own, refused`] = violations;
      await own.close();
    }
    expect(found).toEqual({});
  });

  it('checks the file page after a refused closure (each document and why), after a refused share and after a refused merge', async () => {
    const found: Record<string, string[]> = {};
    for (const lng of ['cs', 'en', 'uk']) {
      const page = await (await signedIn('referent')).newPage();
      await page.goto(`${baseUrl}/records/files/${open.fileId}?lang=${lng}`);
      await page.locator(`form[action="/records/files/${open.fileId}/close"] button[type="submit"]`).click();
      await page.waitForLoadState();
      await expect(page.getByRole('alert').locator(`a[href="#doc-${open.documentId}"]`).count()).resolves.toBe(1);
      for (const d of await page.locator('details').all()) await d.evaluate((el) => el.setAttribute('open', ''));
      let violations = await wcagViolations(page);
      if (violations.length) found[`${lng} closure refused`] = violations;
      await page.close();

      // sharing posted without a unit (the browser's own check switched off)
      const share = await (await signedIn('referent')).newPage();
      await share.goto(`${baseUrl}/records/files/${open.fileId}?lang=${lng}`);
      await share.locator('#share-unit').evaluate((el) => el.removeAttribute('required'));
      await share.locator(`form[action="/records/files/${open.fileId}/share"] button[type="submit"]`).click();
      await share.waitForLoadState();
      await expect(share.getByRole('alert').locator('a[href="#share-unit"]').count()).resolves.toBe(1);
      await expect(share.locator(`form[action="/records/files/${open.fileId}/unshare"] button`).count()).resolves.toBe(1);
      violations = await wcagViolations(share);
      if (violations.length) found[`${lng} share refused`] = violations;
      await share.close();

      // the confirmation posted without its checkbox (the browser's own check switched off, as a script-less old browser would)
      const merge = await (await signedIn('podatelna')).newPage();
      await merge.goto(`${baseUrl}/records/parties/${partyId}/merge?duplicate=${duplicatePartyId}&lang=${lng}`);
      await merge.locator('#merge-confirm').evaluate((el) => el.removeAttribute('required'));
      await merge.locator('form[action$="/merge"] button[type="submit"]').click();
      await merge.waitForLoadState();
      await expect(merge.getByRole('alert').locator('a[href="#merge-confirm"]').count()).resolves.toBe(1);
      await expect(merge.locator('#merge-confirm').getAttribute('aria-describedby')).resolves.toBe('merge-confirm-error');
      violations = await wcagViolations(merge);
      if (violations.length) found[`${lng} merge refused`] = violations;
      await merge.close();
    }
    expect(found).toEqual({});
    // nothing was closed, shared or merged
    expect(await db('files').where({ id: open.fileId }).first()).toMatchObject({ state: 'open' });
    expect(await db('file_shares').where({ file_id: open.fileId }).pluck('org_unit')).toEqual(['ODP']);
    expect(await db('parties').where({ id: duplicatePartyId }).first()).toMatchObject({ merged_into: null });
  });

  it('checks the typed-file form after a refused submission', async () => {
    const found: Record<string, string[]> = {};
    const typedFiles = () => db('files').where({ kind: 'typed' }).count<{ n: string }[]>({ n: '*' });
    const before = await typedFiles();
    for (const lng of ['cs', 'en', 'uk']) {
      const page = await (await signedIn('referent')).newPage();
      await page.goto(`${baseUrl}/records/typed-files/new?lang=${lng}`);
      // a part's name without a class, subject or reference (the form does no checks of its own: novalidate)
      await page.locator('#part-title-2').fill('Kolaudace');
      await page.locator('form[action="/records/typed-files"] button[type="submit"]').click();
      await page.waitForLoadState();
      await expect(page.getByRole('alert').locator('a[href="#classCode"]').count()).resolves.toBe(1);
      await expect(page.locator('#reference').getAttribute('aria-describedby')).resolves.toBe('reference-hint reference-error');
      await expect(page.locator('#part-title-2').inputValue()).resolves.toBe('Kolaudace');
      const violations = await wcagViolations(page);
      if (violations.length) found[`${lng} typed file refused`] = violations;
      await page.close();
    }
    expect(found).toEqual({});
    expect(await typedFiles()).toEqual(before);
  });

  it('checks the file page after a refused change of class', async () => {
    const found: Record<string, string[]> = {};
    for (const lng of ['cs', 'en', 'uk']) {
      // posted without a class and a reason (the browser's own checks switched off)
      const page = await (await signedIn('vedouci')).newPage();
      await page.goto(`${baseUrl}/records/files/${open.fileId}?lang=${lng}`);
      await page.locator('#reclassify-class').evaluate((el) => { el.removeAttribute('required'); (el as HTMLSelectElement).value = ''; });
      await page.locator('#reclassify-reason').evaluate((el) => el.removeAttribute('required'));
      await page.locator(`form[action="/records/files/${open.fileId}/reclassify"] button[type="submit"]`).click();
      await page.waitForLoadState();
      await expect(page.getByRole('alert').locator('a[href="#reclassify-class"]').count()).resolves.toBe(1);
      await expect(page.locator('#reclassify-reason').getAttribute('aria-invalid')).resolves.toBe('true');
      const violations = await wcagViolations(page);
      if (violations.length) found[`${lng} change of class refused`] = violations;
      await page.close();
    }
    expect(found).toEqual({});
    expect(await db('files').where({ id: open.fileId }).first()).toMatchObject({ class_code: '1.3' });
  });

  it('checks the file page after a refused change of the handler', async () => {
    const found: Record<string, string[]> = {};
    for (const lng of ['cs', 'en', 'uk']) {
      // posted without a person (the browser's own check switched off)
      const page = await (await signedIn('vedouci')).newPage();
      await page.goto(`${baseUrl}/records/files/${open.fileId}?lang=${lng}`);
      await page.locator('#handler-person').evaluate((el) => el.removeAttribute('required'));
      await page.locator(`form[action="/records/files/${open.fileId}/handler"] button[type="submit"]`).click();
      await page.waitForLoadState();
      await expect(page.getByRole('alert').locator('a[href="#handler-person"]').count()).resolves.toBe(1);
      await expect(page.locator('#handler-person').getAttribute('aria-invalid')).resolves.toBe('true');
      for (const d of await page.locator('details').all()) await d.evaluate((el) => el.setAttribute('open', ''));
      const violations = await wcagViolations(page);
      if (violations.length) found[`${lng} handler refused`] = violations;
      await page.close();
    }
    expect(found).toEqual({});
    expect(await db('files').where({ id: open.fileId }).first()).toMatchObject({ owner: null });
  });

  for (const lng of ['cs', 'en', 'uk']) {
    it(`has no violations in ${lng}`, async () => {
      const found: Record<string, string[]> = {};
      for (const [user, url, heading, status] of screens()) {
        const page = await (await signedIn(user)).newPage();
        const res = await page.goto(`${baseUrl}${url}${url.includes('?') ? '&' : '?'}lang=${lng}`);
        expect(res?.status(), `${user} ${url}`).toBe(status ?? 200);
        expect(await page.locator('html').getAttribute('lang')).toBe(lng);
        await expect(page.getByRole('heading', { level: 1 }).first().innerText()).resolves.toMatch(heading);
        // closed disclosure widgets (moving a document) are checked open as well
        for (const d of await page.locator('details').all()) await d.evaluate((el) => el.setAttribute('open', ''));
        const violations = await wcagViolations(page);
        if (violations.length) found[`${user} ${url}`] = violations;
        await page.close();
      }
      expect(found).toEqual({});
    });
  }
});
