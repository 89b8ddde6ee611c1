import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { COMMANDS } from '../../cli/commands/index';
import { runCli } from '../../cli/run-cli';
import { testConfig } from '../../testing/fixtures';
import { exportFileSip } from '../sip/export-file-sip';
import type { Actor } from '../records.model';
import { closeFile } from './close-file';
import { createDisposalProposal } from './disposal-proposal';
import { insertOpenFile, PDFA, seedRecordsBasics } from './disposal.fixture';
import { handOverFiles } from './hand-over-files';
import { recordTriggerEvent } from './record-trigger-event';
import { settleRecordDocument } from './settle-record-document';

const spisovna: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'SP' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const details = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>;

describe('trigger event other than closure (spouštěcí událost)', () => {
  let db: Db;
  let close: () => Promise<void>;
  let now = new Date('2016-03-01T08:00:00Z');
  const ports = () => ({ db, clock: () => now, config: testConfig() });
  let building: Awaited<ReturnType<typeof insertOpenFile>>;
  let complaint: Awaited<ReturnType<typeof insertOpenFile>>;

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const { planId, classIds } = await seedRecordsBasics(db);
    // S/5 from the removal of the building, as a building authority's plan has it
    const id = randomUUID();
    await db('file_classes').insert({
      id, plan_id: planId, parent_id: classIds['3'], simple_code: '4', class_code: '3.4', title: 'Stavby na pozemcích komunikací', valid_from: '2015-01-01',
      retention_id: 'S/5', disposal_code: 'S', retention_years: 5, trigger_event: 'odstranění stavby', retention_reason: 'spisový plán',
    });
    building = await insertOpenFile(db, { classId: id, components: [{ name: 'povoleni.pdf', type: 'application/pdf', content: PDFA }] });
    complaint = await insertOpenFile(db, { classId: classIds['3.3'], components: [{ name: 'stiznost.pdf', type: 'application/pdf', content: PDFA }] });
    for (const f of [building, complaint]) {
      await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
      await closeFile(ports(), referent, { fileId: f.fileId });
    }
  }, 180_000);
  afterAll(() => close());

  it('closing leaves the disposal year open until the event is recorded; the file is not proposed meanwhile', async () => {
    expect(await db('files').where({ id: building.fileId }).first()).toMatchObject({ state: 'closed', trigger_event: 'odstranění stavby', trigger_date: null, disposal_year: null });
    const closure = await db('audit_log').where({ object_id: building.fileId, event_type: 'Uzavreni' }).first();
    expect(details(closure)).toMatchObject({ disposalYear: null, triggerEvent: 'odstranění stavby' });
    // the closure is the trigger of the other file: its year is set at once (2016 + 1 + 5)
    expect(await db('files').where({ id: complaint.fileId }).first()).toMatchObject({ disposal_year: 2022 });

    now = new Date('2030-02-01T08:00:00Z');
    await handOverFiles(ports(), spisovna, { fileIds: [building.fileId], storageUnit: 'K-3' });
    await expect(createDisposalProposal(ports(), spisovna)).rejects.toMatchObject({ code: 'PROPOSAL_EMPTY' });
    // a SIP needs the years of the trigger event and of disposal (nsesss DataceVyrazeni): none yet
    await expect(exportFileSip(ports(), spisovna, { fileReference: building.fileReference, outDir: os.tmpdir() })).rejects.toMatchObject({ code: 'FILE_TRIGGER_PENDING' });
    expect(await db('audit_log').where({ object_id: building.fileId, event_type: 'Export' })).toEqual([]);
  });

  it('recording the day sets the disposal year (logged, a correction too) and the file becomes due', async () => {
    // when: the building was removed on 10 May 2020
    const r = await recordTriggerEvent(ports(), spisovna, { fileId: building.fileId, date: '2020-05-10' });

    // then: the retention runs from 1 January 2021, five years: due from 2026
    expect(r).toMatchObject({ changed: true, disposalYear: 2026 });
    expect(await recordTriggerEvent(ports(), spisovna, { fileId: building.fileId, date: '2020-05-10' })).toMatchObject({ changed: false });
    // a correction: the removal was finished in 2021
    expect(await recordTriggerEvent(ports(), spisovna, { fileId: building.fileId, date: '2021-01-15' })).toMatchObject({ changed: true, disposalYear: 2027 });
    const log = await db('audit_log').where({ object_id: building.fileId, event_type: 'Uprava' }).orderBy('id');
    expect(log.map((e) => [e.actor, details(e)])).toEqual([
      ['user:spisovna', { fileReference: building.fileReference, field: 'triggerDate', triggerEvent: 'odstranění stavby', from: null, to: '2020-05-10', disposalYear: 2026 }],
      ['user:spisovna', { fileReference: building.fileReference, field: 'triggerDate', triggerEvent: 'odstranění stavby', from: '2020-05-10', to: '2021-01-15', disposalYear: 2027 }],
    ]);
    expect(await db('files').where({ id: building.fileId }).first()).toMatchObject({ disposal_year: 2027 });
    expect((await createDisposalProposal(ports(), spisovna)).fileReferences).toEqual([building.fileReference]);
    // its SIP now carries the years: trigger event 2021, disposal 2027
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'openspis-trigger-sip-'));
    const sip = await exportFileSip(ports(), spisovna, { fileReference: building.fileReference, outDir, format: 'folder' });
    const mets = await fs.readFile(path.join(sip.path, 'mets.xml'), 'utf8');
    expect(mets).toContain('<nsesss:RokSpousteciUdalosti>2021</nsesss:RokSpousteciUdalosti>');
    expect(mets).toContain('<nsesss:RokSkartacniOperace>2027</nsesss:RokSkartacniOperace>');
    await fs.rm(outDir, { recursive: true, force: true });
    // in the procedure now: the date can no longer change
    await expect(recordTriggerEvent(ports(), spisovna, { fileId: building.fileId, date: '2021-01-16' })).rejects.toMatchObject({ code: 'TRIGGER_STATE' });
  });

  it('refuses a day that is no date or still to come, a file retained from its closure, an open file and people without access', async () => {
    const open = await insertOpenFile(db, { classId: (await db('file_classes').where({ class_code: '3.4' }).first()).id, components: [] });
    await expect(recordTriggerEvent(ports(), spisovna, { fileId: complaint.fileId, date: '2020-02-30' })).rejects.toMatchObject({ code: 'TRIGGER_DATE_INVALID' });
    await expect(recordTriggerEvent(ports(), spisovna, { fileId: complaint.fileId, date: '2030-02-02' })).rejects.toMatchObject({ code: 'TRIGGER_DATE_FUTURE' });
    await expect(recordTriggerEvent(ports(), spisovna, { fileId: complaint.fileId, date: '2020-01-01' })).rejects.toMatchObject({ code: 'TRIGGER_IS_CLOSURE' });
    await expect(recordTriggerEvent(ports(), referent, { fileId: open.fileId, date: '2020-01-01' })).rejects.toMatchObject({ code: 'TRIGGER_STATE' });
    await expect(recordTriggerEvent(ports(), { username: 'cizi', roles: ['referent'], orgUnit: 'XX' }, { fileId: complaint.fileId, date: '2020-01-01' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(recordTriggerEvent(ports(), { username: 'posuzovatel', roles: ['posuzovatel'], orgUnit: 'SP' }, { fileId: complaint.fileId, date: '2020-01-01' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('npm run cli -- files trigger <fileReference> <day>', async () => {
    const cls = await db('file_classes').where({ class_code: '3.4' }).first();
    const f = await insertOpenFile(db, { classId: cls.id, components: [{ name: 'a.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'noted' });
    await closeFile(ports(), referent, { fileId: f.fileId });
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { db, config: testConfig(), clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runCli(COMMANDS, ['files', 'trigger', f.fileReference, '2024-06-30'], ctx)).toBe(0);
    expect(out.pop()).toBe(`${f.fileReference}\tdisposal year 2030`);
    expect(await runCli(COMMANDS, ['files', 'trigger', f.fileReference], ctx)).toBe(2);
    expect(await runCli(COMMANDS, ['files', 'trigger', complaint.fileReference, '2024-06-30'], ctx)).toBe(1);
    expect(err.pop()).toMatch(/^TRIGGER_IS_CLOSURE/);
  });
});
