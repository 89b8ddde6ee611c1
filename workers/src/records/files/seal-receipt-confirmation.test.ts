import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { checkPdfA } from '../../documents/pdfa-check';
import { createJobHandlers } from '../../index';
import { registerDocument } from '../../registry/register-document.service';
import { createSealingPorts, type SealingPorts } from '../../signing/seal-key-provider';
import { verifyPadesWithOpenssl } from '../../signing/testing/openssl';
import { pdfsig, pdftotext } from '../../signing/testing/poppler';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../../testing/fixtures';
import type { Actor } from '../records.model';
import { registerRecord } from './register-record.service';
import { sealReceiptConfirmation } from './seal-receipt-confirmation.service';
import { sealPendingReceiptConfirmations } from './seal-receipt-confirmations.schedule';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-receipt-'));
const TABLES = ['components', 'blobs', 'component_seals', 'audit_log', 'receipt_confirmations', 'documents', 'journal'];
const PHOTO = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const RECEIVED = new Date('2026-11-28T09:15:07Z');
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'KT' };

describe('confirmation of receipt as a sealed PDF/A', () => {
  let db: Db;
  let close: () => Promise<void>;
  let sealing: SealingPorts;
  const config = testConfig({ OPENSPIS_DATA_DIR: dataDir });
  // the generated dev seal is valid from the moment it is made: the real clock
  const ports = () => ({ db, clock: () => new Date(), config, sealing });
  const blob = async (componentId: string) => {
    const c = await db('components').where({ id: componentId }).first();
    return Buffer.from((await db('blobs').where({ sha256: c.blob_sha256 }).first()).content);
  };
  const registered = async (opts: { locale?: string } = {}) => {
    const submissionId = await insertSubmission(db, { ...opts, createdAt: RECEIVED, attachment: { name: 'fotografie.pdf', type: 'application/pdf', content: PHOTO } });
    return registerDocument(ports(), { submissionId });
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    sealing = createSealingPorts(config);
  }, 180_000);
  afterAll(async () => {
    await sealing.close();
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders the confirmation as PDF/A-2b with the office, time of receipt, JID, reference number and the files received, and seals it', async () => {
    // given a registered portal submission (in Czech) with one attachment
    const r = await registered();
    const before = await countRows(db, TABLES);

    // when
    const result = await sealReceiptConfirmation(ports(), { documentId: r.documentId });

    // then the rendering and its sealed version are components of the received document
    expect(result).toMatchObject({ locale: 'cs', created: true });
    const rendered = await db('components').where({ id: result.componentId }).first();
    expect(rendered).toMatchObject({ document_id: r.documentId, derivation: 'receipt-confirmation', media_type: 'application/pdf', format: 'pdf', file_name: `potvrzeni-o-prijeti-${r.referenceNumber.replace(/\//g, '-')}.pdf` });
    const sealedRow = await db('components').where({ id: result.sealedComponentId }).first();
    expect(sealedRow).toMatchObject({ document_id: r.documentId, derivation: 'sealed', source_component_id: result.componentId, version: 2, file_name: rendered.file_name });
    expect(await db('receipt_confirmations').where({ document_id: r.documentId }).first()).toMatchObject({ component_id: result.componentId, sealed_component_id: result.sealedComponentId, locale: 'cs' });
    const after = await countRows(db, TABLES);
    expect(after.components - before.components).toBe(2);
    expect(after.component_seals - before.component_seals).toBe(1);
    expect(after.documents - before.documents).toBe(0); // no record of its own: it belongs to the document it confirms
    expect(after.journal - before.journal).toBe(0);

    // the seal verifies with poppler and with openssl against the dev seal's CA, and the PDF is PDF/A
    const sealed = await blob(result.sealedComponentId);
    expect(pdfsig(sealed)).toContain('Signature Validation: Signature is Valid.');
    const devCa = fs.readFileSync(path.join(dataDir, 'signing', 'dev-seal', 'dev-ca.pem'), 'utf8');
    expect(verifyPadesWithOpenssl(sealed, devCa).cms.ok).toBe(true);
    expect(await checkPdfA(sealed)).toMatchObject({ ok: true, part: '2', problems: [] });
    expect(await checkPdfA(await blob(result.componentId))).toMatchObject({ ok: true, problems: [] });

    // and states what § 2 of vyhláška 259/2012 Sb. asks for
    const text = pdftotext(sealed).replace(/\s+/g, ' ');
    expect(text).toContain('Potvrzení o přijetí podání');
    expect(text).toContain('Úřad, který podání přijal: Magistrát města Karlovy Vary');
    expect(text).toContain('Datum a čas přijetí: 28. listopadu 2026 v 10:15:07, GMT+1');
    expect(text).toContain(`Evidenční číslo (JID): ${r.jid}`);
    expect(text).toContain(`Číslo jednací: ${r.referenceNumber}`);
    expect(text).toContain('Způsob doručení: elektronicky prostřednictvím portálu úřadu');
    expect(text).toContain('Odesílatel: Jana Nováková');
    expect(text).toContain('Přijaté soubory (komponenty): 2');
    const photo = await db('components').where({ document_id: r.documentId, file_name: 'fotografie.pdf' }).first();
    // (a long hash wraps in its table cell)
    const packed = text.replace(/\s+/g, '');
    expect(packed).toContain(`1fotografie.pdfapplication/pdf${PHOTO.length}B${photo.blob_sha256}`);
    expect(packed).toMatch(/2podani\.jsonapplication\/json\d+B[0-9a-f]{64}/);
    expect(text).toContain('§ 2 vyhlášky č. 259/2012 Sb.');
    expect(text).toContain('opatřeno elektronickou pečetí úřadu');
    // the rendering and the seal are in the transaction log, whose chain still verifies
    expect(await db('audit_log').where({ object_id: result.componentId, event_type: 'Zalozeni' }).first()).toMatchObject({ object_type: 'Komponenta' });
    expect(await db('audit_log').where({ object_id: result.sealedComponentId, event_type: 'Zalozeni' }).first()).toMatchObject({ object_type: 'Komponenta' });
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('a repeated job makes nothing new and returns the same sealed PDF; two runs at once make one', async () => {
    // given a registered submission and the job as the engine delivers it
    const r = await registered();
    const handler = createJobHandlers({ db, config, log: silentLog, sealing }).find((h) => h.type === 'registry.seal-receipt-confirmation')!;
    const job = makeJob('registry.seal-receipt-confirmation', { documentId: r.documentId });

    // when two deliveries run at once, and then once more
    const before = await countRows(db, TABLES);
    const [a, b] = await Promise.all([handler.handle(job, jobCtx), handler.handle(job, jobCtx)]);
    const middle = await countRows(db, TABLES);
    const again = await handler.handle(job, jobCtx);

    // then one rendering and one seal, and every delivery answers with it
    expect(middle.components - before.components).toBe(2);
    expect(middle.component_seals - before.component_seals).toBe(1);
    const sealedId = (await db('receipt_confirmations').where({ document_id: r.documentId }).first()).sealed_component_id;
    for (const outcome of [a, b, again]) expect(completed(outcome)).toEqual({ receiptConfirmationComponentId: sealedId });
    expect(await countRows(db, TABLES)).toEqual(middle);
    expect((await sealReceiptConfirmation(ports(), { documentId: r.documentId })).created).toBe(false);
    expect(await countRows(db, TABLES)).toEqual(middle);
  });

  it('a rendering left without its seal (a crash in between) is only sealed by the next run', async () => {
    // given a confirmation whose seal was never made
    const r = await registered();
    const first = await sealReceiptConfirmation(ports(), { documentId: r.documentId });
    await db('receipt_confirmations').where({ document_id: r.documentId }).update({ sealed_component_id: null, sealed_at: null });
    await db('component_seals').where({ sealed_component_id: first.sealedComponentId }).delete();
    await db('components').where({ id: first.sealedComponentId }).delete();
    const before = await countRows(db, TABLES);

    // when
    const again = await sealReceiptConfirmation(ports(), { documentId: r.documentId });

    // then the same rendering, sealed now
    expect(again.componentId).toBe(first.componentId);
    const after = await countRows(db, TABLES);
    expect([after.components - before.components, after.component_seals - before.component_seals]).toEqual([1, 1]);
    expect(pdfsig(await blob(again.sealedComponentId))).toContain('Signature Validation: Signature is Valid.');
  });

  it('speaks the language of the submission: English and Ukrainian', async () => {
    for (const [locale, expected] of [
      ['en', ['Confirmation of receipt of a submission', 'Date and time of receipt: 28 November 2026 at 10:15:07 GMT+1', 'Registration number (JID)', 'Files received (components): 2', 'confirmation-of-receipt-']],
      ['uk', ['Підтвердження про отримання звернення', 'Дата і час отримання: 28 листопада 2026 р. о 10:15:07 GMT+1', 'Ідентифікаційний номер (JID)', 'Отримані файли (компоненти): 2', 'pidtverdzhennia-pro-otrymannia-']],
    ] as const) {
      const r = await registered({ locale });
      const result = await sealReceiptConfirmation(ports(), { documentId: r.documentId });
      expect(result.locale).toBe(locale);
      const text = pdftotext(await blob(result.sealedComponentId)).replace(/\s+/g, ' ');
      for (const s of expected.slice(0, 4)) expect(text).toContain(s);
      expect(text).toContain(r.jid);
      expect((await db('components').where({ id: result.sealedComponentId }).first()).file_name).toContain(expected[4]);
    }
  });

  it('a document with no submission (an e-mail the registry office registered) gets it in Czech', async () => {
    // given an e-mail registered by the registry office, whose registration issued the confirmation
    const r = await registerRecord({ db, clock: () => new Date(), config }, podatelna, {
      direction: 'incoming', subject: 'Dotaz na poplatek', channel: 'email', classCode: '1.5', orgUnit: 'KT',
      sender: { kind: 'person', givenName: 'Eva', familyName: 'Malá', email: 'eva.mala@example.cz' },
      components: [{ fileName: 'dotaz.txt', mediaType: 'text/plain', content: Buffer.from('Kolik činí poplatek?') }],
    });

    // when
    const result = await sealReceiptConfirmation(ports(), { documentId: r.documentId });

    // then
    expect(result.locale).toBe('cs');
    const text = pdftotext(await blob(result.sealedComponentId)).replace(/\s+/g, ' ');
    expect(text).toContain('Způsob doručení: elektronicky e-mailem na elektronickou podatelnu');
    expect(text).toContain('Odesílatel: Eva Malá');
    expect(text).toContain(`dotaz.txt text/plain ${Buffer.byteLength('Kolik činí poplatek?')} B`);
  });

  it('the catch-up seals a portal submission\'s confirmation the procedure left without its PDF, and nothing else', async () => {
    // given a portal submission registered 11 minutes ago whose procedure never ran the step, one registered
    // just now (its job will do it), and a document the registry office registered with the portal channel
    const submissionId = await insertSubmission(db, { createdAt: RECEIVED });
    const left = await registerDocument({ db, clock: () => new Date(Date.now() - 11 * 60_000), config }, { submissionId });
    const fresh = await registered();
    const clerks = await registerRecord({ db, clock: () => new Date(Date.now() - 60 * 60_000), config }, podatelna, {
      direction: 'incoming', subject: 'Podání převzaté z jiného systému', channel: 'portal', classCode: '1.5', orgUnit: 'KT',
      sender: { kind: 'person', givenName: 'Karel', familyName: 'Veselý', email: 'karel@example.cz' },
      components: [{ fileName: 'podani.txt', mediaType: 'text/plain', content: Buffer.from('podání') }],
    });

    // when (the earlier tests' confirmations are all sealed)
    const before = await countRows(db, TABLES);
    const first = await sealPendingReceiptConfirmations(ports(), silentLog);
    const middle = await countRows(db, TABLES);
    const second = await sealPendingReceiptConfirmations(ports(), silentLog);

    // then only the one left behind was sealed, once
    const receipt = async (documentId: string) => db('receipt_confirmations').where({ document_id: documentId }).first();
    expect((await receipt(left.documentId)).sealed_component_id).not.toBeNull();
    expect(pdfsig(await blob((await receipt(left.documentId)).sealed_component_id))).toContain('Signature Validation: Signature is Valid.');
    expect((await receipt(fresh.documentId)).sealed_component_id).toBeNull();
    expect((await receipt(clerks.documentId)).sealed_component_id).toBeNull();
    expect([first, second]).toEqual([[left.documentId], []]);
    expect([middle.components - before.components, middle.component_seals - before.component_seals]).toEqual([2, 1]);
    expect(await countRows(db, TABLES)).toEqual(middle);
  });

  it('a document without a confirmation of receipt is refused as bad input and nothing is written', async () => {
    const r = await registerRecord({ db, clock: () => new Date(), config }, podatelna, {
      direction: 'incoming', subject: 'Dopis', channel: 'post', form: 'analog', classCode: '1.5', orgUnit: 'KT', sender: { kind: 'person', givenName: 'Petr', familyName: 'Novák' }, components: [],
    });
    const before = await countRows(db, TABLES);
    await expect(sealReceiptConfirmation(ports(), { documentId: r.documentId })).rejects.toMatchObject({ code: 'RECEIPT_CONFIRMATION_NOT_FOUND', kind: 'input' });
    expect(await countRows(db, TABLES)).toEqual(before);
  });
});
