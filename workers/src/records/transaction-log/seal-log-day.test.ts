import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditLog, auditHash, createTestDb, tamperWithAuditLog, verifyAuditLog, type Db } from '@openspis/db';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { checkPdfA } from '../../documents/pdfa-check';
import { createSealingPorts, type SealingPorts } from '../../signing/seal-key-provider';
import { verifyPadesWithOpenssl } from '../../signing/testing/openssl';
import { pdfsig, pdftotext } from '../../signing/testing/poppler';
import { countRows, silentLog, testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import { validateNsesssXml } from '../xml/nsesss-schemas';
import type { Actor } from '../records.model';
import { sealTransactionLogDay, TRANSACTION_LOG_ACTOR } from './seal-log-day.service';
import { sealPendingLogDays } from './seal-log-days.schedule';
import { pragueMidnight } from './prague-day';
import { pragueDay } from '../records.ports';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-log-seal-'));
// the generated dev seal is valid from the moment it is made, so the days are counted back from today
const today = pragueDay(new Date());
const D = (n: number) => {
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};
const at = (day: string, minutes: number) => new Date(pragueMidnight(day).getTime() + minutes * 60_000).toISOString();
const admin: Actor = { username: 'system:cli:test', roles: ['admin'], orgUnit: null };

describe('daily sealed rendering of the transaction log', () => {
  let db: Db;
  let close: () => Promise<void>;
  let sealing: SealingPorts;
  const config = testConfig({ OPENSPIS_DATA_DIR: dataDir });
  const ports = () => ({ db, clock: () => new Date(), config, sealing });
  const log = (when: string, eventType: string, objectId: string, details: Record<string, unknown> = {}) =>
    db.transaction((trx) => appendAuditLog(trx, { actor: 'user:referent', eventType, objectType: 'Dokument', objectId, details, occurredAt: new Date(when) }));
  const blob = async (componentId: string) => {
    const c = await db('components').where({ id: componentId }).first();
    return Buffer.from((await db('blobs').where({ sha256: c.blob_sha256 }).first()).content);
  };

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    sealing = createSealingPorts(config);
    // 23:59 Prague three days ago, then three entries of the day before yesterday (the first at 00:30 Prague)
    await log(at(D(2), -1), 'Zalozeni', 'doc-a');
    await log(at(D(2), 30), 'Zalozeni', 'doc-b', { jid: 'MMKV00001' });
    await log(at(D(2), 600), 'VlozeniDoSpisu', 'doc-b', { fileReference: 'MMKV/1/2026' });
    await log(at(D(1), -30), 'Vyrizeni', 'doc-b');
    // the file plan with the class of the log's yearly file (1.6), stored after those entries so they stay the first
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(Number(D(10).slice(0, 4))), { at: new Date() }));
  }, 180_000);
  afterAll(async () => {
    await sealing.close();
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders the day as PDF/A and TrP XML, registers it in the year\'s log file and seals it: pdfsig and openssl verify the seal', async () => {
    // when
    const r = await sealTransactionLogDay(ports(), admin, { day: D(2) });

    // then
    expect(r).toMatchObject({ day: D(2), events: 3, created: true });
    const day = await db('transaction_log_days').where({ day: D(2) }).first();
    expect(day).toMatchObject({ events: 3, sealed_component_id: r.sealedComponentId, document_id: r.documentId });
    const lastOfDay = await db('audit_log').where({ object_id: 'doc-b', event_type: 'Vyrizeni' }).first();
    expect(day.last_hash).toBe(lastOfDay.hash);
    expect(r.lastHash).toBe(lastOfDay.hash);

    const sealed = await blob(r.sealedComponentId);
    expect(pdfsig(sealed)).toContain('Signature Validation: Signature is Valid.');
    const devCa = fs.readFileSync(path.join(dataDir, 'signing', 'dev-seal', 'dev-ca.pem'), 'utf8');
    expect(verifyPadesWithOpenssl(sealed, devCa).cms.ok).toBe(true);
    expect(await checkPdfA(sealed)).toMatchObject({ ok: true, problems: [] });
    const text = pdftotext(sealed);
    expect(text).toContain(`Transakční protokol za den ${D(2)}`);
    expect(text).toContain('Počet událostí: 3');
    expect(text).toContain('VlozeniDoSpisu');
    expect(text).not.toContain('doc-a');

    // the XML holds exactly the day's entries, valid against the schema, and the PDF prints its checksum
    const xml = (await blob(day.xml_component_id)).toString('utf8');
    expect((await validateNsesssXml(xml, 'nsesss-TrP.xsd')).errors).toEqual([]);
    expect(xml.match(/<Udalost>/g)).toHaveLength(3);
    const sha = (await db('components').where({ id: day.xml_component_id }).first()).blob_sha256;
    expect(text.replace(/\s+/g, '')).toContain(sha);

    // a record like any other: journal row, reference number, JID, in the year's transaction-log file
    const journal = await db('journal').where({ document_id: r.documentId }).first();
    expect(journal).toMatchObject({ direction: 'internal', subject: `Transakční protokol za den ${D(2)}`, components_count: 2 });
    const file = await db('files').where({ id: day.file_id }).first();
    expect(file).toMatchObject({ subject: `Transakční protokol ${D(2).slice(0, 4)}`, state: 'open', file_reference: journal.file_reference });
    // classified from the file plan like every file: class 1.6 with its retention, inherited by the document and the journal
    const cls = await db('file_classes').where({ id: file.class_id }).first();
    expect(cls).toMatchObject({ class_code: '1.6', disposal_code: 'A', retention_years: 10 });
    expect(file).toMatchObject({ class_code: '1.6', disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu' });
    expect(await db('documents').where({ id: r.documentId }).first()).toMatchObject({ disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu' });
    expect(journal).toMatchObject({ class_code: '1.6', disposal_code: 'A', retention_years: 10 });
    const events = await db('audit_log').where({ object_id: r.documentId }).orderBy('id').pluck('event_type');
    expect(events).toEqual(['Zalozeni', 'VlozeniDoSpisu']);
  });

  it('is idempotent: a second run, also two at once, writes nothing and returns the same sealed record', async () => {
    const before = await countRows(db, ['transaction_log_days', 'documents', 'components', 'component_seals', 'audit_log', 'journal']);
    const [a, b] = await Promise.all([sealTransactionLogDay(ports(), admin, { day: D(2) }), sealTransactionLogDay(ports(), admin, { day: D(2) })]);
    const first = await db('transaction_log_days').where({ day: D(2) }).first();
    for (const r of [a, b]) expect(r).toMatchObject({ created: false, sealed: false, documentId: first.document_id, sealedComponentId: first.sealed_component_id });
    expect(await countRows(db, ['transaction_log_days', 'documents', 'components', 'component_seals', 'audit_log', 'journal'])).toEqual(before);

    // a year's file opened before log files were classified gets its class with the next rendering (logged)
    await db('files').where({ id: first.file_id }).update({ class_id: null, class_code: null, disposal_code: null, retention_years: null, trigger_event: null });
    await db('documents').where({ file_id: first.file_id }).update({ disposal_code: null, retention_years: null, trigger_event: null });

    // two new days sealed at the same moment give two records, numbered in the same file
    const [c, d] = await Promise.all([sealTransactionLogDay(ports(), admin, { day: D(4) }), sealTransactionLogDay(ports(), admin, { day: D(4) })]);
    expect([c.created, d.created].sort()).toEqual([false, true]);
    // the seal goes on once, by whichever run gets to it first
    expect([c.sealed, d.sealed].sort()).toEqual([false, true]);
    expect(c.documentId).toBe(d.documentId);
    // one file a year (early in January the two days may fall into two years)
    const files = await db('transaction_log_days').distinct('file_id').pluck('file_id');
    expect(files).toHaveLength(new Set([D(2), D(4)].map((x) => x.slice(0, 4))).size);
    const orders = await db('documents').whereIn('file_id', files).orderBy('order_in_file').pluck('order_in_file');
    expect(orders).toEqual(files.length === 1 ? [1, 2] : [1, 1]);
    expect(c.events).toBe(0);
    for (const id of files) {
      expect(await db('files').where({ id }).first()).toMatchObject({ class_code: '1.6', disposal_code: 'A', retention_years: 10 });
      expect(await db('documents').where({ file_id: id }).whereNull('disposal_code')).toEqual([]);
      expect(await db('journal').where({ file_id: id }).whereNot({ class_code: '1.6' })).toEqual([]);
    }
    const reclassified = await db('audit_log').where({ object_id: first.file_id, event_type: 'Uprava' });
    expect(reclassified.map((e) => (typeof e.details === 'string' ? JSON.parse(e.details) : e.details))).toEqual(
      D(2).slice(0, 4) === D(4).slice(0, 4) ? [expect.objectContaining({ field: 'classCode', from: null, to: '1.6' })] : [],
    );
  });

  it('a day whose record a crash left unsealed: a later run puts the seal on and says so, but does not claim the record', async () => {
    // given a run whose seal key fails after the day's record was stored
    const unplugged: SealingPorts = { key: () => Promise.reject(new Error('token unplugged')), timeStamper: null, close: async () => {} };
    await expect(sealTransactionLogDay({ ...ports(), sealing: unplugged }, admin, { day: D(7) })).rejects.toThrow('token unplugged');
    const left = await db('transaction_log_days').where({ day: D(7) }).first();
    expect(left).toMatchObject({ sealed_component_id: null });

    // when two runs find it at once
    const [a, b] = await Promise.all([sealTransactionLogDay(ports(), admin, { day: D(7) }), sealTransactionLogDay(ports(), admin, { day: D(7) })]);

    // then neither made the record, one of them sealed it, both return the same seal
    for (const r of [a, b]) expect(r).toMatchObject({ created: false, documentId: left.document_id, sealedComponentId: a.sealedComponentId });
    expect([a.sealed, b.sealed].sort()).toEqual([false, true]);
    expect(await db('transaction_log_days').where({ day: D(7) }).first()).toMatchObject({ sealed_component_id: a.sealedComponentId });
    expect(await db('component_seals').where({ document_id: left.document_id })).toHaveLength(1);
  });

  it('refuses to render a day when the file plan lacks the class of the log file, or it is not a leaf', async () => {
    for (const code of ['9.9.9', '1']) {
      const other = { db, clock: () => new Date(), config: testConfig({ OPENSPIS_DATA_DIR: dataDir, TRANSACTION_LOG_CLASS_CODE: code }), sealing };
      await expect(sealTransactionLogDay(other, admin, { day: D(5) })).rejects.toMatchObject({ code: 'LOG_FILE_CLASS_NOT_FOUND' });
    }
    expect(await db('transaction_log_days').where({ day: D(5) }).first()).toBeUndefined();
  });

  it('refuses a day that is not over, a date that is not one, a person without the records role and an altered log', async () => {
    await expect(sealTransactionLogDay(ports(), admin, { day: today })).rejects.toMatchObject({ code: 'LOG_DAY_NOT_OVER' });
    await expect(sealTransactionLogDay(ports(), admin, { day: '2026-02-30' })).rejects.toMatchObject({ code: 'DAY_INVALID' });
    await expect(sealTransactionLogDay(ports(), { username: 'referent', roles: ['referent'], orgUnit: 'OSU' }, { day: D(3) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const victim = await db('audit_log').where({ object_id: 'doc-a' }).first();
    await tamperWithAuditLog(db, (trx) => trx('audit_log').where({ id: victim.id }).update({ actor: 'user:nobody' }));
    try {
      await expect(sealTransactionLogDay(ports(), admin, { day: D(3) })).rejects.toMatchObject({ code: 'LOG_ENTRY_ALTERED' });
      expect(await db('transaction_log_days').where({ day: D(3) }).first()).toBeUndefined();
    } finally {
      await tamperWithAuditLog(db, (trx) => trx('audit_log').where({ id: victim.id }).update({ actor: victim.actor }));
    }
  });

  it('the schedule catches up every finished day without a sealed rendering, once', async () => {
    const sealed = await sealPendingLogDays(ports(), silentLog);
    // the first entry is from three days ago; the day before yesterday was sealed before; today is not over
    expect(sealed).toEqual([D(3), D(1)]);
    expect(await sealPendingLogDays(ports(), silentLog)).toEqual([]);
    const actors = await db('transaction_log_days').where({ day: D(1) }).pluck('created_by');
    expect(actors).toEqual([TRANSACTION_LOG_ACTOR.username]);
  });

  it('npm run cli -- log seal-day <day>: seals once, says so the second time, exit 2 on bad usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config, clock: () => new Date(), actor: admin, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    await log(at(D(6), 540), 'Zobrazeni', 'doc-c');
    expect(await runCli(COMMANDS, ['log', 'seal-day', D(6)], ctx)).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${D(6)}\tsealed\t1 events\t\\S+\tMMKV\\S+\tchain [0-9a-f]{64}$`));
    expect(await runCli(COMMANDS, ['log', 'seal-day', D(6)], ctx)).toBe(0);
    expect(out[1]).toMatch(new RegExp(`^${D(6)}\tsealed before\t1 events`));
    expect(await runCli(COMMANDS, ['log', 'seal-day', '24.11.2026'], ctx)).toBe(2);
    expect(await runCli(COMMANDS, ['log', 'seal-day', today], ctx)).toBe(1);
    expect(err.at(-1)).toMatch(/^LOG_DAY_NOT_OVER/);
  });

  it('log verify catches a chain recomputed after an edit, which the hash chain alone accepts: the sealed day no longer matches', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config, clock: () => new Date(), actor: admin, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runCli(COMMANDS, ['log', 'verify'], ctx)).toBe(0);
    expect(out[0]).toMatch(/^transaction log intact: \d+ entries, [1-9]\d* sealed days match$/);

    // someone with database access edits an entry of a sealed day and computes every later hash again
    const rows = await db('audit_log').orderBy('id');
    const from = rows.findIndex((r) => r.object_id === 'doc-b' && r.event_type === 'VlozeniDoSpisu');
    let prev = rows[from].prev_hash;
    await tamperWithAuditLog(db, async (trx) => {
      for (const [i, r] of rows.slice(from).entries()) {
        const actor = i === 0 ? 'user:nobody' : r.actor;
        const hash = auditHash(prev, { occurred_at: new Date(r.occurred_at).toISOString(), actor, event_type: r.event_type, object_type: r.object_type, object_id: r.object_id, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details });
        await trx('audit_log').where({ id: r.id }).update({ actor, prev_hash: prev, hash });
        prev = hash;
      }
    });
    await db('audit_log_head').where({ id: 1 }).update({ last_hash: prev });
    expect((await verifyAuditLog(db)).ok).toBe(true);

    expect(await runCli(COMMANDS, ['log', 'verify'], ctx)).toBe(1);
    // the earliest day (by date) sealed over a rewritten entry: D(6) was logged last, after the edited entry
    expect(err[0]).toContain(`the sealed rendering of ${D(6)} no longer matches the log`);
    expect(err[0]).toContain('hash-mismatch');
  });
});
