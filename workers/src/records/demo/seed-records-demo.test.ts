import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditLog, createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { createSealingPorts } from '../../signing/seal-key-provider';
import { silentLog, testConfig } from '../../testing/fixtures';
import { closePendingJournalYears } from '../journal-year/close-journal-years.schedule';
import { pragueDay } from '../records.ports';
import { nextDay } from '../transaction-log/prague-day';
import { sealTransactionLogDay, TRANSACTION_LOG_ACTOR } from '../transaction-log/seal-log-day.service';
import { CATCH_UP_DAYS } from '../transaction-log/seal-log-days.schedule';
import { seedRecordsDemo } from './seed-records-demo';

describe('the records demo', () => {
  let db: Db;
  let close: () => Promise<void>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-demo-'));
  const now = new Date('2026-11-30T09:00:00Z');
  const ports = () => ({ db, clock: () => now, config: testConfig({ OPENSPIS_DATA_DIR: dataDir }) });

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    // the back-office's demo logins of the building office (OSU): its referent and its head
    for (const [username, name, role] of [['referent', 'Radek Referent', 'referent'], ['vedouci', 'Věra Vedoucí', 'vedouci']]) {
      const [{ id }] = await db('users').insert({ username, display_name: name, password_hash: 'x', org_unit: 'OSU' }).returning('id');
      await db('user_roles').insert({ user_id: id, role });
    }
    expect(await seedRecordsDemo(ports(), { files: 40 })).toBe(true);
  }, 300_000);
  afterAll(async () => {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds only into a database without a file plan', async () => {
    expect(await seedRecordsDemo(ports(), { files: 40 })).toBe(false);
  });

  it('has files in every state of their life, A and S, and typed files with parts and volumes', async () => {
    const states = await db('files').distinct('state').pluck('state');
    expect(states).toEqual(expect.arrayContaining(['open', 'closed', 'in-records-centre', 'in-disposal', 'transferred', 'destroyed']));
    // the archive selected last year's A files (the council's minutes, the budget) and confirmed them with its identifiers
    expect(await db('files').where({ state: 'transferred', disposal_code: 'A' }).whereNull('archive_id').first()).toBeUndefined();
    expect(Number((await db('files').where({ state: 'transferred' }).whereNotNull('archive_id').count({ n: '*' }).first())?.n)).toBeGreaterThanOrEqual(2);
    expect(await db('files').where({ state: 'in-disposal', disposal_code: 'A' }).first()).toBeTruthy();
    expect(await db('files').where({ state: 'destroyed' }).whereNotNull('disposed_at').first()).toBeTruthy();
    expect(await db('files').distinct('disposal_code').whereNotNull('disposal_code').pluck('disposal_code')).toEqual(expect.arrayContaining(['A', 'S']));
    // due for disposal: in the records centre with a disposal year already reached
    expect(await db('files').whereIn('state', ['in-records-centre', 'in-disposal']).where('disposal_year', '<=', 2026).first()).toBeTruthy();
    const typed = await db('files').where({ kind: 'typed' }).pluck('id');
    expect(typed.length).toBeGreaterThanOrEqual(2);
    expect(Number((await db('file_parts').whereIn('typed_file_id', typed).count({ n: '*' }).first())?.n)).toBeGreaterThanOrEqual(4);
    // volumes hold files (spisy) with the documents; the building permit's volume is closed (and handed over), its next one open
    const inVolumes = await db('files as f').join('files as v', 'v.id', 'f.volume_id').whereExists((q) => q.select(1).from('documents').whereRaw('documents.file_id = f.id')).select('v.kind');
    expect(inVolumes.length).toBeGreaterThanOrEqual(2);
    expect(inVolumes.every((v) => v.kind === 'volume')).toBe(true);
    expect(await db('files').where({ kind: 'volume' }).whereExists((q) => q.select(1).from('documents').whereRaw('documents.file_id = files.id')).first()).toBeUndefined();
    const permitVolumes = await db('files').where({ kind: 'volume' }).where('file_reference', 'like', 'STAV-%/SP/%').orderBy('file_reference').select('file_reference', 'state');
    expect(permitVolumes.map((v) => v.state)).toEqual([expect.stringMatching(/^(closed|in-records-centre)$/), 'open']);
    // awaiting a trigger event other than the closure, and one recorded
    expect(await db('files').whereIn('state', ['closed', 'in-records-centre']).whereNull('trigger_date').first()).toBeTruthy();
  });

  it('has a file the head of the building office took over from its referent, logged as ZmenaZpracovatele', async () => {
    const changes = await db('audit_log').where({ event_type: 'ZmenaZpracovatele' }).orderBy('id');
    const spis = changes.filter((c) => c.object_type === 'Spis');
    expect(spis).toHaveLength(1);
    expect(spis[0]).toMatchObject({ actor: 'user:vedouci', details: expect.objectContaining({ from: 'referent', to: 'vedouci' }) });
    expect(changes.some((c) => c.object_type === 'Dokument')).toBe(true);
    expect(await db('files').where({ id: spis[0].object_id }).first()).toMatchObject({ owner: 'vedouci', org_unit: 'OSU', state: 'open' });
  });

  it('has a decided disposal proposal and an open one, disposal holds and files shared with other units', async () => {
    expect((await db('disposal_proposals').pluck('state')).sort()).toEqual(['decided', 'open']);
    expect(await db('disposal_proposal_files').whereNotNull('withdrawn_at').first()).toBeTruthy();
    expect(Number((await db('files').where({ disposal_hold: true }).count({ n: '*' }).first())?.n)).toBe(2);
    expect((await db('archive_lists').pluck('kind')).sort()).toEqual(['confirmation', 'decision']);
    expect(Number((await db('file_shares').count({ n: '*' }).first())?.n)).toBeGreaterThanOrEqual(2);
  });

  it('has outgoing documents waiting for dispatch, dispatched waiting for delivery and delivered, and cancelled documents', async () => {
    const outgoing = await db('documents').where({ direction: 'outgoing' }).distinct('state').pluck('state');
    expect(outgoing).toEqual(expect.arrayContaining(['created', 'dispatched', 'delivered']));
    expect(await db('documents').where({ state: 'cancelled' }).first()).toBeTruthy();
    expect(await db('documents').where({ direction: 'incoming', state: 'settled' }).first()).toBeTruthy();
  });

  it('has decisions to two and three addressees, each with its own dispatch, delivered on the last delivery', async () => {
    const counts: { document_id: string; n: string | number }[] = await db('document_dispatches').groupBy('document_id').select('document_id').count({ n: '*' });
    const several = counts.filter((c) => Number(c.n) > 1);
    expect(new Set(several.map((c) => Number(c.n)))).toEqual(new Set([2, 3]));
    const delivered = await db('documents').whereIn('id', several.map((c) => c.document_id)).where({ state: 'delivered' }).select('id', 'delivered_at');
    expect(delivered.length).toBeGreaterThan(0);
    for (const d of delivered) {
      const last = await db('document_dispatches').where({ document_id: d.id }).max({ at: 'delivered_at' }).first();
      expect(new Date(d.delivered_at)).toEqual(new Date(last!.at));
    }
  });

  it('files documents under each plan version: twelve years ago, last year and this year', async () => {
    const plans = await db('files as f').join('file_classes as c', 'c.id', 'f.class_id').join('file_plans as p', 'p.id', 'c.plan_id').distinct('p.identifier').pluck('p.identifier');
    expect(plans.sort()).toEqual(['MMKV-SP-2014', 'MMKV-SP-2025', 'MMKV-SP-2026']);
    const years = (await db.raw('select distinct extract(year from created_at)::int as y from documents')).rows.map((r: { y: number }) => r.y);
    expect(years).toEqual(expect.arrayContaining([2014, 2020, 2025, 2026]));
  });

  it('writes a transaction log that verifies and whose times never go back along the chain, none after today', async () => {
    expect((await verifyAuditLog(db)).ok).toBe(true);
    const back = await db.raw(`select count(*)::int as n from (select occurred_at, lag(occurred_at) over (order by id) as prev from audit_log) x where occurred_at < prev`);
    expect(back.rows[0].n).toBe(0);
    const [{ first, last }] = await db('audit_log').select(db.raw('min(occurred_at) as first, max(occurred_at) as last'));
    expect(new Date(first).getUTCFullYear()).toBe(2013);
    expect(new Date(last).getTime()).toBeLessThanOrEqual(now.getTime());
  });

  // last: the start-up schedules seal on the real clock, which is behind the demo's fixed one
  it('closes each past year of the journal just after New Year and renders the last days of the log just after midnight, on its own clock; the start-up schedules seal them', async () => {
    const closures = await db('journal_year_closures as z').join('documents as d', 'd.id', 'z.document_id').orderBy('z.year').select('z.year', 'z.closed_at', 'z.sealed_component_id', 'd.created_at');
    expect(closures.map((c) => c.year)).toEqual(Array.from({ length: 12 }, (_, i) => 2014 + i));
    for (const c of closures) {
      expect(pragueDay(new Date(c.closed_at)), String(c.year)).toBe(`${c.year + 1}-01-01`);
      expect(new Date(c.created_at).getTime()).toBe(new Date(c.closed_at).getTime());
      expect(c.sealed_component_id).toBeNull();
    }
    const days = await db('transaction_log_days as l').join('documents as d', 'd.id', 'l.document_id').orderBy('l.day').select(db.raw("to_char(l.day, 'YYYY-MM-DD') as day"), 'l.sealed_component_id', 'd.created_at');
    expect(days).toHaveLength(CATCH_UP_DAYS);
    expect(days[0].day).toBe('2026-10-30');
    expect(days[days.length - 1].day).toBe('2026-11-29');
    for (const d of days) {
      expect(pragueDay(new Date(d.created_at)), d.day).toBe(nextDay(d.day));
      expect(d.sealed_component_id).toBeNull();
    }
    // in the journal too: one a day among the office's work, not a month of renderings all dated today
    const logEntries = await db('journal').whereIn('document_id', db('transaction_log_days').select('document_id')).pluck('received_at');
    expect(new Set(logEntries.map((at: Date) => pragueDay(new Date(at)))).size).toBe(CATCH_UP_DAYS);

    const sealing = createSealingPorts(ports().config);
    try {
      const real = { db, clock: () => new Date(), config: ports().config, sealing };
      expect(await closePendingJournalYears(real, silentLog)).toEqual(expect.arrayContaining(closures.map((c) => c.year)));
      expect(await db('journal_year_closures').whereNull('sealed_component_id').first()).toBeUndefined();
      for (const d of days) expect((await sealTransactionLogDay(real, TRANSACTION_LOG_ACTOR, { day: d.day })).sealed).toBe(true);
      expect(await db('transaction_log_days').whereNull('sealed_component_id').first()).toBeUndefined();
    } finally {
      await sealing.close();
    }
  }, 300_000);
});

describe('the records demo on a database whose log already has entries', () => {
  it('appends after the last of them, so the times still never go back', async () => {
    const { db, close } = await createTestDb();
    try {
      const now = new Date('2026-11-30T09:00:00Z');
      const before = new Date('2026-11-27T10:00:00Z');
      await db.transaction((trx) => appendAuditLog(trx, { actor: 'user:admin', eventType: 'Uprava', objectType: 'KonfiguraceSystemu', objectId: 'settings', details: {}, occurredAt: before }));
      expect(await seedRecordsDemo({ db, clock: () => now, config: testConfig() }, { files: 3 })).toBe(true);
      const back = await db.raw(`select count(*)::int as n from (select occurred_at, lag(occurred_at) over (order by id) as prev from audit_log) x where occurred_at < prev`);
      expect(back.rows[0].n).toBe(0);
      expect(Number((await db('audit_log').count({ n: '*' }).first())?.n)).toBeGreaterThan(10);
      expect((await verifyAuditLog(db)).ok).toBe(true);
    } finally {
      await close();
    }
  }, 120_000);
});
