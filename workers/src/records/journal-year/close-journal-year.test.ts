import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { checkPdfA } from '../../documents/pdfa-check';
import { incrementJournalCounter } from '../../registry/journal.repository';
import { pragueYear } from '../../registry/reference-number.service';
import { createSealingPorts, type SealingPorts } from '../../signing/seal-key-provider';
import { pdfsig, pdftotext } from '../../signing/testing/poppler';
import { countRows, silentLog, testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import { registerRecord, type RegisterRecordInput } from '../files/register-record.service';
import type { Actor } from '../records.model';
import { closeJournalYear, JOURNAL_YEAR_ACTOR } from './close-journal-year.service';
import { closePendingJournalYears } from './close-journal-years.schedule';
import { journalEntries } from './journal-year.repository';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-journal-year-'));
// the generated dev seal is valid from the moment it is made: the closing itself runs on the real clock
const thisYear = pragueYear(new Date());
const Y = thisYear - 1;
const admin: Actor = { username: 'system:cli:test', roles: ['admin'], orgUnit: null };
const clerk: Actor = { username: 'podatelna1', roles: ['podatelna'], orgUnit: null };
const TABLES = ['journal_year_closures', 'journal', 'journal_counters', 'documents', 'components', 'component_seals', 'files', 'audit_log'];

describe('yearly closure of the registry journal', () => {
  let db: Db;
  let close: () => Promise<void>;
  let sealing: SealingPorts;
  const config = testConfig({ OPENSPIS_DATA_DIR: dataDir });
  const ports = () => ({ db, clock: () => new Date(), config, sealing });
  const register = (at: string, input: Partial<RegisterRecordInput> = {}) => registerRecord({ db, clock: () => new Date(at), config }, clerk, {
    direction: 'incoming', subject: 'Žádost o opravu chodníku', channel: 'post', form: 'analog', classCode: '1.5',
    sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' }, ...input,
  });
  const blob = async (componentId: string) => {
    const c = await db('components').where({ id: componentId }).first();
    return Buffer.from((await db('blobs').where({ sha256: c.blob_sha256 }).first()).content);
  };
  let sheet: Awaited<ReturnType<typeof register>>;

  // a database with its migrations, the file plan and a year's journal: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    sealing = createSealingPorts(config);
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(Y - 1), { at: new Date(`${Y - 1}-01-01T12:00:00Z`) }));
    await register(`${Y - 1}-11-03T09:00:00Z`, { subject: 'Stížnost na hluk' });
    sheet = await register(`${Y}-02-10T09:00:00Z`, { subject: 'Oprava chodníku v ulici Příčná' });
    const settled = await register(`${Y}-05-20T09:00:00Z`, { subject: 'Žádost o kopii mapy' });
    const cancelled = await register(`${Y}-12-31T21:30:00Z`, { subject: 'Omylem zaevidováno' });
    await db('journal').where({ document_id: settled.documentId }).update({ state: 'settled', settled_at: new Date(`${Y}-06-01T10:00:00Z`), settlement_method: 'noted' });
    await db('journal').where({ document_id: cancelled.documentId }).update({ state: 'cancelled', cancelled_at: new Date(`${Y}-12-31T22:00:00Z`) });
  }, 180_000);
  afterAll(async () => {
    await sealing.close();
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes a finished year: the closing record, a sealed landscape PDF/A of every entry registered as a record, logged as Uzavreni of the Denik', async () => {
    // when
    const r = await closeJournalYear(ports(), admin, { year: Y });

    // then
    expect(r).toMatchObject({ year: Y, created: true, lastSeq: 3, entries: 3, states: { registered: 1, settled: 1, cancelled: 1 } });
    const closure = await db('journal_year_closures').where({ office: 'MMKV', year: Y }).first();
    expect(closure).toMatchObject({ last_seq: 3, entries: 3, closed_by: 'system:cli:test', document_id: r.documentId, sealed_component_id: r.sealedComponentId });

    const sealed = await blob(r.sealedComponentId);
    expect(pdfsig(sealed)).toContain('Signature Validation: Signature is Valid.');
    expect(await checkPdfA(sealed)).toMatchObject({ ok: true, problems: [] });
    // cells wrap: compare with the line breaks as spaces
    const text = pdftotext(sealed).replace(/\s+/g, ' ');
    expect(text).toContain(`Podací deník ${Y}`);
    expect(text).toContain(sheet.referenceNumber);
    expect(text).toContain('Oprava chodníku v ulici Příčná');
    expect(text).toContain('Jana Nováková');
    expect(text).toContain('stornováno');
    expect(text).toContain('vzetí na vědomí');
    expect(text).not.toContain('Stížnost na hluk');
    expect(text).toContain('Uzavírací záznam');
    expect(text).toContain('Poslední pořadové číslo: 3. Počet záznamů: 3.');
    expect(text).toContain('nevyřízených: 1, vyřízených: 1, stornovaných: 1');
    // A4 landscape
    const mediaBox = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(sealed.toString('latin1'));
    expect(Number(mediaBox![1])).toBeGreaterThan(Number(mediaBox![2]));

    // a record like any other, in a file of the configured class, closed with it
    const journal = await db('journal').where({ document_id: r.documentId }).first();
    expect(journal).toMatchObject({ direction: 'internal', subject: `Podací deník ${Y}`, year: thisYear, class_code: '1.6', state: 'settled' });
    expect(await db('files').where({ id: closure.file_id }).first()).toMatchObject({ state: 'closed', class_code: '1.6', disposal_code: 'A', subject: `Podací deník ${Y}` });
    const logged = await db('audit_log').where({ event_type: 'Uzavreni', object_type: 'Denik', object_id: `MMKV/${Y}` });
    expect(logged).toHaveLength(1);
    expect(logged[0].details).toMatchObject({ year: Y, lastSeq: 3, entries: 3 });
  });

  it('is idempotent: a second run, also two at once, writes nothing and says the year was closed before', async () => {
    const before = await countRows(db, TABLES);
    const [a, b] = await Promise.all([closeJournalYear(ports(), admin, { year: Y }), closeJournalYear(ports(), JOURNAL_YEAR_ACTOR, { year: Y })]);
    for (const r of [a, b]) expect(r).toMatchObject({ created: false, sealed: false, year: Y, lastSeq: 3, entries: 3 });
    expect(a.documentId).toBe(b.documentId);
    expect(await countRows(db, TABLES)).toEqual(before);

    // two closures of a year still open, at the same moment: one record, made by one of them
    await db('journal_counters').insert({ office: 'MMKV', year: Y - 7, last_seq: 0 });
    const [c, d] = await Promise.all([closeJournalYear(ports(), admin, { year: Y - 7 }), closeJournalYear(ports(), JOURNAL_YEAR_ACTOR, { year: Y - 7 })]);
    expect([c.created, d.created].sort()).toEqual([false, true]);
    // the seal goes on once, by whichever run gets to it first
    expect([c.sealed, d.sealed].sort()).toEqual([false, true]);
    expect(c).toMatchObject({ documentId: d.documentId, sealedComponentId: d.sealedComponentId, entries: 0 });
    expect(await db('journal_year_closures').where({ year: Y - 7 })).toHaveLength(1);
  });

  it('a closure a crash left unsealed: a later run puts the seal on and says so, but does not claim the closure', async () => {
    // given a run whose seal key fails after the closing record was stored
    const unplugged: SealingPorts = { key: () => Promise.reject(new Error('token unplugged')), timeStamper: null, close: async () => {} };
    await expect(closeJournalYear({ ...ports(), sealing: unplugged }, admin, { year: Y - 8 })).rejects.toThrow('token unplugged');
    const left = await db('journal_year_closures').where({ office: 'MMKV', year: Y - 8 }).first();
    expect(left).toMatchObject({ closed_by: admin.username, sealed_component_id: null });

    // when an administrator runs the closure again
    const out: string[] = [];
    const ctx = { db, config, clock: () => new Date(), actor: admin, out: (l: string) => out.push(l), err: () => {} };
    expect(await runCli(COMMANDS, ['journal', 'close-year', String(Y - 8)], ctx)).toBe(0);

    // then the command says the year was closed before and sealed now; the record is the first run's
    expect(out[0]).toMatch(new RegExp(`^${Y - 8}\tclosed before, sealed now\tlast number -\t0 entries\t`));
    const sealed = await db('journal_year_closures').where({ year: Y - 8 }).first();
    expect(sealed).toMatchObject({ closed_by: admin.username, document_id: left.document_id });
    expect(sealed.sealed_component_id).not.toBeNull();
    expect(await db('component_seals').where({ document_id: left.document_id })).toHaveLength(1);
    // and later runs neither close nor seal
    const [a, b] = await Promise.all([closeJournalYear(ports(), admin, { year: Y - 8 }), closeJournalYear(ports(), JOURNAL_YEAR_ACTOR, { year: Y - 8 })]);
    for (const r of [a, b]) expect(r).toMatchObject({ created: false, sealed: false, sealedComponentId: sealed.sealed_component_id });
  });

  it('refuses a year not over, a year that is not one, a person without the records role and a file plan without the class; nothing written', async () => {
    const before = await countRows(db, TABLES);
    await expect(closeJournalYear(ports(), admin, { year: thisYear })).rejects.toMatchObject({ code: 'JOURNAL_YEAR_NOT_OVER' });
    await expect(closeJournalYear(ports(), admin, { year: 20.5 })).rejects.toMatchObject({ code: 'JOURNAL_YEAR_INVALID' });
    await expect(closeJournalYear(ports(), { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { year: Y - 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const other = { ...ports(), config: testConfig({ OPENSPIS_DATA_DIR: dataDir, JOURNAL_CLASS_CODE: '9.9.9' }) };
    await expect(closeJournalYear(other, admin, { year: Y - 1 })).rejects.toMatchObject({ code: 'JOURNAL_FILE_CLASS_NOT_FOUND' });
    expect(await countRows(db, TABLES)).toEqual(before);
  });

  it('after the closure the running numbers of the year are final: a registration numbered in it is refused, in the service and in the database', async () => {
    const before = await countRows(db, TABLES);
    // a node whose clock is still in the closed year
    await expect(register(`${Y}-12-31T22:59:00Z`)).rejects.toMatchObject({ code: 'JOURNAL_YEAR_CLOSED' });
    expect(await countRows(db, TABLES)).toEqual(before);
    // whatever path writes, the database refuses a new running number of the closed year
    await expect(db.transaction((trx) => incrementJournalCounter(trx, 'MMKV', Y))).rejects.toThrow(/JOURNAL_YEAR_CLOSED/);
    const row = await db('journal').where({ document_id: sheet.documentId }).first();
    await expect(db('journal').insert({ ...row, id: undefined, seq: 99, reference_number: `MMKV/99/${Y}`, document_id: r0() })).rejects.toThrow(/JOURNAL_YEAR_CLOSED/);
    expect(await countRows(db, TABLES)).toEqual(before);

    // a document received on 31 December and registered now goes into this year's journal with its true receipt date
    const late = await register(new Date().toISOString(), { receivedAt: new Date(`${Y}-12-31T15:00:00Z`), subject: 'Dopis z 31. prosince' });
    expect(await db('journal').where({ document_id: late.documentId }).first()).toMatchObject({ year: thisYear });
    // and a further document of a collection sheet of the closed year keeps the sheet's number
    const further = await register(new Date().toISOString(), { fileId: sheet.fileId, classCode: null, subject: 'Doplnění žádosti' });
    expect(further.referenceNumber).toBe(`${sheet.referenceNumber}-2`);
  });

  it('a year of many pages: each page has the marks and the column headings; read and drawn in batches; still PDF/A', async () => {
    // given 240 entries of an older year, written directly (the registration path is covered above)
    const year = Y - 3;
    const fileId = '11111111-1111-4111-8111-111111111111';
    await db('files').insert({ id: fileId, file_reference: `MMKV/1/${year}`, subject: 'Stará agenda', state: 'open', kind: 'file', office: 'MMKV', year, seq: 1, last_order: 1, created_by: 'test', created_at: new Date(`${year}-01-02T08:00:00Z`) });
    const ids = Array.from({ length: 240 }, (_, k) => `00000000-0000-4000-8000-${String(k + 1).padStart(12, '0')}`);
    await db('documents').insert(ids.map((id, k) => ({ id, jid: `MMKVOLD${k + 1}`, file_id: fileId, direction: 'incoming', subject: `Podání ${k + 1}`, reference_number: `MMKV/${k + 1}/${year}`, order_in_file: 1, state: 'registered', created_by: 'test', created_at: new Date(`${year}-03-01T08:00:00Z`) })));
    await db('journal').insert(ids.map((id, k) => ({
      office: 'MMKV', year, seq: k + 1, reference_number: `MMKV/${k + 1}/${year}`, jid: `MMKVOLD${k + 1}`, document_id: id, file_id: fileId,
      received_at: new Date(`${year}-03-01T08:00:00Z`), subject: `Podání ${k + 1} ve věci opravy veřejného osvětlení v ulici Krále Jiřího`, sender: 'Jana Nováková',
    })));
    await db('journal_counters').insert({ office: 'MMKV', year, last_seq: 240 });

    // when
    const r = await closeJournalYear(ports(), admin, { year });

    // then
    expect(r).toMatchObject({ entries: 240, lastSeq: 240, states: { registered: 240 } });
    const sealed = await blob(r.sealedComponentId);
    expect(await checkPdfA(sealed)).toMatchObject({ ok: true, problems: [] });
    const pages = pdftotext(sealed).split('\f').filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(3);
    pages.forEach((page, k) => {
      expect(page).toContain(`Strana ${k + 1}`);
      expect(page).toContain('Magistrát');
      if (k < pages.length - 1) expect(page.replace(/\s+/g, ' ')).toContain('Číslo jednací');
    });
    const text = pages.join(' ').replace(/\s+/g, ' ');
    for (const n of [1, 120, 240]) expect(text).toContain(`MMKV/${n}/${year}`);
    expect(text).toContain('Poslední pořadové číslo: 240. Počet záznamů: 240.');
  }, 120_000); // a PDF/A of many pages drawn, sealed and read back: 3 s alone, over 30 s on a busy machine

  it('reads the journal in batches, in running-number order', async () => {
    const pages: number[][] = [];
    for await (const rows of journalEntries(db, 'MMKV', Y, 2)) pages.push(rows.map((r) => r.seq * 10 + r.order_in_file));
    expect(pages).toEqual([[11, 12], [21, 31]]);
  });

  it('npm run cli -- journal close-year <YYYY>: says a closed year was closed before, exit 1 on a refusal, exit 2 on bad usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config, clock: () => new Date(), actor: admin, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runCli(COMMANDS, ['journal', 'close-year', String(Y)], ctx)).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${Y}\tclosed before\tlast number 3\t3 entries \\(cancelled 1, registered 1, settled 1\\)\tMMKV\\S+\tMMKV\\S+$`));
    expect(await runCli(COMMANDS, ['journal', 'close-year', 'loni'], ctx)).toBe(2);
    expect(await runCli(COMMANDS, ['journal', 'close-year', String(thisYear)], ctx)).toBe(1);
    expect(err.at(-1)).toMatch(/^JOURNAL_YEAR_NOT_OVER/);
  });

  it('the schedule closes last year once, never the current year, and leaves older open years to an administrator', async () => {
    // a year before last still open (taken over from an earlier system): named, not closed
    await db('journal_counters').insert({ office: 'MMKV', year: Y - 5, last_seq: 7 });
    const warnings: unknown[] = [];
    const log = Object.assign(Object.create(silentLog), { warn: (o: unknown) => warnings.push(o), error: (o: unknown) => warnings.push(o) });
    // on 2 January of next year: this year has running numbers (the tests above registered in it), Y is closed already;
    // last in the file, since it closes this year for good
    const nextJanuary = () => new Date(`${thisYear + 1}-01-02T09:00:00Z`);
    expect(await closePendingJournalYears({ ...ports(), clock: nextJanuary }, log)).toEqual([thisYear]);
    expect(warnings).toEqual([{ years: [Y - 5, Y - 1] }]);
    expect(await db('journal_year_closures').whereIn('year', [Y - 5, Y - 1])).toEqual([]);
    expect(await closePendingJournalYears({ ...ports(), clock: nextJanuary }, silentLog)).toEqual([]);
    // today, last year (Y) is closed and this year is not over: nothing to do
    const closed = await closePendingJournalYears(ports(), silentLog);
    expect(closed).toEqual([]);
    expect(await db('journal_year_closures').where({ year: thisYear }).first()).toMatchObject({ closed_by: JOURNAL_YEAR_ACTOR.username });
    expect(await db('journal_year_closures').where({ year: thisYear + 1 })).toEqual([]);
  });
});

function r0(): string {
  return '00000000-0000-4000-8000-000000000000';
}
