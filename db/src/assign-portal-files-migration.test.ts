import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up } from '../migrations/20261204400000_assign_portal_files_to_service_units';
import { verifyAuditLog } from './audit-log';
import type { Db } from './connection';
import { createTestDb } from './testing';

describe('migration 20261204400000: portal files get the unit of their service', () => {
  let db: Db;
  let close: () => Promise<void>;
  let processesDir: string;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    processesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-processes-'));
    for (const [code, filing] of [['general-submission', { classCode: '1.5', orgUnit: 'KT' }], ['no-filing', undefined]] as const) {
      fs.mkdirSync(path.join(processesDir, code));
      fs.writeFileSync(path.join(processesDir, code, 'catalogue.json'), JSON.stringify({ code, filing }));
    }
  });
  afterAll(async () => {
    await close();
    fs.rmSync(processesDir, { recursive: true });
  });

  let n = 0;
  /** A portal submission registered the old way: its file, document and journal row have no unit. */
  async function registeredBefore(service: string, unit: string | null = null): Promise<{ fileId: string; documentId: string }> {
    n += 1;
    const at = new Date('2026-11-20T09:00:00Z');
    const fileId = randomUUID();
    const documentId = randomUUID();
    const ref = `MMKV/${n}/2026`;
    await db('files').insert({ id: fileId, file_reference: ref, subject: 'Dotaz', state: 'open', kind: 'file', org_unit: unit, created_by: 'system:workers', created_at: at });
    await db('documents').insert({ id: documentId, jid: `MMKV00000000${n}`, file_id: fileId, direction: 'incoming', subject: 'Dotaz', reference_number: ref, state: 'registered', created_by: 'system:workers', created_at: at, channel: 'portal', org_unit: unit });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: n, reference_number: ref, jid: `MMKV00000000${n}`, document_id: documentId, file_id: fileId, received_at: at, subject: 'Dotaz', sender: 'Jana Nováková', org_unit: unit });
    await db('submissions').insert({ id: randomUUID(), service_code: service, locale: 'cs', status: 'registered', form_data: '{}', document_id: documentId, reference_number: ref, tracking_expires_at: new Date('2027-12-31T00:00:00Z'), created_at: at, updated_at: at });
    return { fileId, documentId };
  }

  it('sets the unit on the file, its documents and journal rows, logs each file, and leaves the rest alone', async () => {
    // given
    const old = await registeredBefore('general-submission');
    const unknown = await registeredBefore('no-filing');
    const assigned = await registeredBefore('general-submission', 'OSU');

    // when (twice: a second run finds nothing left to do)
    await db.transaction((trx) => up(trx, processesDir));
    await db.transaction((trx) => up(trx, processesDir));

    // then
    expect((await db('files').where({ id: old.fileId }).first()).org_unit).toBe('KT');
    expect((await db('documents').where({ id: old.documentId }).first()).org_unit).toBe('KT');
    expect((await db('journal').where({ document_id: old.documentId }).first()).org_unit).toBe('KT');
    expect((await db('files').where({ id: unknown.fileId }).first()).org_unit).toBeNull();
    expect((await db('files').where({ id: assigned.fileId }).first()).org_unit).toBe('OSU');
    const log = await db('audit_log').where({ object_type: 'Spis' }).select('object_id', 'event_type', 'actor');
    expect(log).toEqual([{ object_id: old.fileId, event_type: 'Uprava', actor: 'system:migration' }]);
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });
});
