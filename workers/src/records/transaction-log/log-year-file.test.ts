import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, GENESIS_HASH, type Db } from '@openspis/db';
import { demoFilePlan } from '../demo/demo-file-plan';
import { storeFilePlan } from '../file-plan/file-plan.service';
import { findClassByCode } from '../file-plan/file-plan.repository';
import type { Actor, FileClassRow } from '../records.model';
import { storeLogRecord } from './log-day.repository';

const admin: Actor = { username: 'system:transaction-log', roles: ['admin'], orgUnit: null };

describe('the yearly transaction-log file', () => {
  let db: Db;
  let close: () => Promise<void>;
  let fileClass: FileClassRow;
  const now = new Date('2026-01-01T02:00:00Z');

  // a database with its migrations and the file plan: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2025), { at: now }));
    fileClass = (await findClassByCode(db, '1.6', '2025-12-30'))!;
  }, 180_000);
  afterAll(() => close());

  const store = (day: string) => db.transaction((trx) => storeLogRecord(trx, {
    day, year: Number(day.slice(0, 4)), subject: `Transakční protokol za den ${day}`, fileSubject: `Transakční protokol ${day.slice(0, 4)}`,
    pdf: { fileName: `${day}.pdf`, content: Buffer.from(`%PDF ${day}`) }, xml: { fileName: `${day}.xml`, content: Buffer.from(`<x>${day}</x>`) },
    events: 0, firstEntryId: null, lastEntryId: null, lastHash: GENESIS_HASH,
  }, { office: 'MMKV', officeName: 'Magistrát města Karlovy Vary', mask: '{office}/{seq}/{year}', actor: 'system:transaction-log', now, fileClass }));

  it('is closed with the rendering of 31 December: its renderings settled, retention running from the year\'s end; the next day opens a new file', async () => {
    // when
    const dec30 = await store('2025-12-30');
    const dec31 = await store('2025-12-31');

    // then
    expect(dec31.fileId).toBe(dec30.fileId);
    const file = await db('files').where({ id: dec31.fileId }).first();
    // A/10 from 31 December 2025: retention from 1 January 2026, the disposal procedure in 2036
    expect(file).toMatchObject({ state: 'closed', class_code: '1.6', disposal_code: 'A', retention_years: 10, disposal_year: 2036, closed_by: 'system:transaction-log' });
    expect(await db('documents').where({ file_id: file.id }).pluck('state')).toEqual(['settled', 'settled']);
    expect(await db('journal').where({ file_id: file.id }).pluck('state')).toEqual(['settled', 'settled']);
    const events = await db('audit_log').where({ object_id: file.id }).orderBy('id').pluck('event_type');
    expect(events).toEqual(['Zalozeni', 'Uzavreni']);
    expect(await db('audit_log').where({ object_id: dec30.documentId, event_type: 'Vyrizeni' })).toHaveLength(1);

    const jan1 = await store('2026-01-01');
    expect(jan1.fileId).not.toBe(file.id);
    expect(await db('files').where({ id: jan1.fileId }).first()).toMatchObject({ state: 'open', subject: 'Transakční protokol 2026' });
  });
});
