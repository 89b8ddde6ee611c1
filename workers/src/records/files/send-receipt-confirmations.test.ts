import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, verifyAuditLog, type Db } from '@openspis/db';
import { createMailTransport, type MailTransport } from '../../notify/mail-transport';
import { createSealingPorts, type SealingPorts } from '../../signing/seal-key-provider';
import { pdfsig } from '../../signing/testing/poppler';
import { seedSubmissionFiling, silentLog, testConfig } from '../../testing/fixtures';
import type { Actor } from '../records.model';
import { registerRecord } from './register-record.service';
import { catchUpReceiptConfirmations, sealPendingReceiptConfirmations } from './seal-receipt-confirmations.schedule';
import { sendPendingReceiptConfirmations } from './send-receipt-confirmations';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-receipt-mail-'));
const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'KT' };

describe('confirmation of receipt sent back to the sender of an e-mail', () => {
  let db: Db;
  let close: () => Promise<void>;
  let sealing: SealingPorts;
  let server: SMTPServer;
  let transport: MailTransport;
  let received: Buffer[] = [];
  let refuse = false;
  const config = testConfig({ OPENSPIS_DATA_DIR: dataDir });
  const ports = () => ({ db, clock: () => new Date(), config, sealing, transport });
  const registerEmail = (sender: { givenName: string; familyName: string; email?: string }, channel: 'email' | 'data-box' = 'email') =>
    registerRecord({ db, clock: () => new Date(), config }, podatelna, {
      direction: 'incoming', subject: 'Dotaz na poplatek ze psa', channel, classCode: '1.5', orgUnit: 'KT',
      sender: { kind: 'person', ...sender, ...(channel === 'data-box' ? { dataBoxId: 'qwe9876' } : {}) },
      components: [{ fileName: 'dotaz.txt', mediaType: 'text/plain', content: Buffer.from('Kolik činí poplatek ze psa?') }],
    });
  const receipt = (documentId: string) => db('receipt_confirmations').where({ document_id: documentId }).first();
  const blob = async (componentId: string) => {
    const c = await db('components').where({ id: componentId }).first();
    return Buffer.from((await db('blobs').where({ sha256: c.blob_sha256 }).first()).content);
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    await seedSubmissionFiling(db);
    sealing = createSealingPorts(config);
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(_address, _session, callback) {
        if (refuse) {
          callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 450 }));
          return;
        }
        callback();
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, outboxDir: path.join(dataDir, 'outbox') });
  }, 180_000);
  beforeEach(() => {
    received = [];
    refuse = false;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sealing.close();
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an e-mail registered by the registry office gets its sealed PDF confirmation, sent once to the sender with the PDF attached', async () => {
    // given an e-mail the registry office registered, with the sender's address
    const r = await registerEmail({ givenName: 'Eva', familyName: 'Malá', email: 'eva.mala@example.cz' });

    // when the catch-up runs twice
    const first = await catchUpReceiptConfirmations(ports(), silentLog);
    const second = await catchUpReceiptConfirmations(ports(), silentLog);

    // then the confirmation was rendered, sealed and sent once
    expect(first).toEqual({ sealed: [r.documentId], sent: [r.documentId] });
    expect(second).toEqual({ sealed: [], sent: [] });
    const row = await receipt(r.documentId);
    expect(row.sealed_component_id).not.toBeNull();
    expect(row).toMatchObject({ sent_to: 'eva.mala@example.cz', send_claimed_at: null, send_error: null });
    expect(row.sent_at).toBeInstanceOf(Date);
    const sealed = await blob(row.sealed_component_id);
    expect(pdfsig(sealed)).toContain('Signature Validation: Signature is Valid.');

    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('eva.mala@example.cz');
    expect(mail.messageId).toBe(`<receipt-confirmation-${row.id}@openspis>`);
    expect(mail.subject).toBe(`Potvrzení o přijetí vaší zprávy ${r.referenceNumber}`);
    expect(mail.text).toContain('Magistrát města Karlovy Vary potvrzuje přijetí vaší zprávy „Dotaz na poplatek ze psa“ doručené elektronickou poštou.');
    expect(mail.text).toContain(`Evidenční číslo (JID): ${r.jid}`);
    expect(mail.text).toContain(`Číslo jednací: ${r.referenceNumber}`);
    expect(mail.attachments).toHaveLength(1);
    const sealedRow = await db('components').where({ id: row.sealed_component_id }).first();
    expect(mail.attachments[0]).toMatchObject({ filename: sealedRow.file_name, contentType: 'application/pdf' });
    expect(Buffer.compare(mail.attachments[0].content, sealed)).toBe(0);

    // and the sending is in the transaction log as Export of the sealed component, without the address
    const logged = await db('audit_log').where({ event_type: 'Export', object_type: 'Komponenta', object_id: row.sealed_component_id });
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).not.toContain('eva.mala');
    expect((await verifyAuditLog(db)).ok).toBe(true);
  });

  it('two runs at once send it once', async () => {
    const r = await registerEmail({ givenName: 'Jan', familyName: 'Dvořák', email: 'jan.dvorak@example.cz' });
    await sealPendingReceiptConfirmations(ports(), silentLog);

    const [a, b] = await Promise.all([sendPendingReceiptConfirmations(ports(), silentLog), sendPendingReceiptConfirmations(ports(), silentLog)]);

    expect([...a, ...b]).toEqual([r.documentId]);
    expect(received).toHaveLength(1);
    expect(await db('audit_log').where({ event_type: 'Export', object_type: 'Komponenta', object_id: (await receipt(r.documentId)).sealed_component_id })).toHaveLength(1);
  });

  it('a message the SMTP server refuses is not marked sent and goes out with the next run', async () => {
    const r = await registerEmail({ givenName: 'Olga', familyName: 'Černá', email: 'olga.cerna@example.cz' });
    refuse = true;

    const refused = await catchUpReceiptConfirmations(ports(), silentLog);

    expect(refused).toEqual({ sealed: [r.documentId], sent: [] });
    expect(received).toHaveLength(0);
    const row = await receipt(r.documentId);
    expect(row).toMatchObject({ sent_at: null, sent_to: null, send_claimed_at: null });
    expect(row.send_error).toMatch(/did not accept the message \(450\)/);
    expect(row.send_error).not.toContain('olga');

    refuse = false;
    const retried = await catchUpReceiptConfirmations(ports(), silentLog);

    expect(retried).toEqual({ sealed: [], sent: [r.documentId] });
    expect(received).toHaveLength(1);
    expect(await receipt(r.documentId)).toMatchObject({ sent_to: 'olga.cerna@example.cz', send_error: null });
  });

  it('a document received through the data box gets no rendering and no e-mail', async () => {
    const r = await registerEmail({ givenName: 'Petr', familyName: 'Novák', email: 'petr.novak@example.cz' }, 'data-box');

    expect(await catchUpReceiptConfirmations(ports(), silentLog)).toEqual({ sealed: [], sent: [] });

    expect(await receipt(r.documentId)).toMatchObject({ sealed_component_id: null, sent_at: null, send_claimed_at: null });
    expect(received).toHaveLength(0);
  });

  it('a sender without an e-mail address gets none, and the run goes on', async () => {
    // given a sender recorded without an address, registered before one with an address
    const without = await registerEmail({ givenName: 'Marie', familyName: 'Bílá' });
    const withAddress = await registerEmail({ givenName: 'Karel', familyName: 'Veselý', email: 'karel@example.cz' });

    const run = await catchUpReceiptConfirmations(ports(), silentLog);

    // then both are sealed (the office keeps them), only the one with an address is sent
    expect(run.sealed.sort()).toEqual([without.documentId, withAddress.documentId].sort());
    expect(run.sent).toEqual([withAddress.documentId]);
    expect(await receipt(without.documentId)).toMatchObject({ sent_at: null, sent_to: null, send_claimed_at: null });
    expect((await receipt(without.documentId)).sealed_component_id).not.toBeNull();
    expect(received).toHaveLength(1);
    expect((await simpleParser(received[0])).to).toMatchObject({ text: 'karel@example.cz' });
  });

  it('confirms only what was received in the last seven days: an older e-mail is neither sealed nor sent', async () => {
    // given an e-mail whose confirmation was issued eight days ago (registered before an upgrade, or during a long outage)
    const old = await registerEmail({ givenName: 'Jana', familyName: 'Stará', email: 'jana.stara@example.cz' });
    await db('receipt_confirmations').where({ document_id: old.documentId }).update({ issued_at: new Date(Date.now() - 8 * 86_400_000) });

    // when
    const run = await catchUpReceiptConfirmations(ports(), silentLog);

    // then
    expect(run).toEqual({ sealed: [], sent: [] });
    expect(await receipt(old.documentId)).toMatchObject({ sealed_component_id: null, sent_at: null, send_claimed_at: null });
    expect(received).toHaveLength(0);
  });
});
