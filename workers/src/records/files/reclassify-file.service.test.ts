import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { testConfig } from '../../testing/fixtures';
import { demoFilePlan } from '../demo/demo-file-plan';
import { closeFile } from '../disposal/close-file';
import { PDFA } from '../disposal/disposal.fixture';
import { handOverFiles } from '../disposal/hand-over-files';
import { settleRecordDocument } from '../disposal/settle-record-document';
import { storeFilePlan } from '../file-plan/file-plan.service';
import type { Actor } from '../records.model';
import { exportFileSip } from '../sip/export-file-sip';
import { mayReclassifyFile, reclassifyFile } from './reclassify-file.service';
import { registerRecord } from './register-record.service';
import { createTypedFile, openVolume } from './typed-file.service';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
const vedouci: Actor = { username: 'vedouci', roles: ['vedouci'], orgUnit: 'OSU' };
const vedouciOdp: Actor = { username: 'vedouci-odp', roles: ['vedouci'], orgUnit: 'ODP' };
const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' };

describe('reclassifying a file (změna spisového znaku)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let now = new Date('2025-06-02T08:00:00Z');
  const ports = () => ({ db, clock: () => now, config: testConfig() });

  /** A new file of unit OSU in `classCode` with one incoming document (a PDF/A), registered on `at`. */
  const register = async (subject: string, classCode: string, at = now) => {
    now = at;
    const r = await registerRecord(ports(), podatelna, {
      direction: 'incoming', subject, channel: 'post', classCode, orgUnit: 'OSU', receivedAt: at,
      sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' },
      components: [{ fileName: 'podani.pdf', mediaType: 'application/pdf', content: PDFA }],
    });
    return r;
  };
  const snapshot = async (fileId: string) => ({
    file: await db('files').where({ id: fileId }).first('class_id', 'class_code', 'disposal_code', 'retention_years', 'trigger_event', 'trigger_date', 'disposal_year', 'state'),
    documents: await db('documents').where({ file_id: fileId }).orderBy('order_in_file').select('disposal_code', 'retention_years', 'trigger_event'),
    journal: await db('journal').where({ file_id: fileId }).orderBy('order_in_file').select('class_code', 'disposal_code', 'retention_years'),
    log: Number((await db('audit_log').count({ n: '*' }).first())?.n),
  });

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await db('org_units').insert([{ code: 'OSU', name: 'Odbor správní' }, { code: 'ODP', name: 'Odbor dopravy' }]).onConflict('code').ignore();
    // two plan versions: 2025, and 2026 with a class the 2025 plan does not have
    const plan2026 = demoFilePlan(2026);
    plan2026.classes[0].children.push({ ...plan2026.classes[0].children[4], class_code: '1.7', simple_code: '7', title: 'Veřejné zakázky', retention_id: 'A/10', disposal_code: 'A', retention_years: 10, sort_order: 999, children: [] });
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2025), { at: new Date('2024-12-01T08:00:00Z') }));
    await db.transaction((trx) => storeFilePlan(trx, admin, plan2026, { at: new Date('2025-12-01T08:00:00Z') }));
  }, 120_000);
  afterAll(() => close());

  it('gives an open file, its documents and journal rows the new class and retention, logged once with the reason; the same class again changes nothing', async () => {
    const first = await register('Stížnost na hluk', '1.5', new Date('2025-06-02T08:00:00Z'));
    await registerRecord(ports(), podatelna, { direction: 'incoming', subject: 'Doplnění stížnosti', channel: 'post', fileId: first.fileId, sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' } });
    now = new Date('2026-01-15T09:00:00Z');

    // when: a head of the file's unit corrects the class in 2026, the plan of 2025 still decides
    const r = await reclassifyFile(ports(), vedouci, { fileId: first.fileId, classCode: ' 1.1.1 ', reason: 'Jde o podklad pro zastupitelstvo' });

    // then
    expect(r).toEqual({ changed: true, fileReference: first.fileReference, from: '1.5', to: '1.1.1', retention: 'A/10', disposalYear: null });
    const cls = await db('file_classes as c').join('file_plans as p', 'p.id', 'c.plan_id').where({ 'c.class_code': '1.1.1', 'p.identifier': 'MMKV-SP-2025' }).first('c.id');
    const after = await snapshot(first.fileId);
    expect(after.file).toMatchObject({ class_id: cls.id, class_code: '1.1.1', disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu', state: 'open' });
    expect(after.documents).toEqual([
      { disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu' },
      { disposal_code: 'A', retention_years: 10, trigger_event: 'uzavření spisu' },
    ]);
    expect(after.journal).toEqual([{ class_code: '1.1.1', disposal_code: 'A', retention_years: 10 }, { class_code: '1.1.1', disposal_code: 'A', retention_years: 10 }]);
    const entry = await db('audit_log').where({ object_id: first.fileId }).orderBy('id', 'desc').first();
    expect(entry).toMatchObject({ event_type: 'Uprava', object_type: 'Spis', actor: 'user:vedouci' });
    expect(entry.details).toEqual({ fileReference: first.fileReference, field: 'classCode', from: '1.5', to: '1.1.1', reason: 'Jde o podklad pro zastupitelstvo', retentionFrom: 'S/5', retentionTo: 'A/10' });

    // the same class again: nothing changes, nothing is logged
    expect(await reclassifyFile(ports(), spisovna, { fileId: first.fileId, classCode: '1.1.1', reason: 'znovu' })).toMatchObject({ changed: false, from: '1.1.1', to: '1.1.1' });
    expect(await snapshot(first.fileId)).toEqual(after);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('refuses other roles and units, a missing reason or class, a class not in the file\'s plan, a grouping or typed-file class — and changes nothing', async () => {
    const f = await register('Žádost o informace', '1.4', new Date('2025-07-01T08:00:00Z'));
    now = new Date('2026-02-01T08:00:00Z');
    const before = await snapshot(f.fileId);
    const refusals: [Actor, string, string, string][] = [
      [referent, '1.3', 'chyba', 'FORBIDDEN'],
      [podatelna, '1.3', 'chyba', 'FORBIDDEN'],
      [vedouciOdp, '1.3', 'chyba', 'FORBIDDEN'], // a head of another unit
      [vedouci, '1.3', '  ', 'REASON_REQUIRED'],
      [vedouci, '1.3', 'x'.repeat(501), 'REASON_TOO_LONG'],
      [vedouci, '', 'chyba', 'FILE_CLASS_REQUIRED'],
      [vedouci, '9.9.9', 'chyba', 'FILE_CLASS_NOT_FOUND'],
      [vedouci, '1.7', 'chyba', 'FILE_CLASS_NOT_FOUND'], // only in the plan of 2026; the file was opened in 2025
      [vedouci, '1.1', 'chyba', 'FILE_CLASS_NOT_LEAF'],
      [vedouci, '2.1', 'chyba', 'FILE_CLASS_TYPED'],
    ];
    for (const [actor, classCode, reason, code] of refusals) {
      await expect(reclassifyFile(ports(), actor, { fileId: f.fileId, classCode, reason }), `${actor.username} ${classCode}`).rejects.toMatchObject({ code });
    }
    await expect(reclassifyFile(ports(), admin, { fileId: '00000000-0000-4000-8000-000000000000', classCode: '1.3', reason: 'chyba' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await snapshot(f.fileId)).toEqual(before);

    // a file opened in 2026 has the plan of 2026, with 1.7
    const newer = await register('Zakázka na opravu chodníku', '1.5', new Date('2026-02-02T08:00:00Z'));
    expect(await reclassifyFile(ports(), admin, { fileId: newer.fileId, classCode: '1.7', reason: 'veřejná zakázka' })).toMatchObject({ changed: true, to: '1.7', retention: 'A/10' });
  });

  it('classifies a portal file registered before classification, which has a unit but no class', async () => {
    const f = await register('Podání z portálu', '1.5', new Date('2025-08-01T08:00:00Z'));
    await db('files').where({ id: f.fileId }).update({ class_id: null, class_code: null, disposal_code: null, retention_years: null, trigger_event: null });
    await db('documents').where({ file_id: f.fileId }).update({ disposal_code: null, retention_years: null, trigger_event: null });
    await db('journal').where({ file_id: f.fileId }).update({ class_code: null, disposal_code: null, retention_years: null });

    const r = await reclassifyFile(ports(), spisovna, { fileId: f.fileId, classCode: '4.3', reason: 'spis z portálu bez spisového znaku' });

    expect(r).toMatchObject({ changed: true, from: null, to: '4.3', retention: 'S/5' });
    expect((await snapshot(f.fileId)).journal).toEqual([{ class_code: '4.3', disposal_code: 'S', retention_years: 5 }]);
    const entry = await db('audit_log').where({ object_id: f.fileId, event_type: 'Uprava' }).orderBy('id', 'desc').first();
    expect(entry.details).toMatchObject({ field: 'classCode', from: null, to: '4.3', retentionFrom: null, retentionTo: 'S/5' });
  });

  it('lets the records centre correct a closed file not yet handed over: the disposal year follows; its SIP is valid', async () => {
    const f = await register('Stížnost na úřad', '1.3', new Date('2025-03-03T08:00:00Z'));
    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
    now = new Date('2025-04-10T08:00:00Z');
    await closeFile(ports(), referent, { fileId: f.fileId });
    expect(await db('files').where({ id: f.fileId }).first()).toMatchObject({ disposal_year: 2031 }); // S/5 from 2025
    now = new Date('2026-03-01T08:00:00Z');
    const before = await snapshot(f.fileId);

    // a head of unit reopens a closed file first; the closed file is the records centre's
    await expect(reclassifyFile(ports(), vedouci, { fileId: f.fileId, classCode: '3.1', reason: 'chyba' })).rejects.toMatchObject({ code: 'RECLASSIFY_CLOSED' });
    expect(mayReclassifyFile(vedouci, await db('files').where({ id: f.fileId }).first())).toBe(false);
    expect(mayReclassifyFile(spisovna, await db('files').where({ id: f.fileId }).first())).toBe(true);
    expect(await snapshot(f.fileId)).toEqual(before);

    // when: A/10 from the same closure
    expect(await reclassifyFile(ports(), spisovna, { fileId: f.fileId, classCode: '3.1', reason: 'rozpočtová stížnost' })).toMatchObject({ changed: true, to: '3.1', retention: 'A/10', disposalYear: 2036 });
    expect((await snapshot(f.fileId)).file).toMatchObject({ class_code: '3.1', disposal_code: 'A', retention_years: 10, disposal_year: 2036, state: 'closed' });
    const entry = await db('audit_log').where({ object_id: f.fileId, event_type: 'Uprava' }).orderBy('id', 'desc').first();
    expect(entry.details).toMatchObject({ from: '1.3', to: '3.1', reason: 'rozpočtová stížnost', disposalYear: 2036 });

    // a class whose retention runs from another event: no disposal year until its day is recorded
    expect(await reclassifyFile(ports(), spisovna, { fileId: f.fileId, classCode: '4.2', reason: 'nájem' })).toMatchObject({ disposalYear: null });
    expect((await snapshot(f.fileId)).file).toMatchObject({ trigger_event: 'skončení nájmu', trigger_date: null, disposal_year: null });
    // back to a class retained from the closure: from the day of the closure again
    expect(await reclassifyFile(ports(), admin, { fileId: f.fileId, classCode: '3.1', reason: 'zpět' })).toMatchObject({ disposalYear: 2036 });

    // the package describes the new class and is valid against the schemas
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'openspis-reclassify-sip-'));
    try {
      const sip = await exportFileSip(ports(), spisovna, { fileReference: f.fileReference, outDir, format: 'folder' });
      const mets = await fs.readFile(path.join(sip.path, 'mets.xml'), 'utf8');
      expect((await validateAgainstNsesss(mets)).errors).toEqual([]);
      expect(mets).toContain('Rozpočet města a závěrečný účet');
      expect(mets).not.toContain('Stížnosti, petice a podněty');
    } finally {
      await fs.rm(outDir, { recursive: true, force: true });
    }

    // in the records centre the class is final, for everybody
    await handOverFiles(ports(), spisovna, { fileIds: [f.fileId] });
    const handedOver = await snapshot(f.fileId);
    await expect(reclassifyFile(ports(), admin, { fileId: f.fileId, classCode: '1.3', reason: 'chyba' })).rejects.toMatchObject({ code: 'RECLASSIFY_STATE' });
    expect(mayReclassifyFile(admin, await db('files').where({ id: f.fileId }).first())).toBe(false);
    expect(await snapshot(f.fileId)).toEqual(handedOver);
  });

  it('two changes of class and a settlement at once all go through, one after another, and leave file, documents and journal agreeing', async () => {
    const f = await register('Souběžné změny', '1.5', new Date('2026-03-02T08:00:00Z'));
    await registerRecord(ports(), podatelna, { direction: 'incoming', subject: 'Souběžné doplnění', channel: 'post', fileId: f.fileId, sender: { kind: 'person', givenName: 'Jana', familyName: 'Nováková' } });
    const second = await db('documents').where({ file_id: f.fileId, order_in_file: 2 }).first('id');

    await Promise.all([
      reclassifyFile(ports(), vedouci, { fileId: f.fileId, classCode: '1.3', reason: 'první' }),
      settleRecordDocument(ports(), referent, { documentId: second.id, method: 'noted' }),
      reclassifyFile(ports(), spisovna, { fileId: f.fileId, classCode: '3.1', reason: 'druhá' }),
      settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' }),
    ]);

    const log = await db('audit_log').where({ object_id: f.fileId, event_type: 'Uprava' }).orderBy('id');
    expect(log.map((e) => e.details.reason).sort()).toEqual(['druhá', 'první']);
    const last = log[1].details.to;
    expect(log[1].details.from).toBe(log[0].details.to);
    const after = await snapshot(f.fileId);
    const retention = last === '3.1' ? { disposal_code: 'A', retention_years: 10 } : { disposal_code: 'S', retention_years: 5 };
    expect(after.file).toMatchObject({ class_code: last, ...retention });
    expect(after.journal).toEqual([{ class_code: last, ...retention }, { class_code: last, ...retention }]);
    expect(await db('documents').where({ file_id: f.fileId }).pluck('state')).toEqual(['settled', 'settled']);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('npm run cli -- files reclassify <fileReference> <classCode> --reason <text>', async () => {
    const f = await register('Podání k přeřazení', '1.5', new Date('2026-03-03T08:00:00Z'));
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config: testConfig(), clock: () => now, actor: { username: 'system:cli:test', roles: ['admin' as const], orgUnit: null }, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const cli = (...argv: string[]) => {
      out.length = 0;
      err.length = 0;
      return runCli(COMMANDS, argv, ctx);
    };

    expect(await cli('files', 'reclassify', f.fileReference, '1.3', '--reason', 'jde', 'o', 'stížnost')).toBe(0);
    expect(out).toEqual([`${f.fileReference}\t1.5 -> 1.3\tS/5`]);
    const entry = await db('audit_log').where({ object_id: f.fileId, event_type: 'Uprava' }).orderBy('id', 'desc').first();
    expect(entry).toMatchObject({ actor: 'system:cli:test' });
    expect(entry.details).toMatchObject({ from: '1.5', to: '1.3', reason: 'jde o stížnost' });
    expect(await cli('files', 'reclassify', f.fileReference, '1.3', '--reason', 'znovu')).toBe(0);
    expect(out).toEqual([`${f.fileReference}\t1.3 -> 1.3\tS/5\t(no change)`]);

    const before = await snapshot(f.fileId);
    for (const argv of [[f.fileReference, '1.4'], [f.fileReference, '1.4', '--reason'], [f.fileReference, '--reason', 'x'], [f.fileReference, '1.4', 'navíc', '--reason', 'x'], [f.fileReference, '--force', '--reason', 'x']]) {
      expect(await cli('files', 'reclassify', ...argv), argv.join(' ')).toBe(2);
      expect(err[0]).toMatch(/^usage: npm run cli -- files reclassify <fileReference> <classCode> --reason/);
    }
    expect(await cli('files', 'reclassify', 'MMKV/404/2026', '1.4', '--reason', 'x')).toBe(1);
    expect(err[0]).toMatch(/^FILE_NOT_FOUND/);
    expect(await cli('files', 'reclassify', f.fileReference, '1.1', '--reason', 'x')).toBe(1);
    expect(err[0]).toMatch(/^FILE_CLASS_NOT_LEAF/);
    expect(await snapshot(f.fileId)).toEqual(before);
  });

  it('leaves typed files and their volumes alone', async () => {
    now = new Date('2026-03-02T08:00:00Z');
    const typed = await createTypedFile(ports(), admin, { classCode: '2.1', subject: 'Osobní spis', reference: 'OS/1/2026', parts: [{ code: 'A', title: 'Pracovní smlouva' }], orgUnit: 'OSU' });
    const volume = await openVolume(ports(), admin, { partId: typed.partIds.A, subject: 'Smlouvy' });
    for (const fileId of [typed.fileId, volume.fileId]) {
      await expect(reclassifyFile(ports(), admin, { fileId, classCode: '2.2', reason: 'chyba' })).rejects.toMatchObject({ code: 'FILE_KIND_NOT_RECLASSIFIABLE' });
    }
  });
});
