import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { formatJid, formatReferenceNumber, jidCheckCharacter, nextReferenceNumber, pragueYear } from './reference-number.service';
import { registerDocument } from './register-document.service';
import { insertSubmission, testConfig } from '../testing/fixtures';

describe('formatReferenceNumber', () => {
  it('fills the default mask', () => {
    expect(formatReferenceNumber('{office}/{seq}/{year}', { office: 'MMKV', seq: 42, year: 2026 })).toBe('MMKV/42/2026');
  });
  it('pads the running number when asked', () => {
    expect(formatReferenceNumber('{office}-{year}/{seq:5}', { office: 'MMKV', seq: 42, year: 2026 })).toBe('MMKV-2026/00042');
  });
});

describe('JID', () => {
  it('is the office, nine digits and a check character that catches a typo', () => {
    const jid = formatJid('MMKV', 421);
    expect(jid).toMatch(/^MMKV000000421[0-9X]$/);
    expect(jidCheckCharacter('000000421')).not.toBe(jidCheckCharacter('000000412'));
  });
});

describe('pragueYear', () => {
  it('counts New Year in Prague time', () => {
    expect(pragueYear(new Date('2026-12-31T23:30:00Z'))).toBe(2027);
  });
});

describe('running numbers on a real database', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  it('50 concurrent registrations get 1..50 with no gap and no duplicate', async () => {
    // given
    const config = testConfig();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await insertSubmission(db, { subject: `Podání ${i}` }));
    const clock = () => new Date('2026-12-01T10:00:00Z');

    // when
    const results = await Promise.all(ids.map((submissionId) => registerDocument({ db, clock, config }, { submissionId })));

    // then
    const seqs = results.map((r) => Number(r.referenceNumber.split('/')[1])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.jid)).size).toBe(50);
    const journal = await db('journal').where({ office: 'MMKV', year: 2026 }).orderBy('seq');
    expect(journal.map((r) => r.seq)).toEqual(seqs);
    // and every registration's log rows are on one unbroken chain
    expect(Number((await db('audit_log').where({ event_type: 'Zalozeni', object_type: 'Dokument' }).count<{ count: string }[]>('* as count'))[0].count)).toBe(50);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('the database fills a padded running number into every row and log entry, and the chain still verifies', async () => {
    // given a mask with a padded number and the same number twice
    const config = { ...testConfig(), referenceNumberMask: '{office}-{year}/{seq:5} ({seq})' };
    const clock = () => new Date('2028-03-01T10:00:00Z');
    const first = await registerDocument({ db, clock, config }, { submissionId: await insertSubmission(db) });
    const second = await registerDocument({ db, clock, config }, { submissionId: await insertSubmission(db) });
    // then
    expect([first.referenceNumber, second.referenceNumber]).toEqual(['MMKV-2028/00001 (1)', 'MMKV-2028/00002 (2)']);
    const doc = await db('documents').where({ id: second.documentId }).first();
    const journal = await db('journal').where({ document_id: second.documentId }).first();
    const file = await db('files').where({ id: second.fileId }).first();
    expect([doc.reference_number, journal.reference_number, journal.seq, file.file_reference, file.seq]).toEqual(['MMKV-2028/00002 (2)', 'MMKV-2028/00002 (2)', 2, 'MMKV-2028/00002 (2)', 2]);
    const logged = await db('audit_log').where({ object_id: second.documentId, event_type: 'Zalozeni' }).first();
    expect(logged.details).toMatchObject({ referenceNumber: 'MMKV-2028/00002 (2)', jid: second.jid });
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('a rolled-back registration frees its number', async () => {
    // given
    const at = new Date('2027-02-01T10:00:00Z');
    await expect(
      db.transaction(async (trx) => {
        const n = await nextReferenceNumber(trx, { office: 'MMKV', mask: '{office}/{seq}/{year}', at });
        expect(n.referenceNumber).toBe('MMKV/1/2027');
        throw new Error('registration failed half way');
      }),
    ).rejects.toThrow('half way');

    // when
    const submissionId = await insertSubmission(db);
    const result = await registerDocument({ db, clock: () => at, config: testConfig() }, { submissionId });

    // then
    expect(result.referenceNumber).toBe('MMKV/1/2027');
  });
});
