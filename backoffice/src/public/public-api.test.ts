import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadAppSecret, mintTrackingToken } from '@openspis/db';
import { createSealingPorts, readWorkersConfig, registerDocument, sealReceiptConfirmation } from '@openspis/workers';
import { pdfsig, pdftotext } from '../../../workers/src/signing/testing/poppler';
import { seedSubmissionFiling } from '../../../workers/src/testing/fixtures';
import { createTestServer } from '../testing/harness';

const API = '/api/public/v1';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const valid = {
  applicantName: 'Jana Nováková',
  applicantEmail: 'jana.novakova@example.cz',
  subject: 'Oprava chodníku',
  message: 'Žádám o opravu rozbitého chodníku před domem.',
};

let t: Awaited<ReturnType<typeof createTestServer>>;
// the dev seal of the confirmations of receipt
const sealDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-public-api-'));
beforeAll(async () => {
  t = await createTestServer();
});
afterAll(async () => {
  await t.close();
  fs.rmSync(sealDir, { recursive: true, force: true });
});
beforeEach(() => {
  t.engine.created = [];
  t.engine.messages = [];
  t.engine.afterCreate = undefined;
});

function post(fields: Record<string, string>, file?: { name: string; content: Buffer; type?: string }, lang = 'cs') {
  let r = request(t.callback).post(`${API}/services/general-submission/submissions?lang=${lang}`);
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
  if (file) r = r.attach('attachment', file.content, { filename: file.name, contentType: file.type ?? 'application/pdf' });
  return r;
}

async function counts() {
  const n = async (table: string) => Number((await t.db(table).count({ n: '*' }))[0].n);
  return { submissions: await n('submissions'), attachments: await n('submission_attachments'), events: await n('submission_events'), blobs: await n('blobs') };
}

describe('services', () => {
  it('lists services and gives a translated form', async () => {
    const list = await request(t.callback).get(`${API}/services?lang=en`).expect(200);
    expect(list.body.services[0]).toMatchObject({ code: 'general-submission', name: 'General submission', deadlineDays: 30, fee: null });
    const detail = await request(t.callback).get(`${API}/services/general-submission?lang=en`).expect(200);
    expect(detail.body.service.statuses.received).toBe('Submission received');
    expect(detail.body.form.id).toBe('general-submission-submission');
    await request(t.callback).get(`${API}/services/nope`).expect(404);
  });
});

describe('POST submission', () => {
  it('answers a repeated Idempotency-Key with the submission it already has, storing nothing new', async () => {
    const key = 'c0ffee00-1111-4222-8333-944445555666';
    const first = await post(valid).set('Idempotency-Key', key).expect(201);
    const before = await counts();
    const again = await post(valid).set('Idempotency-Key', key).expect(200);
    expect(again.body.submissionId).toBe(first.body.submissionId);
    expect(again.body.trackingToken).toBe(first.body.trackingToken);
    expect(await counts()).toEqual(before);
    expect(t.engine.created).toHaveLength(1);
    // two requests with the same key at the same moment still make one submission
    const key2 = 'c0ffee00-2222-4222-8333-944445555666';
    const [a, b] = await Promise.all([post(valid).set('Idempotency-Key', key2), post(valid).set('Idempotency-Key', key2)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.submissionId).toBe(b.body.submissionId);
    expect(await t.db('submissions').where({ idempotency_key: key2 })).toHaveLength(1);
    expect(t.engine.created).toHaveLength(2);
  });

  it('refuses a malformed Idempotency-Key with a translated error and stores nothing', async () => {
    const before = await counts();
    const res = await post(valid, undefined, 'en').set('Idempotency-Key', 'short').expect(400);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(res.body.error.message).toBe('The submission cannot be accepted: the form identifier is invalid. Please reload the form.');
    expect(await counts()).toEqual(before);
    expect(t.engine.created).toHaveLength(0);
  });

  it('stores a valid submission and starts the instance with the contract variables', async () => {
    // given a registration that happens while the API waits
    t.engine.afterCreate = async (i) => {
      setTimeout(() => void t.db('submissions').where({ id: i.variables.submissionId }).update({ reference_number: 'MMKV/1/2026', status: 'registered' }).then(), 50);
    };
    // when
    const res = await post(valid, { name: 'foto.pdf', content: PDF }).expect(201);
    // then
    expect(res.body).toMatchObject({ referenceNumber: 'MMKV/1/2026', status: 'registered' });
    expect(res.body.trackingToken).toMatch(/^[A-Za-z0-9_-]{48}$/);
    const row = await t.db('submissions').where({ id: res.body.submissionId }).first();
    expect(row.status).toBe('registered');
    expect(row.process_instance_key).toBeTruthy();
    expect(row.applicant_email).toBe(valid.applicantEmail);
    const att = await t.db('submission_attachments').where({ submission_id: res.body.submissionId });
    expect(att).toHaveLength(1);
    expect(att[0]).toMatchObject({ media_type: 'application/pdf', file_name: 'foto.pdf', size: PDF.length });
    expect(await t.db('submission_events').where({ submission_id: res.body.submissionId })).toHaveLength(1);
    expect(t.engine.created).toEqual([
      {
        bpmnProcessId: 'general-submission',
        variables: { submissionId: res.body.submissionId, serviceCode: 'general-submission', subject: valid.subject, applicantName: valid.applicantName, applicantEmail: valid.applicantEmail, locale: 'cs' },
      },
    ]);
  });

  it('answers with referenceNumber null when registration takes longer', async () => {
    const res = await post(valid, undefined, 'uk').expect(201);
    expect(res.body).toMatchObject({ referenceNumber: null, status: 'received' });
    expect(t.engine.created[0].variables?.locale).toBe('uk');
  });

  it('rejects a missing required field with a translated message and stores nothing', async () => {
    const before = await counts();
    const cs = await post({ ...valid, subject: '' }, { name: 'a.pdf', content: PDF }).expect(400);
    expect(cs.body.error.code).toBe('VALIDATION_FAILED');
    expect(cs.body.error.fields).toEqual({ subject: 'Toto pole je povinné.' });
    const en = await post({ ...valid, subject: '', applicantEmail: 'nope' }, undefined, 'en').expect(400);
    expect(en.body.error.fields.subject).toBe('This field is required.');
    expect(en.body.error.fields.applicantEmail).toMatch(/valid e-mail/);
    const short = await post({ ...valid, message: 'krátké' }, undefined, 'en').expect(400);
    expect(short.body.error.fields.message).toBe('Enter at least 10 characters.');
    expect(await counts()).toEqual(before);
    expect(t.engine.created).toHaveLength(0);
  });

  it('rejects an oversized attachment with 413 and stores nothing', async () => {
    const before = await counts();
    const big = Buffer.concat([PDF, Buffer.alloc(t.config.uploadMaxBytes)]);
    const res = await post(valid, { name: 'big.pdf', content: big }).expect(413);
    expect(res.body.error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(res.body.error.fields.attachment).toMatch(/příliš velký/);
    expect(await counts()).toEqual(before);
    expect(t.engine.created).toHaveLength(0);
  });

  it('detects the type by content: a .pdf that is not a PDF gets 415 and nothing is stored', async () => {
    const before = await counts();
    const res = await post(valid, { name: 'virus.pdf', content: Buffer.from('MZ this is an executable, honestly'), type: 'application/pdf' }, 'en').expect(415);
    expect(res.body.error).toMatchObject({ code: 'ATTACHMENT_TYPE_NOT_ALLOWED' });
    expect(res.body.error.message).toMatch(/cannot be attached/);
    expect(await counts()).toEqual(before);
    expect(t.engine.created).toHaveLength(0);
  });

  it('takes the submission back when the engine cannot start the instance', async () => {
    const before = await counts();
    t.engine.failNextCreate = true;
    const res = await post(valid).expect(503);
    expect(res.body.error.code).toBe('ENGINE_UNAVAILABLE');
    expect((await counts()).submissions).toBe(before.submissions);
  });
});

describe('tracking', () => {
  async function submitted() {
    const res = await post(valid).expect(201);
    return res.body as { submissionId: string; trackingToken: string };
  }

  it('shows status and timeline for a valid token', async () => {
    const s = await submitted();
    await t.db('submissions').where({ id: s.submissionId }).update({ status: 'registered', reference_number: 'MMKV/7/2026' });
    await t.db('submission_events').insert({ submission_id: s.submissionId, status: 'registered' });
    const res = await request(t.callback).get(`${API}/tracking/${s.trackingToken}?lang=en`).expect(200);
    expect(res.body.submission).toMatchObject({ id: s.submissionId, status: 'registered', statusLabel: 'Registered, reference number assigned', referenceNumber: 'MMKV/7/2026', subject: valid.subject, serviceName: 'General submission' });
    expect(res.body.timeline.map((e: { status: string }) => e.status)).toEqual(['received', 'registered']);
    expect(res.body.timeline[0].label).toBe('Submission received');
    expect(res.body.documents).toEqual([]);
  });

  it('answers 404 to a forged or expired token', async () => {
    const s = await submitted();
    const forged = `${s.trackingToken.slice(0, 40)}AAAAAAAA`;
    const res = await request(t.callback).get(`${API}/tracking/${forged}`).expect(404);
    expect(res.body.error).toMatchObject({ code: 'TRACKING_NOT_FOUND', message: 'Odkaz pro sledování je neplatný nebo jeho platnost skončila.' });
    const expired = mintTrackingToken(await loadAppSecret(t.db), s.submissionId, new Date(Date.now() - 1000));
    await request(t.callback).get(`${API}/tracking/${expired}`).expect(404);
    await request(t.callback).get(`${API}/tracking/short`).expect(404);
  });

  it('downloads only this submission’s outgoing documents', async () => {
    const a = await submitted();
    const b = await submitted();
    const answerA = await addOutgoingDocument(a.submissionId, 'odpoved-a.pdf', PDF);
    const answerB = await addOutgoingDocument(b.submissionId, 'odpoved-b.pdf', Buffer.concat([PDF, Buffer.from('b')]));
    const tracking = await request(t.callback).get(`${API}/tracking/${a.trackingToken}`).expect(200);
    expect(tracking.body.documents).toEqual([{ id: answerA, fileName: 'odpoved-a.pdf', mediaType: 'application/pdf', size: PDF.length, kind: 'answer' }]);
    const dl = await request(t.callback).get(`${API}/tracking/${a.trackingToken}/documents/${answerA}`).buffer(true).parse(binary).expect(200);
    expect(dl.headers['content-disposition']).toMatch(/attachment; filename="odpoved-a.pdf"/);
    expect(Buffer.compare(dl.body as Buffer, PDF)).toBe(0);
    await request(t.callback).get(`${API}/tracking/${a.trackingToken}/documents/${answerB}`).expect(404);
  });

  it('serves the newest version of an answer: the sealed PDF, not the rendered one it replaced', async () => {
    const s = await submitted();
    const answer = await addOutgoingDocument(s.submissionId, 'odpoved.pdf', PDF);
    const sealed = Buffer.concat([PDF, Buffer.from('% incremental update with the seal')]);
    const sha256 = (await import('node:crypto')).createHash('sha256').update(sealed).digest('hex');
    await t.db('blobs').insert({ sha256, size: sealed.length, content: sealed });
    const [rendered] = await t.db('components').where({ document_id: answer });
    // same creation time (a frozen clock): the version decides
    await t.db('components').insert({ id: (await import('node:crypto')).randomUUID(), document_id: answer, blob_sha256: sha256, file_name: 'odpoved.pdf', media_type: 'application/pdf', size: sealed.length, version: 2, source_component_id: rendered.id, derivation: 'sealed', created_at: rendered.created_at });
    const tracking = await request(t.callback).get(`${API}/tracking/${s.trackingToken}`).expect(200);
    expect(tracking.body.documents).toEqual([{ id: answer, fileName: 'odpoved.pdf', mediaType: 'application/pdf', size: sealed.length, kind: 'answer' }]);
    const dl = await request(t.callback).get(`${API}/tracking/${s.trackingToken}/documents/${answer}`).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(dl.body as Buffer, sealed)).toBe(0);
  });

  it('shows no answer before the procedure has settled the submission (a rendered answer may still wait for its seal)', async () => {
    const s = await submitted();
    const answer = await addOutgoingDocument(s.submissionId, 'odpoved.pdf', PDF);
    await t.db('submissions').where({ id: s.submissionId }).update({ status: 'registered', answer_document_id: null });
    const tracking = await request(t.callback).get(`${API}/tracking/${s.trackingToken}`).expect(200);
    expect(tracking.body.documents).toEqual([]);
    await request(t.callback).get(`${API}/tracking/${s.trackingToken}/documents/${answer}`).expect(404);
    // once settled as answered it is there
    await t.db('submissions').where({ id: s.submissionId }).update({ status: 'answered' });
    expect((await request(t.callback).get(`${API}/tracking/${s.trackingToken}`).expect(200)).body.documents.map((d: { id: string }) => d.id)).toEqual([answer]);
  });

  it('shows and serves the sealed PDF confirmation of receipt once the submission is registered, only to its own token', async () => {
    // given a submission in English with an attachment, before and after its registration and the sealing of its confirmation
    const s = (await post(valid, { name: 'foto.pdf', content: PDF }, 'en').expect(201)).body as { submissionId: string; trackingToken: string };
    const other = await submitted();
    const before = await request(t.callback).get(`${API}/tracking/${s.trackingToken}`).expect(200);
    expect(before.body.receiptConfirmation).toBeNull();
    await request(t.callback).get(`${API}/tracking/${s.trackingToken}/receipt-confirmation`).expect(404);
    await seedSubmissionFiling(t.db);
    const ports = { db: t.db, clock: () => new Date(), config: readWorkersConfig({ OPENSPIS_DATA_DIR: sealDir }) };
    const registered = await registerDocument(ports, { submissionId: s.submissionId });
    // registered, but the confirmation not yet rendered and sealed: the page shows it, the download waits for the PDF
    expect((await request(t.callback).get(`${API}/tracking/${s.trackingToken}`).expect(200)).body.receiptConfirmation.document).toBeNull();
    await request(t.callback).get(`${API}/tracking/${s.trackingToken}/receipt-confirmation`).expect(404);
    const sealing = createSealingPorts(ports.config);
    const sealed = await sealReceiptConfirmation({ ...ports, sealing }, { documentId: registered.documentId }).finally(() => sealing.close());

    // when
    const tracking = await request(t.callback).get(`${API}/tracking/${s.trackingToken}?lang=en`).expect(200);
    const dl = await request(t.callback).get(`${API}/tracking/${s.trackingToken}/receipt-confirmation`).buffer(true).parse(binary).expect(200);

    // then the page gets what the confirmation confirms, and the PDF
    const submission = await t.db('submissions').where({ id: s.submissionId }).first();
    const pdf = dl.body as Buffer;
    const fileName = `confirmation-of-receipt-${registered.referenceNumber.replace(/\//g, '-')}.pdf`;
    expect(tracking.body.receiptConfirmation).toEqual({
      issuedAt: expect.any(String),
      officeName: 'Magistrát města Karlovy Vary',
      receivedAt: new Date(submission.created_at).toISOString(),
      jid: registered.jid,
      referenceNumber: registered.referenceNumber,
      components: [
        { fileName: 'foto.pdf', mediaType: 'application/pdf', size: PDF.length },
        { fileName: 'podani.json', mediaType: 'application/json', size: expect.any(Number) },
      ],
      document: { fileName, mediaType: 'application/pdf', size: pdf.length },
    });
    // and the download is the sealed PDF as issued, in the submission's language
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="${fileName}"`);
    expect(dl.headers['cache-control']).toBe('private, no-store');
    const stored = await t.db('components').where({ id: sealed.sealedComponentId }).first();
    expect(Buffer.compare(pdf, Buffer.from((await t.db('blobs').where({ sha256: stored.blob_sha256 }).first()).content))).toBe(0);
    expect(pdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
    const text = pdftotext(pdf).replace(/\s+/g, ' ');
    expect(text).toContain(`Registration number (JID): ${registered.jid}`);
    expect(text).toContain(`Reference number: ${registered.referenceNumber}`);
    expect(text).toContain('foto.pdf application/pdf');
    // another submission's token does not reach it, nor does a forged one
    expect((await request(t.callback).get(`${API}/tracking/${other.trackingToken}`).expect(200)).body.receiptConfirmation).toBeNull();
    await request(t.callback).get(`${API}/tracking/${other.trackingToken}/receipt-confirmation`).expect(404);
    const forged = `${s.trackingToken.slice(0, -4)}${s.trackingToken.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect((await request(t.callback).get(`${API}/tracking/${forged}/receipt-confirmation`).expect(404)).body.error.code).toBe('TRACKING_NOT_FOUND');
  });

  it('withdraws by message, and refuses once settled', async () => {
    const s = await submitted();
    await request(t.callback).post(`${API}/tracking/${s.trackingToken}/withdraw`).expect(202);
    expect(t.engine.messages).toEqual([{ name: 'submission-withdrawn', correlationKey: s.submissionId }]);
    await t.db('submissions').where({ id: s.submissionId }).update({ status: 'answered' });
    const res = await request(t.callback).post(`${API}/tracking/${s.trackingToken}/withdraw`).expect(409);
    expect(res.body.error.code).toBe('ALREADY_SETTLED');
  });
});

function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
}

let jid = 0;
async function addOutgoingDocument(submissionId: string, fileName: string, content: Buffer): Promise<string> {
  const { createHash, randomUUID } = await import('node:crypto');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const id = randomUUID();
  await t.db('blobs').insert({ sha256, size: content.length, content }).onConflict('sha256').ignore();
  await t.db('documents').insert({ id, jid: `TEST${++jid}`, direction: 'outgoing', subject: 'Odpověď', submission_id: submissionId, state: 'created', created_by: 'system:test' });
  await t.db('components').insert({ id: randomUUID(), document_id: id, blob_sha256: sha256, file_name: fileName, media_type: 'application/pdf', size: content.length });
  await t.db('submissions').where({ id: submissionId }).update({ status: 'answered', answer_document_id: id });
  return id;
}
