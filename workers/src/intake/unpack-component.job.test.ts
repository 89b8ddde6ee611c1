import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { cmsSign, createTestPki, type TestPki } from '../verification/testing/openssl-pki';
import { PNG, emlWithAttachments, isdsMessageXml, minimalDocx, minimalPdf, zip } from './testing/sample-files';

describe('documents.unpack', () => {
  let db: Db;
  let close: () => Promise<void>;
  let pki: TestPki;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    pki = createTestPki();
  }, 180_000); // a fresh database and RSA keys: slow on a busy machine
  afterAll(async () => {
    pki.cleanup();
    await close();
  });

  const config = testConfig();
  const clock = () => new Date('2026-12-01T10:00:00Z');
  const handler = (cfg = config) => createJobHandlers({ db, config: cfg, log: silentLog, clock }).find((h) => h.type === 'documents.unpack')!;

  /** a registered incoming document whose attachment has the given bytes; returns the attachment's component */
  async function attachmentComponent(name: string, content: Buffer): Promise<{ componentId: string; documentId: string }> {
    const submissionId = await insertSubmission(db, { attachment: { name, type: 'application/octet-stream', content } });
    const { documentId } = await registerDocument({ db, clock, config }, { submissionId });
    const row = await db('components').where({ document_id: documentId }).whereNot({ file_name: 'podani.json' }).first();
    return { componentId: row.id, documentId };
  }

  it('decomposes an e-mail with two attachments into the body and both attachments, keeping the original', async () => {
    // given
    const pdf = minimalPdf();
    const eml = await emlWithAttachments([
      { filename: 'žádost.pdf', content: pdf, contentType: 'application/octet-stream' },
      { filename: 'foto.png', content: PNG, contentType: 'image/png' },
    ]);
    const { componentId, documentId } = await attachmentComponent('zprava.eml', eml);
    const before = await db('components').where({ document_id: documentId }).count({ n: '*' }).first();

    // when
    const result = await handler().handle(makeJob('documents.unpack', { componentId }), jobCtx);

    // then
    const { unpackedComponentIds, containerFormat } = completed<{ unpackedComponentIds: string[]; containerFormat: string }>(result);
    expect(containerFormat).toBe('eml');
    expect(unpackedComponentIds).toHaveLength(3);
    const parts = await db('components').whereIn('id', unpackedComponentIds);
    const byName = Object.fromEntries(parts.map((p) => [p.file_name, p]));
    expect(Object.keys(byName).sort()).toEqual(['foto.png', 'zprava.txt', 'žádost.pdf']);
    expect(byName['žádost.pdf']).toMatchObject({ media_type: 'application/pdf', format: 'pdf', size: pdf.length, derivation: 'unpacked', source_component_id: componentId, document_id: documentId });
    expect(byName['foto.png']).toMatchObject({ media_type: 'image/png', format: 'png' });
    const body = await db('blobs').where({ sha256: byName['zprava.txt'].blob_sha256 }).first();
    expect(Buffer.from(body.content).toString('utf8')).toContain('v příloze zasílám žádost');
    // the original stays, now knowing its format: 3 parts + the original + podani.json
    const original = await db('components').where({ id: componentId }).first();
    expect(original).toMatchObject({ format: 'eml', derivation: null });
    expect(Number((await db('components').where({ document_id: documentId }).count({ n: '*' }).first())?.n)).toBe(Number(before?.n) + 3);
    const audit = await db('audit_log').whereIn('object_id', unpackedComponentIds);
    expect(audit).toHaveLength(3);
  });

  it('returns the same parts when the job is delivered again', async () => {
    const { componentId } = await attachmentComponent('archiv.zip', zip({ 'dopis.txt': 'Dobrý den', 'slozka/plan.pdf': minimalPdf() }));
    const job = makeJob('documents.unpack', { componentId });
    const first = completed<{ unpackedComponentIds: string[] }>(await handler().handle(job, jobCtx));
    const rows = await countRows(db, ['components', 'blobs', 'audit_log']);
    const second = completed<{ unpackedComponentIds: string[] }>(await handler().handle(job, jobCtx));
    expect(second.unpackedComponentIds).toEqual(first.unpackedComponentIds);
    expect(await countRows(db, ['components', 'blobs', 'audit_log'])).toEqual(rows);
    const parts = await db('components').whereIn('id', first.unpackedComponentIds).orderBy('file_name');
    expect(parts.map((p) => [p.file_name, p.format])).toEqual([['dopis.txt', 'txt'], ['plan.pdf', 'pdf']]);
    expect(parts.find((p) => p.file_name === 'plan.pdf').derivation_details).toMatchObject({ container: 'zip', path: 'slozka/plan.pdf' });
  });

  it('takes the data objects out of an ASiC-E container and leaves signatures and manifest in it', async () => {
    const asic = zip({ mimetype: 'application/vnd.etsi.asic-e+zip', 'smlouva.pdf': minimalPdf(), 'priloha.docx': minimalDocx(), 'META-INF/ASiCManifest.xml': '<x/>', 'META-INF/signature001.p7s': 'sig' }, { storedFirst: 'mimetype' });
    const { componentId } = await attachmentComponent('kontejner.asice', asic);
    const out = completed<{ unpackedComponentIds: string[]; containerFormat: string }>(await handler().handle(makeJob('documents.unpack', { componentId }), jobCtx));
    expect(out.containerFormat).toBe('asic-e');
    const parts = await db('components').whereIn('id', out.unpackedComponentIds).orderBy('file_name');
    expect(parts.map((p) => [p.file_name, p.format])).toEqual([['priloha.docx', 'docx'], ['smlouva.pdf', 'pdf']]);
  });

  it('takes the attachments out of an ISDS data message (ZFO) with their names and types from the envelope', async () => {
    const xml = isdsMessageXml([
      { name: 'Rozhodnutí.pdf', mimeType: 'application/pdf', content: minimalPdf() },
      { name: 'mapa.png', mimeType: 'image/png', content: PNG },
    ]);
    const { componentId } = await attachmentComponent('zprava.zfo', cmsSign(Buffer.from(xml), pki.signer, { detached: false }));
    const out = completed<{ unpackedComponentIds: string[]; containerFormat: string }>(await handler().handle(makeJob('documents.unpack', { componentId }), jobCtx));
    expect(out.containerFormat).toBe('zfo');
    const parts = await db('components').whereIn('id', out.unpackedComponentIds).orderBy('file_name');
    expect(parts.map((p) => [p.file_name, p.media_type])).toEqual([['Rozhodnutí.pdf', 'application/pdf'], ['mapa.png', 'image/png']]);
    expect(parts[0].derivation_details).toMatchObject({ container: 'zfo', dmFileMetaType: 'main', dmID: '123456789' });
  });

  it('leaves a component that is no container alone', async () => {
    const { componentId } = await attachmentComponent('dopis.pdf', minimalPdf());
    const out = completed<{ unpackedComponentIds: string[]; containerFormat: string | null }>(await handler().handle(makeJob('documents.unpack', { componentId }), jobCtx));
    expect(out).toEqual({ unpackedComponentIds: [], containerFormat: null });
    expect(await db('components').where({ source_component_id: componentId })).toHaveLength(0);
  });

  it('refuses a container over the limits and a broken archive, changing nothing (incident, no retries)', async () => {
    const { componentId } = await attachmentComponent('velky.zip', zip({ 'a.txt': 'a'.repeat(5000), 'b.txt': 'b' }));
    const rows = await countRows(db, ['components', 'blobs', 'audit_log']);
    const tooBig = await handler(testConfig({ UNPACK_MAX_BYTES: '1000' })).handle(makeJob('documents.unpack', { componentId }), jobCtx);
    expect(tooBig).toMatchObject({ outcome: 'fail', retries: 0 });
    expect(tooBig.outcome === 'fail' && tooBig.errorMessage).toContain('CONTAINER_TOO_LARGE');
    const tooMany = await handler(testConfig({ UNPACK_MAX_ENTRIES: '1' })).handle(makeJob('documents.unpack', { componentId }), jobCtx);
    expect(tooMany.outcome === 'fail' && tooMany.errorMessage).toContain('CONTAINER_TOO_LARGE');
    expect(await countRows(db, ['components', 'blobs', 'audit_log'])).toEqual(rows);

    const missing = await handler().handle(makeJob('documents.unpack', { componentId: '00000000-0000-4000-8000-000000000000' }), jobCtx);
    expect(missing.outcome === 'fail' && missing.errorMessage).toContain('COMPONENT_NOT_FOUND');
    const bad = await handler().handle(makeJob('documents.unpack', { componentId: 'nope' }), jobCtx);
    expect(bad).toMatchObject({ outcome: 'fail', retries: 0 });
  });
});
