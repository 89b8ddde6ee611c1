import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';

const TABLES = ['files', 'documents', 'components', 'journal', 'audit_log', 'submission_events', 'blobs', 'parties', 'receipt_confirmations'];

describe('registry.register-document', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => ({ db, close } = await createTestDb()));
  afterAll(() => close());

  const handler = (config = testConfig()) => createJobHandlers({ db, config, log: silentLog, clock: () => new Date('2026-12-01T00:00:00Z') }).find((h) => h.type === 'registry.register-document')!;

  it('turns the submission into a registered incoming document in a new file', async () => {
    // given
    const submissionId = await insertSubmission(db, { attachment: { name: 'foto.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.7 foto') } });
    const before = await countRows(db, TABLES);

    // when
    const result = await handler().handle(makeJob('registry.register-document', { submissionId }), jobCtx);

    // then
    expect(result.outcome).toBe('complete');
    const vars = completed(result);
    expect(vars.referenceNumber).toBe('MMKV/1/2026');
    expect(vars.fileReference).toBe('MMKV/1/2026');
    expect(vars.jid).toMatch(/^MMKV\d{9}[0-9X]$/);
    expect(vars.answerDueDate).toBe('2026-12-30T22:59:59.999Z');
    expect(vars.reminderAfter).toBe('P24DT22H59M59S');

    const doc = await db('documents').where({ id: vars.documentId }).first();
    expect(doc).toMatchObject({ direction: 'incoming', state: 'registered', file_id: vars.fileId, reference_number: 'MMKV/1/2026', subject: 'Žádost o opravu chodníku' });
    const components = await db('components').where({ document_id: vars.documentId }).orderBy('file_name');
    expect(components.map((c) => [c.file_name, c.media_type])).toEqual([['foto.pdf', 'application/pdf'], ['podani.json', 'application/json']]);
    const podani = await db('blobs').where({ sha256: components[1].blob_sha256 }).first();
    expect(JSON.parse(Buffer.from(podani.content).toString('utf8')).formData.subject).toBe('Žádost o opravu chodníku');

    const submission = await db('submissions').where({ id: submissionId }).first();
    expect(submission).toMatchObject({ status: 'registered', reference_number: 'MMKV/1/2026', document_id: vars.documentId });
    const journal = await db('journal').where({ document_id: vars.documentId }).first();
    expect(journal).toMatchObject({ seq: 1, year: 2026, jid: vars.jid, sender: 'Jana Nováková' });

    const audit = await db('audit_log').orderBy('id').select('event_type', 'object_type');
    expect(audit.map((a) => `${a.event_type}:${a.object_type}`)).toEqual([
      'Zalozeni:Subjekt', 'Zalozeni:Spis', 'Zalozeni:Dokument', 'Zalozeni:Komponenta', 'Zalozeni:Komponenta', 'VlozeniDoSpisu:Dokument', 'Uprava:Dokument',
    ]);
    const after = await countRows(db, TABLES);
    expect(after.submission_events - before.submission_events).toBe(1);
    expect(after.blobs - before.blobs).toBe(1); // podani.json; the attachment's bytes are reused
  });

  it('files it in the class and unit of its service, with the class\'s retention, the submitter as sender and a confirmation of receipt', async () => {
    // given general-submission's catalogue entry: "filing": { "classCode": "1.5", "orgUnit": "KT" } (1.5 is S/5)
    const submissionId = await insertSubmission(db, { attachment: { name: 'situace.png', type: 'image/png', content: Buffer.from('png') } });

    // when
    const vars = completed(await handler().handle(makeJob('registry.register-document', { submissionId }), jobCtx));

    // then the file has the class, its retention and the handling unit
    const file = await db('files').where({ id: vars.fileId }).first();
    expect(file).toMatchObject({ class_code: '1.5', disposal_code: 'S', retention_years: 5, trigger_event: 'uzavření spisu', org_unit: 'KT', numbering_method: 'collection-sheet' });
    expect(file.class_id).toBe((await db('file_classes').where({ class_code: '1.5' }).first()).id);
    // the document and the journal carry them too, and point at the sender in the register of parties
    const doc = await db('documents').where({ id: vars.documentId }).first();
    expect(doc).toMatchObject({ org_unit: 'KT', disposal_code: 'S', retention_years: 5, channel: 'portal', form: 'electronic', attachments_count: 1 });
    const party = await db('parties').where({ id: doc.sender_party_id }).first();
    expect(party).toMatchObject({ kind: 'person', display_name: 'Jana Nováková', given_name: 'Jana', family_name: 'Nováková', email: 'jana@example.cz' });
    expect(await db('journal').where({ document_id: vars.documentId }).first()).toMatchObject({ class_code: '1.5', org_unit: 'KT', disposal_code: 'S', retention_years: 5, sender_party_id: party.id });
    // and the confirmation of receipt names the office, the time to the second, the numbers and every component received
    const receipt = await db('receipt_confirmations').where({ document_id: vars.documentId }).first();
    expect(receipt).toMatchObject({ channel: 'portal', recipient: 'jana@example.cz' });
    expect(receipt.text).toContain('Magistrát města Karlovy Vary potvrzuje přijetí');
    expect(receipt.text).toContain('Datum a čas přijetí: 30. 11. 2026 10:15:00 (GMT+1)');
    expect(receipt.text).toContain(`Evidenční číslo (JID): ${vars.jid}`);
    expect(receipt.text).toContain(`Číslo jednací: ${vars.referenceNumber}`);
    expect(receipt.text).toContain('Komponenty: podani.json, situace.png');
  });

  it('records a returning submitter once and takes a data box ID the form gave', async () => {
    // given two submissions from the same person and one from a company with a data box
    const first = completed(await handler().handle(makeJob('registry.register-document', { submissionId: await insertSubmission(db) }), jobCtx));
    const second = completed(await handler().handle(makeJob('registry.register-document', { submissionId: await insertSubmission(db) }), jobCtx));
    const boxed = await insertSubmission(db, { formData: { applicantDataBoxId: 'AB12CDE', applicantCompanyId: '27074358', applicantOrganisation: 'Stavby Ohře s.r.o.' } });

    // when
    const third = completed(await handler().handle(makeJob('registry.register-document', { submissionId: boxed }), jobCtx));

    // then
    const senders = await db('documents').whereIn('id', [first.documentId, second.documentId, third.documentId]).pluck('sender_party_id');
    expect(senders[0]).toBe(senders[1]);
    expect(Number((await db('parties').where({ email: 'jana@example.cz', display_name: 'Jana Nováková' }).count({ n: '*' }).first())?.n)).toBe(1);
    const company = await db('documents').where({ id: third.documentId }).first();
    expect(await db('parties').where({ id: company.sender_party_id }).first()).toMatchObject({ kind: 'organisation', display_name: 'Stavby Ohře s.r.o.', company_id: '27074358', data_box_id: 'ab12cde' });
    expect((await db('receipt_confirmations').where({ document_id: third.documentId }).first()).recipient).toBe('jana@example.cz');
  });

  it('records a new submitter once when several of their submissions are registered at the same moment', async () => {
    // given submissions of a person the register does not know yet
    const formData = { applicantName: 'Olena Kovalenko', applicantEmail: 'olena@example.cz' };
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await insertSubmission(db, { formData, subject: `Podání ${i}` }));
    await db('submissions').whereIn('id', ids).update({ applicant_name: 'Olena Kovalenko', applicant_email: 'olena@example.cz' });

    // when (on PostgreSQL a later insert of the party waits for the first and is refused; that registration then finds it)
    const results = await Promise.all(ids.map((submissionId) => handler().handle(makeJob('registry.register-document', { submissionId }), jobCtx)));

    // then
    const documents = results.map((r) => completed(r).documentId);
    const senders = await db('documents').whereIn('id', documents).pluck('sender_party_id');
    expect(new Set(senders).size).toBe(1);
    expect(await db('parties').where({ email: 'olena@example.cz' }).pluck('id')).toEqual([senders[0]]);
  });

  it('becomes an incident and writes nothing when the service\'s filing is missing, its class is not in the plan or its unit does not exist', async () => {
    // given a catalogue with three badly configured services
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-processes-'));
    const service = (code: string, filing: unknown) => {
      fs.mkdirSync(path.join(dir, code));
      fs.writeFileSync(path.join(dir, code, 'catalogue.json'), JSON.stringify({ code, deadline: { days: 30 }, filing }));
    };
    service('no-filing', undefined);
    service('unknown-class', { classCode: '9.9', orgUnit: 'KT' });
    service('group-class', { classCode: '1', orgUnit: 'KT' });
    service('unknown-unit', { classCode: '1.5', orgUnit: 'XX' });
    const config = { ...testConfig(), processesDir: dir };
    try {
      for (const [code, error] of [['no-filing', 'SERVICE_FILING_MISSING'], ['unknown-class', 'FILE_CLASS_NOT_FOUND'], ['group-class', 'FILE_CLASS_NOT_LEAF'], ['unknown-unit', 'ORG_UNIT_NOT_FOUND']]) {
        const submissionId = await insertSubmission(db, { serviceCode: code });
        const before = await countRows(db, TABLES);

        // when
        const outcome = await handler(config).handle(makeJob('registry.register-document', { submissionId }), jobCtx);

        // then
        expect(outcome).toMatchObject({ outcome: 'fail', retries: 0 });
        expect((outcome as { errorMessage: string }).errorMessage).toMatch(new RegExp(`^${error}: `));
        expect(await countRows(db, TABLES)).toEqual(before);
        expect(await db('submissions').where({ id: submissionId }).first()).toMatchObject({ status: 'received', document_id: null, reference_number: null });
      }
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('returns the same numbers on re-delivery and writes nothing', async () => {
    // given
    const submissionId = await insertSubmission(db);
    const job = makeJob('registry.register-document', { submissionId });
    const first = await handler().handle(job, jobCtx);
    const before = await countRows(db, TABLES);

    // when
    const again = await handler().handle(job, jobCtx);

    // then
    expect(again).toEqual(first);
    expect(await countRows(db, TABLES)).toEqual(before);
  });

  it('fails with no retries when the submission id is missing or unknown', async () => {
    const missing = await handler().handle(makeJob('registry.register-document', {}), jobCtx);
    expect(missing).toMatchObject({ outcome: 'fail', retries: 0 });
    expect((missing as { errorMessage: string }).errorMessage).toContain('submissionId');
    const unknown = await handler().handle(makeJob('registry.register-document', { submissionId: '00000000-0000-4000-8000-000000000000' }), jobCtx);
    expect(unknown).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
