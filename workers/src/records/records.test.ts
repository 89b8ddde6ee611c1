import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { testConfig } from '../testing/fixtures';
import { demoFilePlan } from './demo/demo-file-plan';
import { parseFilePlanXml } from './file-plan/file-plan-xml';
import { exportFilePlan, importFilePlan, storeFilePlan } from './file-plan/file-plan.service';
import { findClassByCode } from './file-plan/file-plan.repository';
import { moveDocument } from './files/move-document.service';
import { registerRecord } from './files/register-record.service';
import { createTypedFile, openVolume } from './files/typed-file.service';
import { openVolumeFile } from './files/volume-file.service';
import { mergeParties, searchParties } from './parties/parties.service';
import type { Actor } from './records.model';
import type { RecordsPorts } from './records.ports';
import { validateNsesssXml } from './xml/nsesss-schemas';

const admin: Actor = { username: 'admin', roles: ['admin'], orgUnit: null };
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referentOsu: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OSU' };
const referentOdp: Actor = { username: 'doprava', roles: ['referent'], orgUnit: 'ODP' };

describe('records on a real database', () => {
  let db: Db;
  let close: () => Promise<void>;
  let ports: RecordsPorts;
  const now = new Date('2026-11-30T09:00:00Z');
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    ports = { db, clock: () => now, config: testConfig() };
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2025), { at: now }));
    await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(2026), { at: now }));
  });
  afterAll(() => close());

  describe('file plan', () => {
    it('keeps one valid version per day and exports it valid against nsesss-plan.xsd', async () => {
      // the 2025 plan was closed the day before the 2026 one started
      const plans = await db('file_plans').orderBy('valid_from');
      expect(plans.map((p) => p.identifier)).toEqual(['MMKV-SP-2025', 'MMKV-SP-2026']);
      expect((await findClassByCode(db, '6.3', '2025-06-01'))?.plan_id).toBe(plans[0].id);
      expect((await findClassByCode(db, '6.3', '2026-06-01'))?.plan_id).toBe(plans[1].id);

      const xml = await exportFilePlan(ports, admin);
      const validation = await validateNsesssXml(xml, 'nsesss-plan.xsd');
      expect(validation.errors).toEqual([]);
      expect(validation.valid).toBe(true);
      expect(xml).toContain('<ZpusobVedeni>Priorace</ZpusobVedeni>');
      expect(await db('audit_log').where({ event_type: 'Export', object_type: 'SpisovyPlan' }).count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    });

    it('imports an exported plan as a new version and rejects invalid XML or V without --legacy', async () => {
      const xml = (await exportFilePlan(ports, admin)).replace('>MMKV-SP-2026<', '>MMKV-SP-2027<').replace(/<DatumOtevreni>2026-01-01</, '<DatumOtevreni>2027-01-01<');
      const result = await importFilePlan(ports, admin, xml);
      const original = parseFilePlanXml(await exportFilePlan(ports, admin, { identifier: 'MMKV-SP-2026' }));
      expect(result.classes).toBeGreaterThan(40);
      const imported = parseFilePlanXml(await exportFilePlan(ports, admin, { identifier: 'MMKV-SP-2027' }));
      expect(imported.classes.map((c) => c.class_code)).toEqual(original.classes.map((c) => c.class_code));
      expect((await db('file_plans').where({ identifier: 'MMKV-SP-2026' }).first()).valid_to).not.toBeNull();

      await expect(importFilePlan(ports, admin, '<SpisovyPlan xmlns="http://www.mvcr.cz/nsesss/v4"/>')).rejects.toMatchObject({ code: 'FILE_PLAN_XML_INVALID' });
      const legacy = xml.replace('>MMKV-SP-2027<', '>MMKV-SP-LEG<').replace('<SkartacniZnak>S</SkartacniZnak>', '<SkartacniZnak>V</SkartacniZnak>');
      await expect(importFilePlan(ports, admin, legacy)).rejects.toMatchObject({ code: 'FILE_PLAN_INVALID' });
      const plansBefore = await db('file_plans').count({ n: '*' }).first();
      expect(Number(plansBefore?.n)).toBe(3);
    });
  });

  describe('registration and numbering', () => {
    it('collection sheet: later documents take the file number with their order', async () => {
      const first = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Žádost o stavební povolení', channel: 'data-box', classCode: '5.2', orgUnit: 'OSU', sender: { kind: 'organisation', organisationName: 'Stavby Ohře s.r.o.', companyId: '28012345', dataBoxId: 'abc1234' } });
      const second = await registerRecord(ports, referentOsu, { direction: 'outgoing', subject: 'Výzva k doplnění', channel: 'data-box', fileId: first.fileId, addressee: { kind: 'organisation', organisationName: 'Stavby Ohře s.r.o.', companyId: '28012345' } });
      expect(second.referenceNumber).toBe(`${first.referenceNumber}-2`);
      expect([second.seq, second.orderInFile]).toEqual([first.seq, 2]);
      const journal = await db('journal').where({ file_id: first.fileId }).orderBy('order_in_file');
      expect(journal.map((j) => [j.seq, j.order_in_file, j.class_code, j.disposal_code, j.retention_years])).toEqual([[first.seq, 1, '5.2', 'S', 15], [first.seq, 2, '5.2', 'S', 15]]);
      // the sender was reused, not duplicated; the electronic submission got a receipt
      expect(Number((await db('parties').where({ company_id: '28012345' }).count({ n: '*' }).first())?.n)).toBe(1);
      expect(first.receiptConfirmationId).not.toBeNull();
      expect((await db('receipt_confirmations').where({ document_id: first.documentId }).first()).text).toContain(first.referenceNumber);
    });

    it('priorace: every document takes the next running number, the order within the file is kept', async () => {
      const first = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Rybářský lístek', channel: 'personal', form: 'analog', classCode: '6.3', orgUnit: 'OZP', sender: { kind: 'person', givenName: 'Jan', familyName: 'Dvořák' } });
      const second = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Doplnění fotografie', channel: 'email', fileId: first.fileId, sender: { kind: 'person', givenName: 'Jan', familyName: 'Dvořák', email: 'jan@example.cz' } });
      expect(second.seq).toBe(first.seq + 1);
      expect(second.orderInFile).toBe(2);
      expect(second.fileReference).toBe(first.referenceNumber);
      expect(first.receiptConfirmationId).toBeNull(); // paper delivered in person
    });

    it('40 concurrent registrations in new and existing files: numbers gap-free and unique', async () => {
      const file = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Sběrný spis', channel: 'post', classCode: '1.5' });
      const before = (await db('journal_counters').where({ office: 'MMKV', year: 2026 }).first()).last_seq;
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
        registerRecord(ports, podatelna, { direction: 'incoming', subject: `Podání ${i}`, channel: 'post', ...(i % 2 ? { fileId: file.fileId } : { classCode: i % 4 ? '6.3' : '1.5' }) })));
      const newSeqs = results.filter((r) => r.fileId !== file.fileId).map((r) => r.seq).sort((a, b) => a - b);
      expect(newSeqs).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
      const orders = results.filter((r) => r.fileId === file.fileId).map((r) => r.orderInFile).sort((a, b) => a - b);
      expect(orders).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      expect(new Set(results.map((r) => r.referenceNumber)).size).toBe(40);
      // the log rows of all of them (file, document, filing) are on one unbroken chain
      const filed = await db('audit_log').where({ event_type: 'VlozeniDoSpisu' }).whereIn('object_id', results.map((r) => r.documentId)).count<{ count: string }[]>('* as count');
      expect(Number(filed[0].count)).toBe(40);
      expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
    });

    it('refuses a grouping class, a closed file and another unit\'s file', async () => {
      await expect(registerRecord(ports, podatelna, { direction: 'incoming', subject: 'x', channel: 'post', classCode: '5' })).rejects.toMatchObject({ code: 'FILE_CLASS_NOT_LEAF' });
      const r = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Jiný odbor', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
      await expect(registerRecord(ports, referentOsu, { direction: 'internal', subject: 'Poznámka', channel: 'internal', fileId: r.fileId })).rejects.toMatchObject({ code: 'FILE_ACCESS_DENIED' });
      await db('file_shares').insert({ file_id: r.fileId, org_unit: 'OSU', shared_by: 'user:doprava' });
      await expect(registerRecord(ports, referentOsu, { direction: 'internal', subject: 'Poznámka', channel: 'internal', fileId: r.fileId })).resolves.toMatchObject({ orderInFile: 2 });
      await db('files').where({ id: r.fileId }).update({ state: 'closed' });
      await expect(registerRecord(ports, referentOdp, { direction: 'internal', subject: 'Pozdě', channel: 'internal', fileId: r.fileId })).rejects.toMatchObject({ code: 'FILE_NOT_OPEN' });
    });
  });

  describe('files', () => {
    it('moving a document keeps its number and the history, and cancels the emptied file', async () => {
      const a = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Omylem samostatně', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
      const b = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Hlavní spis', channel: 'post', classCode: '7.4', orgUnit: 'ODP' });
      const moved = await moveDocument(ports, referentOdp, { documentId: a.documentId, toFileId: b.fileId, reason: 'patří k hlavnímu spisu' });
      expect(moved.order).toBe(2);
      const doc = await db('documents').where({ id: a.documentId }).first();
      expect([doc.file_id, doc.reference_number, doc.order_in_file]).toEqual([b.fileId, a.referenceNumber, 2]);
      expect(await db('document_file_moves').where({ document_id: a.documentId })).toMatchObject([{ from_file_id: a.fileId, to_file_id: b.fileId, from_order: 1, to_order: 2 }]);
      expect((await db('files').where({ id: a.fileId }).first()).state).toBe('cancelled');
      const events = await db('audit_log').where({ object_id: a.documentId }).orderBy('id').pluck('event_type');
      expect(events.slice(-2)).toEqual(['VyjmutiZeSpisu', 'VlozeniDoSpisu']);
    });

    it('a typed file has parts; a volume takes the most severe of class and part retention', async () => {
      const typed = await createTypedFile(ports, referentOsu, { classCode: '5.3', subject: 'Stavba: Zahradní 12', reference: 'SZ-5.3/2026/1', parts: [{ code: 'A', title: 'Povolení' }, { code: 'B', title: 'Dokumentace stavby', disposalCode: 'A', retentionYears: 10 }] });
      const volume = await openVolume(ports, referentOsu, { partId: typed.partIds.B, subject: 'Projektová dokumentace' });
      expect(volume.fileReference).toBe('SZ-5.3/2026/1/B/1');
      expect(await db('files').where({ id: volume.fileId }).first()).toMatchObject({ kind: 'volume', disposal_code: 'A', retention_years: 45 });
      // NSESSS 2023: a volume holds files (spisy); the document goes into a file of the volume, which takes the volume's retention
      await expect(registerRecord(ports, referentOsu, { direction: 'internal', subject: 'Výkres', channel: 'internal', fileId: volume.fileId })).rejects.toMatchObject({ code: 'VOLUME_HOLDS_FILES' });
      const file = await openVolumeFile(ports, referentOsu, { volumeId: volume.fileId, subject: 'Projektová dokumentace – výkresy' });
      expect(file.fileReference).toBe('SZ-5.3/2026/1/B/1/1');
      const doc = await registerRecord(ports, referentOsu, { direction: 'internal', subject: 'Výkres', channel: 'internal', fileId: file.fileId });
      expect((await db('documents').where({ id: doc.documentId }).first()).disposal_code).toBe('A');
      expect(await db('files').where({ id: file.fileId }).first()).toMatchObject({ kind: 'file', volume_id: volume.fileId, disposal_code: 'A', retention_years: 45 });
      await expect(registerRecord(ports, referentOsu, { direction: 'internal', subject: 'x', channel: 'internal', fileId: typed.fileId })).rejects.toMatchObject({ code: 'TYPED_FILE_NEEDS_VOLUME' });
    });
  });

  describe('parties register', () => {
    it('finds parties without accents and merges duplicates', async () => {
      const one = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Podnět', channel: 'post', classCode: '1.3', sender: { kind: 'person', givenName: 'Věra', familyName: 'Marková' } });
      const two = await registerRecord(ports, podatelna, { direction: 'incoming', subject: 'Podnět 2', channel: 'post', classCode: '1.3', sender: { kind: 'person', givenName: 'Věra', familyName: 'Marková', email: 'vera@example.cz' } });
      const found = await searchParties(db, 'marko');
      expect(found.map((p) => p.display_name)).toEqual(['Věra Marková', 'Věra Marková']);
      const [keep, dup] = found;
      // only the registry office and the administrator keep the register clean
      await expect(mergeParties(db, referentOsu, { keepId: keep.id, duplicateId: dup.id }, now)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await db('parties').where({ id: dup.id }).first()).toMatchObject({ merged_into: null });
      await mergeParties(db, admin, { keepId: keep.id, duplicateId: dup.id }, now);
      expect((await searchParties(db, 'vera marko')).map((p) => p.id)).toEqual([keep.id]);
      const senders = await db('documents').whereIn('id', [one.documentId, two.documentId]).pluck('sender_party_id');
      expect(senders).toEqual([keep.id, keep.id]);
    });
  });
});
