import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createIsdsClient, type IsdsClient } from '../../clients/isds/isds-client';
import { startIsdsTestPeer, validateIsdsXml, type IsdsTestPeer } from '../../clients/isds/testing/isds-test-peer';
import { detectFormat } from '../../intake/format-detection';
import { DomainError } from '../../shared/domain-error';
import { openssl } from '../../signing/testing/openssl';
import { testConfig } from '../../testing/fixtures';
import { closeFile } from '../disposal/close-file';
import { insertOpenFile, PDFA, seedRecordsBasics } from '../disposal/disposal.fixture';
import { readBlob } from '../disposal/lifecycle.repository';
import { settleRecordDocument } from '../disposal/settle-record-document';
import type { Actor } from '../records.model';
import { takeOverDataBoxDeliveries } from './data-box-deliveries';
import { recordDispatch } from './record-dispatch';

const podatelna: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
const referent: Actor = { username: 'referent', roles: ['referent'], orgUnit: 'OD' };
const login = { username: 'mmkv01', password: 'Heslo-123' };
const log = pino({ level: 'silent' });

describe('the signed delivery receipt (doručenka) of a data-box message, kept with the document', () => {
  let db: Db;
  let close: () => Promise<void>;
  let peer: IsdsTestPeer;
  let isds: IsdsClient;
  const now = new Date('2026-11-20T08:00:00Z');
  // the trust anchors hold the CA of the peer's ISDS seal
  const anchorsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-receipt-anchors-'));
  const ports = () => ({ db, clock: () => now, config: testConfig(), isds, trustAnchorsDir: anchorsDir });
  const detailsOf = (row: { derivation_details: unknown }) => (typeof row.derivation_details === 'string' ? JSON.parse(row.derivation_details) : row.derivation_details);
  let classId = '';

  /** A settled request and the answer to it (a PDF/A), dispatched on 2 November 2026 through the data box as message `dmId`. */
  async function answered(dmId: string) {
    const f = await insertOpenFile(db, { classId, at: new Date('2026-11-01T08:00:00Z'), components: [{ name: 'zadost.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports(), referent, { documentId: f.documentId, method: 'by-document' });
    const id = randomUUID();
    await db('documents').insert({ id, jid: `MMKV${dmId}`, file_id: f.fileId, direction: 'outgoing', subject: 'Odpověď', reference_number: `${f.fileReference}-2`, state: 'created', form: 'electronic', channel: 'data-box', created_by: 'user:referent', created_at: new Date('2026-11-01T09:00:00Z'), order_in_file: 2, org_unit: 'OD' });
    await db('journal').insert({ office: 'MMKV', year: 2026, seq: Number(dmId.slice(-4)), reference_number: `${f.fileReference}-2`, jid: `MMKV${dmId}`, document_id: id, file_id: f.fileId, direction: 'outgoing', received_at: new Date('2026-11-01T09:00:00Z'), subject: 'Odpověď', sender: 'Magistrát města Karlovy Vary', channel: 'data-box' });
    const mainId = randomUUID();
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(PDFA).digest('hex');
    await db('components').insert({ id: mainId, document_id: id, blob_sha256: sha256, file_name: 'odpoved.pdf', media_type: 'application/pdf', size: PDFA.length, created_at: new Date('2026-11-01T09:00:00Z') });
    await recordDispatch(ports(), podatelna, { documentId: id, day: '2026-11-02', dataBoxMessageId: dmId });
    return { id, fileId: f.fileId, mainId };
  }
  const receipts = (documentId: string) => db('components').where({ document_id: documentId, derivation: 'delivery-receipt' });
  const signedAsks = () => peer.requests.filter((r) => r.includes('GetSignedDeliveryInfo'));

  // a database with its migrations and the seeding: slow on a loaded machine
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    classId = (await seedRecordsBasics(db)).classIds['3.3'];
    peer = await startIsdsTestPeer(login);
    isds = createIsdsClient({ url: peer.url, ...login });
    fs.writeFileSync(path.join(anchorsDir, 'isds-test-ca.pem'), peer.ca.certPem);
  }, 180_000);
  afterAll(async () => {
    await peer.close();
    await close();
    fs.rmSync(anchorsDir, { recursive: true, force: true });
  });

  it('keeps the CMS ISDS signed as a .zfo component of the delivered document, once; the file still closes', async () => {
    // given
    const a = await answered('86000001');
    peer.messages.set('86000001', { status: 6, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-03T08:30:00+01:00', annotation: 'Odpověď' });

    // when
    const run = await takeOverDataBoxDeliveries(ports(), log);

    // then: one receipt, derived from the main file it carried
    expect(run).toMatchObject({ delivered: [a.id], receipts: [a.id], failed: 0 });
    const [receipt] = await receipts(a.id);
    expect(receipt).toMatchObject({ file_name: 'dorucenka-86000001.zfo', media_type: 'application/vnd.software602.filler.form-xml-zip', format: 'zfo', source_component_id: a.mainId, version: 1 });
    const bytes = (await readBlob(db, receipt.blob_sha256))!;
    expect(receipt.size).toBe(bytes.length);
    expect(detectFormat(bytes)).toMatchObject({ format: 'zfo', signature: 'cades', cmsContent: 'enveloped' });
    // verified before it was kept: a valid signature of the ISDS seal, chained to the trust anchors
    expect(detailsOf(receipt)).toMatchObject({ dataBoxMessageId: '86000001', signature: 'valid', signer: expect.stringContaining('ISDS test seal') });

    // the signature verifies to the peer's CA, over ISDS's delivery information of this message
    const verified = openssl((d) => ['cms', '-verify', '-inform', 'DER', '-in', `${d}/receipt.zfo`, '-CAfile', `${d}/ca.pem`, '-purpose', 'any'], { 'receipt.zfo': bytes, 'ca.pem': peer.ca.certPem });
    expect(verified.ok).toBe(true);
    expect(verified.output).toContain('<dmID>86000001</dmID>');
    expect(verified.output).toContain('<dmMessageStatus>6</dmMessageStatus>');
    const content = verified.output.slice(verified.output.indexOf('<q:GetDeliveryInfoResponse'), verified.output.indexOf('</q:GetDeliveryInfoResponse>') + '</q:GetDeliveryInfoResponse>'.length);
    expect(await validateIsdsXml(content)).toEqual({ valid: true, errors: [] });
    for (const xml of peer.responses) expect(await validateIsdsXml(xml)).toEqual({ valid: true, errors: [] });

    const logged = await db('audit_log').where({ object_id: receipt.id });
    expect(logged.map((e) => [e.event_type, e.object_type, e.actor])).toEqual([['Zalozeni', 'Komponenta', 'system:isds']]);

    // when: the next runs ask nothing more
    const asked = signedAsks().length;
    expect((await takeOverDataBoxDeliveries(ports(), log)).receipts).toEqual([]);
    expect(signedAsks()).toHaveLength(asked);
    expect(await receipts(a.id)).toHaveLength(1);

    // the receipt does not stand in the way of the file's closure (it is not a content component)
    expect(await closeFile(ports(), referent, { fileId: a.fileId })).toMatchObject({ disposalYear: 2032 });
  });

  it('asks again next run when ISDS did not give the receipt; two runs at once keep it once', async () => {
    // given
    const a = await answered('86000002');
    peer.messages.set('86000002', { status: 5, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-12T00:00:00+01:00' });
    const failing: IsdsClient = { ...isds, getSignedDeliveryInfo: async () => { throw new DomainError('ISDS_FAULT', 'GetSignedDeliveryInfo: internal error', 'transient'); } };

    // when
    const first = await takeOverDataBoxDeliveries({ ...ports(), isds: failing }, log);

    // then: delivered, but no receipt yet
    expect(first).toMatchObject({ delivered: [a.id], receipts: [], failed: 1 });
    expect(await receipts(a.id)).toEqual([]);

    // when: two runs at once
    const [r1, r2] = await Promise.all([takeOverDataBoxDeliveries(ports(), log), takeOverDataBoxDeliveries(ports(), log)]);

    // then
    expect([...r1.receipts, ...r2.receipts]).toEqual([a.id]);
    expect(await receipts(a.id)).toHaveLength(1);
    expect(await db('audit_log').where({ event_type: 'Zalozeni', object_type: 'Komponenta', actor: 'system:isds' }).whereRaw("details->>'documentId' = ?", [a.id])).toHaveLength(1);
  });

  it('does not keep a receipt whose signature fails, asks again next run, and keeps one it cannot chain to an anchor as indeterminate', async () => {
    // given: ISDS answers with a receipt altered in transit (one byte of the signed delivery information)
    const a = await answered('86000003');
    peer.messages.set('86000003', { status: 6, deliveryTime: '2026-11-02T10:00:00+01:00', acceptanceTime: '2026-11-03T08:30:00+01:00' });
    const altering: IsdsClient = {
      ...isds,
      getSignedDeliveryInfo: async (dmId) => {
        const bytes = Buffer.from(await isds.getSignedDeliveryInfo(dmId));
        const at = bytes.indexOf('<dmMessageStatus>6');
        bytes[at + '<dmMessageStatus>'.length] = '5'.charCodeAt(0);
        return bytes;
      },
    };

    // when
    const altered = await takeOverDataBoxDeliveries({ ...ports(), isds: altering }, log);

    // then: delivered, but the receipt is not kept and nothing about it is logged
    expect(altered).toMatchObject({ delivered: [a.id], receipts: [], failed: 1 });
    expect(await receipts(a.id)).toEqual([]);

    // when: next run ISDS gives the receipt as signed, but no trust anchor knows its CA
    const next = await takeOverDataBoxDeliveries({ ...ports(), trustAnchorsDir: undefined }, log);

    // then: kept, with the verdict that the signature is intact but its certificate unproven
    expect(next).toMatchObject({ receipts: [a.id], failed: 0 });
    const [receipt] = await receipts(a.id);
    expect(detailsOf(receipt)).toMatchObject({ signature: 'indeterminate' });
    const [logged] = await db('audit_log').where({ object_id: receipt.id });
    expect(typeof logged.details === 'string' ? JSON.parse(logged.details) : logged.details).toMatchObject({ deliveryReceiptOf: '86000003', signature: 'indeterminate' });
  });
});
