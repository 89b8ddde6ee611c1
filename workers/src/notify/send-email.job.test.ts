import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, loadAppSecret, verifyTrackingToken, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { sealReceiptConfirmation } from '../records/files/seal-receipt-confirmation.service';
import { registerDocument } from '../registry/register-document.service';
import { createSealingPorts } from '../signing/seal-key-provider';
import { createTestCa, issueCertificate, toPkcs12 } from '../signing/test-pki';
import { insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';

describe('notify.send-email', () => {
  let db: Db;
  let close: () => Promise<void>;
  let dataDir: string;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-mail-'));
  });
  afterAll(async () => {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const clock = () => new Date('2026-12-01T08:00:00Z');
  const handlerFor = (env: NodeJS.ProcessEnv = {}) =>
    createJobHandlers({ db, config: testConfig({ OPENSPIS_DATA_DIR: dataDir, ...env }), log: silentLog, clock }).find((h) => h.type === 'notify.send-email')!;
  const emlFiles = () => (fs.existsSync(path.join(dataDir, 'outbox')) ? fs.readdirSync(path.join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml')) : []);

  it('without SMTP writes the receipt confirmation once to the outbox, with a working tracking link', async () => {
    // given a registered submission whose confirmation of receipt has been rendered and sealed
    const submissionId = await insertSubmission(db);
    const { jid, documentId } = await registerDocument({ db, clock, config: testConfig() }, { submissionId });
    // a seal valid at the test's clock (the generated dev seal is valid from the hour it was made, which may be later)
    const validFrom = new Date(clock().getTime() - 30 * 86_400_000);
    const ca = createTestCa({ commonName: 'Testovací CA', notBefore: validFrom });
    const seal = issueCertificate(ca, { commonName: 'Pečeť úřadu', kind: 'seal', notBefore: validFrom });
    fs.writeFileSync(path.join(dataDir, 'seal.p12'), toPkcs12(seal, { password: 'heslo', chain: [ca] }));
    const sealConfig = testConfig({ OPENSPIS_DATA_DIR: dataDir, SIGNING_PKCS12_FILE: path.join(dataDir, 'seal.p12'), SIGNING_PKCS12_PASSWORD: 'heslo' });
    const sealing = createSealingPorts(sealConfig);
    await sealReceiptConfirmation({ db, clock, config: sealConfig, sealing }, { documentId }).finally(() => sealing.close());
    const job = makeJob('notify.send-email', { submissionId }, { template: 'receipt-confirmation', recipient: 'applicant' });
    const handler = handlerFor();

    // when
    const first = await handler.handle(job, jobCtx);
    const again = await handler.handle(job, jobCtx);

    // then
    expect(first).toEqual({ outcome: 'complete', variables: {} });
    expect(again).toEqual(first);
    const rows = await db('outbox_emails').where({ idempotency_key: `${job.processInstanceKey}:${job.elementInstanceKey}` });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', to_address: 'jana@example.cz', subject: 'Potvrzení o přijetí podání MMKV/1/2026' });
    expect(emlFiles()).toHaveLength(1);
    const eml = fs.readFileSync(path.join(dataDir, 'outbox', emlFiles()[0]), 'utf8');
    expect(eml).toMatch(/^To: jana@example\.cz/m);
    const body: string = rows[0].text_body;
    // the confirmation of receipt issued with the registration: what it confirms, and where to download it
    expect(body).toContain('Magistrát města Karlovy Vary potvrzuje přijetí vašeho podání:');
    expect(body).toContain('Číslo jednací: MMKV/1/2026');
    expect(body).toMatch(/Datum a čas přijetí: 30\. listopadu 2026\D+10:15:00/);
    expect(body).toContain(`Evidenční číslo (JID): ${jid}`);
    expect(body).toContain('Přijaté soubory: podani.json');
    const token = /http:\/\/localhost:4321\/sledovani\/([A-Za-z0-9_-]+)/.exec(body)?.[1];
    expect(token).toBeDefined();
    expect(body).toContain(`Potvrzení o přijetí ve formátu PDF opatřené elektronickou pečetí úřadu si můžete stáhnout zde:\nhttp://localhost:4321/sledovani/${token}/potvrzeni-o-prijeti\n`);
    expect(verifyTrackingToken(await loadAppSecret(db), token!, clock())).toBe(submissionId);
  });

  it('links the confirmation of receipt only once its sealed PDF is there', async () => {
    const submissionId = await insertSubmission(db);
    const { jid } = await registerDocument({ db, clock, config: testConfig() }, { submissionId });
    const job = makeJob('notify.send-email', { submissionId }, { template: 'receipt-confirmation', recipient: 'applicant' });
    await handlerFor().handle(job, jobCtx);
    const body: string = (await db('outbox_emails').where({ idempotency_key: `${job.processInstanceKey}:${job.elementInstanceKey}` }).first()).text_body;
    expect(body).toContain(`Evidenční číslo (JID): ${jid}`);
    expect(body).not.toContain('/potvrzeni-o-prijeti');
    expect(body).not.toContain('stáhnout');
  });

  it('writes to the applicant in their language and reminds the handlers in Czech', async () => {
    const submissionId = await insertSubmission(db, { locale: 'en', subject: 'Broken pavement' });
    await registerDocument({ db, clock, config: testConfig() }, { submissionId });
    const handler = handlerFor({ OFFICE_EMAIL: 'referenti@mmkv.example' });
    const ready = makeJob('notify.send-email', { submissionId }, { template: 'answer-ready', recipient: 'applicant' });
    const reminder = makeJob('notify.send-email', { submissionId, answerDueDate: '2026-12-30T22:59:59.999Z' }, { template: 'answer-reminder', recipient: 'handlers' });
    await handler.handle(ready, jobCtx);
    await handler.handle(reminder, jobCtx);
    const readyRow = await db('outbox_emails').where({ idempotency_key: `${ready.processInstanceKey}:${ready.elementInstanceKey}` }).first();
    expect(readyRow.subject).toMatch(/^Answer to your submission MMKV\/\d+\/2026$/);
    expect(readyRow.text_body).toContain('“Broken pavement”');
    const reminderRow = await db('outbox_emails').where({ idempotency_key: `${reminder.processInstanceKey}:${reminder.elementInstanceKey}` }).first();
    expect(reminderRow.to_address).toBe('referenti@mmkv.example');
    expect(reminderRow.subject).toMatch(/^Blíží se lhůta k vyřízení podání MMKV\//);
    expect(reminderRow.text_body).toContain('Lhůta k vyřízení: 30. prosince 2026');
  });

  it('with SMTP a real peer receives exactly one message on double delivery', async () => {
    // given
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const submissionId = await insertSubmission(db, { locale: 'uk' });
      await registerDocument({ db, clock, config: testConfig() }, { submissionId });
      const handler = handlerFor({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      const job = makeJob('notify.send-email', { submissionId }, { template: 'receipt-confirmation', recipient: 'applicant' });
      const filesBefore = emlFiles().length;

      // when
      expect((await handler.handle(job, jobCtx)).outcome).toBe('complete');
      expect((await handler.handle(job, jobCtx)).outcome).toBe('complete');

      // then
      expect(received).toHaveLength(1);
      expect(received[0]).toMatch(/^Subject: =\?UTF-8\?/m);
      expect(emlFiles()).toHaveLength(filesBefore);
      const row = await db('outbox_emails').where({ idempotency_key: `${job.processInstanceKey}:${job.elementInstanceKey}` }).first();
      expect(row.status).toBe('sent');
      expect(row.subject).toMatch(/^Підтвердження отримання звернення MMKV\//);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('retries with backoff when the SMTP server is unreachable', async () => {
    const submissionId = await insertSubmission(db);
    const handler = handlerFor({ SMTP_URL: 'smtp://127.0.0.1:1' });
    const job = makeJob('notify.send-email', { submissionId }, { template: 'answer-ready', recipient: 'applicant' });
    const outcome = await handler.handle(job, jobCtx);
    expect(outcome).toMatchObject({ outcome: 'fail', retries: 4 });
    expect((outcome as { retryBackOff: number }).retryBackOff).toBeGreaterThan(0);
    expect(await db('outbox_emails').where({ idempotency_key: `${job.processInstanceKey}:${job.elementInstanceKey}` }).first()).toMatchObject({ status: 'failed' });
  });

  it('fails with no retries for an unknown template', async () => {
    const submissionId = await insertSubmission(db);
    const outcome = await handlerFor().handle(makeJob('notify.send-email', { submissionId }, { template: 'spam', recipient: 'applicant' }), jobCtx);
    expect(outcome).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
