import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { readWorkersConfig, registerRecord, seedRecordsDemo } from '@openspis/workers';
import { archiveDecisionXml } from '../../../workers/src/records/disposal/archive-decision.fixture';
import { loadCatalogue } from '../catalogue';
import { readServerConfig } from '../config';
import { PROCESSES_DIR } from '../paths';
import { seedDemoUsers } from '../seed/demo-users';
import { createServer } from '../server';
import { FakeEngine } from '../testing/fake-engine';
import { signIn } from '../testing/harness';

const ORIGIN = 'http://localhost:3000';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-centre-ui-'));
let db: Db;
let close: () => Promise<void>;
let callback: ReturnType<ReturnType<typeof createServer>['callback']>;
const files: { fileId: string; fileReference: string }[] = [];
const cookies: Record<string, string> = {};

async function signInAs(username: string) {
  cookies[username] = await signIn(callback, username);
}
const get = (user: string, url: string) => request(callback).get(url).set('Cookie', cookies[user]);
const post = (user: string, url: string) => request(callback).post(url).set('Cookie', cookies[user]).set('Origin', ORIGIN);
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

// a database, its migrations, argon2 sign-ins and seeding: slow on a loaded machine
beforeAll(async () => {
  ({ db, close } = await createTestDb());
  const workers = readWorkersConfig({ OPENSPIS_DATA_DIR: dataDir });
  const config = readServerConfig({ PUBLIC_BASE_URL: ORIGIN });
  callback = createServer({ db, engine: new FakeEngine(), config, log: pino({ level: 'silent' }), catalogue: loadCatalogue(path.resolve(PROCESSES_DIR)), workers }).callback();
  await seedDemoUsers(db);
  for (const u of ['podatelna', 'referent', 'vedouci', 'spisovna', 'posuzovatel']) await signInAs(u);
  const ports = { db, clock: () => new Date(), config: workers };
  await seedRecordsDemo(ports, { files: 1 });
  const podatelna = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
  for (const subject of ['Stížnost na hluk', 'Stížnost na osvětlení', 'Podnět k zeleni']) {
    files.push(await registerRecord(ports, podatelna, { direction: 'incoming', subject, channel: 'post', form: 'analog', classCode: '1.3', orgUnit: 'OSU' }));
  }
  // the first two were closed in 2015 (S/5: disposal from 2021); the third is still open
  await db('files').whereIn('id', [files[0].fileId, files[1].fileId]).update({ state: 'closed', closed_at: new Date('2015-06-01T10:00:00Z'), closed_by: 'user:referent', disposal_year: 2021 });
}, 180_000);
afterAll(async () => {
  await close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('records centre screens', () => {
  it('the records manager takes closed files over, with a storage unit; an empty selection is refused with a translated message', async () => {
    const list = await get('spisovna', '/records/centre/handover').expect(200);
    expect(list.text).toContain(files[0].fileReference);
    expect(list.text).toContain(files[1].fileReference);
    expect(list.text).not.toContain(files[2].fileReference);

    const none = await post('spisovna', '/records/centre/handover').type('form').send({ storageUnit: 'K-1' }).expect(400);
    expect(none.text).toContain('Nevybrali jste žádný spis.');
    const open = await post('spisovna', '/records/centre/handover').type('form').send({ fileId: files[2].fileId }).expect(400);
    expect(open.text).toContain('Spis není uzavřený');
    expect(await db('files').where({ id: files[2].fileId }).first()).toMatchObject({ state: 'open' });

    const res = await post('spisovna', '/records/centre/handover').type('form').send(`fileId=${files[0].fileId}&fileId=${files[1].fileId}&storageUnit=K-12`).expect(303);
    expect(res.headers.location).toBe('/records/centre?done=2');
    for (const f of files.slice(0, 2)) expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ state: 'in-records-centre', storage_unit: 'K-12' });
    expect(await db('audit_log').where({ object_id: files[0].fileId, event_type: 'PrevzetiNaSpisovnu' }).pluck('actor')).toEqual(['user:spisovna']);
    const centre = await get('spisovna', '/records/centre?done=2').expect(200);
    expect(centre.text).toContain('Převzato do spisovny: 2');
    expect(centre.text).toContain(files[1].fileReference);
  });

  it('a hold keeps a file out of the proposal; the proposal\'s SIPs download as a zip and the assessor sees the proposal read-only', async () => {
    const [held, free] = files;
    const noReason = await post('spisovna', `/records/files/${held.fileId}/hold`).type('form').send({ action: 'hold', reason: ' ' }).expect(400);
    expect(noReason.text).toContain('Uveďte důvod pozastavení skartace.');
    await post('spisovna', `/records/files/${held.fileId}/hold`).type('form').send({ action: 'hold', reason: 'Soudní spor' }).expect(303);
    const detail = await get('spisovna', `/records/files/${held.fileId}`).expect(200);
    expect(detail.text).toContain('Pozastaveno: Soudní spor');
    expect(detail.text).toContain('Zrušit pozastavení');
    expect(await db('audit_log').where({ object_id: held.fileId, event_type: 'PozastaveniSkartacniOperace' }).pluck('actor')).toEqual(['user:spisovna']);

    const created = await post('spisovna', '/records/centre/proposals').expect(303);
    const proposalUrl = created.headers.location as string;
    expect(proposalUrl).toMatch(/^\/records\/centre\/proposals\/[0-9a-f-]{36}$/);
    const proposalId = proposalUrl.split('/').pop()!;
    const inProposal = await db('disposal_proposal_files').where({ proposal_id: proposalId }).pluck('file_id');
    expect(inProposal).toContain(free.fileId);
    expect(inProposal).not.toContain(held.fileId);

    const page = await get('spisovna', proposalUrl).expect(200);
    expect(page.text).toContain(free.fileReference);
    expect(page.text).toContain(`action="/records/centre/proposals/${proposalId}/sip"`);
    expect(page.text).toContain(`Stáhnout SIP spisu ${free.fileReference}`);
    expect(page.text).not.toContain('NaN');
    const zip = await post('spisovna', `/records/centre/proposals/${proposalId}/sip`).buffer(true).parse(binary).expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toMatch(/attachment; filename="SN-\d{4}-\d+-SIP\.zip"/);
    const packages = Object.keys(unzipSync(new Uint8Array(zip.body as Buffer)));
    expect(packages.length).toBe(inProposal.length);
    expect(packages.some((n) => n.includes(free.fileReference.replace(/\//g, '_')))).toBe(true);

    // the assessor: reads the proposal, downloads one file's SIP, may not export or change anything
    const assessor = await get('posuzovatel', proposalUrl).expect(200);
    expect(assessor.text).toContain('Náhled pro posuzovatele');
    expect(assessor.text).not.toContain(`action="/records/centre/proposals/${proposalId}/sip"`);
    await post('posuzovatel', `/records/centre/proposals/${proposalId}/sip`).expect(403);
    const one = await post('posuzovatel', `/records/centre/files/${free.fileId}/sip`).buffer(true).parse(binary).expect(200);
    const entries = Object.keys(unzipSync(new Uint8Array(one.body as Buffer)));
    expect(entries.some((n) => n.endsWith('/mets.xml'))).toBe(true);
    await get('posuzovatel', '/records/centre').expect(403);
    await post('posuzovatel', `/records/files/${free.fileId}/hold`).type('form').send({ action: 'release' }).expect(403);
  });

  it('imports the archive decision from an uploaded XML once; bad uploads get translated errors and change nothing', async () => {
    const free = files[1];
    const xml = archiveDecisionXml({ listId: 'SR-UI-1', entities: [{ identifier: free.fileId, operation: 'zničit' }] });
    const missing = await post('spisovna', '/records/centre/decisions').field('note', 'x').expect(400);
    expect(missing.text).toContain('Vyberte soubor XML se seznamem archivu.');
    const bad = await post('spisovna', '/records/centre/decisions').attach('decision', Buffer.from('<Seznam/>'), 'seznam.xml').expect(400);
    expect(bad.text).toContain('Soubor není platný seznam archivu');
    expect(await db('files').where({ id: free.fileId }).first()).toMatchObject({ state: 'in-disposal' });

    const done = await post('spisovna', '/records/centre/decisions').attach('decision', Buffer.from(xml), 'seznam.xml').expect(200);
    expect(done.text).toContain(`${free.fileReference}: zničen`);
    expect(await db('files').where({ id: free.fileId }).first()).toMatchObject({ state: 'destroyed' });
    const again = await post('spisovna', '/records/centre/decisions').attach('decision', Buffer.from(xml), 'seznam.xml').expect(200);
    expect(again.text).toContain('Tento seznam byl již načten');
    const list = await get('spisovna', '/records/centre/decisions?lang=en').expect(200);
    expect(list.text).toContain('SR-UI-1');
    expect(list.text).toContain('Archive decisions');
  });

  it('a file already in a disposal proposal can be held from its page: it leaves the proposal, which lists it with the reason', async () => {
    const held = files[0];
    await post('spisovna', `/records/files/${held.fileId}/hold`).type('form').send({ action: 'release' }).expect(303);
    const created = await post('spisovna', '/records/centre/proposals').expect(303);
    const proposalUrl = created.headers.location as string;
    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-disposal' });

    const detail = await get('spisovna', `/records/files/${held.fileId}`).expect(200);
    expect(detail.text).toContain('Spis ve skartačním řízení se pozastavením vyjme ze skartačního návrhu.');
    await post('spisovna', `/records/files/${held.fileId}/hold`).type('form').send({ action: 'hold', reason: 'Kontrola NKÚ' }).expect(303);

    expect(await db('files').where({ id: held.fileId }).first()).toMatchObject({ state: 'in-records-centre', disposal_hold: true });
    const page = await get('spisovna', proposalUrl).expect(200);
    expect(page.text).toContain('Vyjmuto z návrhu (pozastavení skartace)');
    expect(page.text).toContain('Kontrola NKÚ');
    const en = await get('spisovna', `${proposalUrl}?lang=en`).expect(200);
    expect(en.text).toContain('Taken out of the proposal (disposal hold)');
    const list = await get('spisovna', '/records/centre/proposals').expect(200);
    expect(list.text).not.toContain('NaN');
  });

  it('records the day of a trigger event other than the closure from the file\'s page: the disposal year follows, logged', async () => {
    // a fishing-licence file (6.3, S/5 from the licence's expiry), closed while the licence is valid
    const ports = { db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: dataDir }) };
    const licence = await registerRecord(ports, { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' }, { direction: 'incoming', subject: 'Žádost o rybářský lístek', channel: 'post', form: 'analog', classCode: '6.3', orgUnit: 'OSU' });
    await db('files').where({ id: licence.fileId }).update({ state: 'closed', closed_at: new Date('2022-05-01T10:00:00Z'), closed_by: 'user:referent', trigger_date: null, disposal_year: null });

    const handover = await get('spisovna', '/records/centre/handover').expect(200);
    expect(handover.text).toContain('čeká na spouštěcí událost');
    const detail = await get('spisovna', `/records/files/${licence.fileId}`).expect(200);
    expect(detail.text).toContain('skončení platnosti lístku: čeká na spouštěcí událost');
    expect(detail.text).toContain('Den, kdy nastala událost „skončení platnosti lístku“');

    const bad = await post('spisovna', `/records/files/${licence.fileId}/trigger`).type('form').send({ date: '31.3.2025' }).expect(400);
    expect(bad.text).toContain('Zadejte platné datum.');
    await post('posuzovatel', `/records/files/${licence.fileId}/trigger`).type('form').send({ date: '2025-03-31' }).expect(403);
    const en = await post('spisovna', `/records/files/${licence.fileId}/trigger?lang=en`).type('form').send({ date: '2999-01-01' }).expect(400);
    expect(en.text).toContain('A trigger event can be recorded only once it has happened.');
    expect(await db('files').where({ id: licence.fileId }).first()).toMatchObject({ disposal_year: null });

    const res = await post('spisovna', `/records/files/${licence.fileId}/trigger`).type('form').send({ date: '2025-03-31' }).expect(303);
    expect(res.headers.location).toBe(`/records/files/${licence.fileId}`);
    expect(await db('files').where({ id: licence.fileId }).first()).toMatchObject({ disposal_year: 2031 });
    expect(await db('audit_log').where({ object_id: licence.fileId, event_type: 'Uprava' }).pluck('actor')).toEqual(['user:spisovna']);
    expect((await get('spisovna', `/records/files/${licence.fileId}`).expect(200)).text).toContain('2031');
  });

  it('checks the role on every route, and the origin of every post', async () => {
    for (const url of ['/records/centre', '/records/centre/handover', '/records/centre/decisions', '/records/centre/proposals']) {
      await get('referent', url).expect(403);
    }
    await post('referent', '/records/centre/proposals').expect(403);
    await post('vedouci', `/records/files/${files[2].fileId}/hold`).type('form').send({ action: 'hold', reason: 'x' }).expect(403);
    await post('podatelna', '/records/centre/handover').type('form').send({ fileId: files[2].fileId }).expect(403);
    await request(callback).post('/records/centre/proposals').set('Cookie', cookies.spisovna).expect(403);
    await request(callback).post('/records/centre/proposals').set('Origin', ORIGIN).expect(401);
    const uk = await get('spisovna', '/records/centre?lang=uk').expect(200);
    expect(uk.text).toContain('Архівний підрозділ');
    const en = await get('spisovna', '/records/files?lang=en').expect(200);
    expect(en.text).toContain('href="/records/centre"');
    expect((await get('referent', '/records/files').expect(200)).text).not.toContain('href="/records/centre"');
  });
});
