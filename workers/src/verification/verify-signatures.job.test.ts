import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { createJobHandlers } from '../index';
import { registerDocument } from '../registry/register-document.service';
import { completed, countRows, insertSubmission, jobCtx, makeJob, silentLog, testConfig } from '../testing/fixtures';
import { isdsMessageXml, minimalPdf, zip } from '../intake/testing/sample-files';
import { cmsSign, createTestPki, type TestPki } from './testing/openssl-pki';
import { signedPdf } from './testing/signed-pdf';
import { detachedXades, signedXml } from './testing/signed-xml';

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function pdfText(pdf: Buffer): string {
  const file = path.join(os.tmpdir(), `report-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    fs.rmSync(file);
  }
}

type Out = { signatureVerdict: string; signatureFormat: string; verificationReportComponentId: string };

describe('signing.verify', () => {
  let db: Db;
  let close: () => Promise<void>;
  let pki: TestPki;
  let config: ReturnType<typeof testConfig>;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    pki = createTestPki();
    config = testConfig({ TRUST_ANCHORS_DIR: pki.anchorsDir });
  }, 180_000); // a fresh database and RSA keys: slow on a busy machine
  afterAll(async () => {
    pki.cleanup();
    await close();
  });

  const clock = () => new Date();
  const handler = () => createJobHandlers({ db, config, log: silentLog, clock }).find((h) => h.type === 'signing.verify')!;

  async function incoming(files: { name: string; content: Buffer }[]): Promise<string[]> {
    const submissionId = await insertSubmission(db, { attachment: { name: files[0].name, type: 'application/octet-stream', content: files[0].content } });
    const { documentId } = await registerDocument({ db, clock, config }, { submissionId });
    const first = await db('components').where({ document_id: documentId, file_name: files[0].name }).first();
    const ids = [first.id];
    for (const f of files.slice(1)) {
      const sha256 = createHash('sha256').update(f.content).digest('hex');
      await db('blobs').insert({ sha256, size: f.content.length, content: f.content }).onConflict('sha256').ignore();
      const id = crypto.randomUUID();
      await db('components').insert({ id, document_id: documentId, blob_sha256: sha256, file_name: f.name, media_type: 'application/octet-stream', size: f.content.length });
      ids.push(id);
    }
    return ids;
  }

  async function verify(componentId: string, vars: Record<string, unknown> = {}): Promise<Out & { report: Buffer; signatures: Array<Record<string, unknown>> }> {
    const out = completed<Out>(await handler().handle(makeJob('signing.verify', { componentId, ...vars }), jobCtx));
    const reportRow = await db('components').where({ id: out.verificationReportComponentId }).first();
    expect(reportRow).toMatchObject({ derivation: 'verification-report', source_component_id: componentId, media_type: 'application/pdf' });
    const report = Buffer.from((await db('blobs').where({ sha256: reportRow.blob_sha256 }).first()).content);
    expect(report.toString('latin1')).toMatch(/pdfaid:part>2<|pdfaid:part="2"/);
    const row = await db('signature_verifications').where({ component_id: componentId }).first();
    expect(row).toMatchObject({ verdict: out.signatureVerdict, report_component_id: out.verificationReportComponentId });
    const signatures = typeof row.signatures === 'string' ? JSON.parse(row.signatures) : row.signatures;
    return { ...out, report, signatures };
  }

  it('PAdES: a valid signature', async () => {
    const [id] = await incoming([{ name: 'rozhodnuti.pdf', content: await signedPdf(pki, pki.signer) }]);
    const r = await verify(id);
    expect(r).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'pades' });
    expect(r.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', coversWholeDocument: true, timeStamp: null });
    expect((await db('components').where({ id }).first()).format).toBe('pdf');
    const events = await db('audit_log').where({ object_id: id }).orderBy('id', 'desc').first();
    expect(events).toMatchObject({ event_type: 'Uprava', object_type: 'Komponenta' });
    if (hasPdftotext) {
      const text = pdfText(r.report);
      expect(text).toContain('Protokol o ověření elektronických podpisů');
      expect(text).toContain('Výsledek: platný');
      expect(text).toMatch(/Podepsal: .*CN=Testovací pečeť úřadu/);
      expect(text).toContain('Časové razítko: není');
    }
  });

  it('PAdES: tampered content is invalid', async () => {
    const pdf = await signedPdf(pki, pki.signer, { text: 'Rozhodnuti c. 1' });
    const tampered = Buffer.from(pdf.toString('latin1').replace('Rozhodnuti c. 1', 'Rozhodnuti c. 7'), 'latin1');
    const [id] = await incoming([{ name: 'rozhodnuti.pdf', content: tampered }]);
    const r = await verify(id, { locale: 'en' });
    expect(r.signatureVerdict).toBe('invalid');
    expect(r.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    if (hasPdftotext) expect(pdfText(r.report)).toContain('Reason: the content was changed after signing');
  });

  it('PAdES: a chain to an unknown root is indeterminate', async () => {
    const [id] = await incoming([{ name: 'a.pdf', content: await signedPdf(pki, pki.untrustedSigner) }]);
    const r = await verify(id, { locale: 'uk' });
    expect(r.signatureVerdict).toBe('indeterminate');
    expect(r.signatures[0]).toMatchObject({ subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    if (hasPdftotext) expect(pdfText(r.report)).toContain('сертифікат не веде до жодного довіреного кореневого сертифіката');
  });

  it('PAdES: an expired certificate without a time stamp is indeterminate', async () => {
    const [id] = await incoming([{ name: 'a.pdf', content: await signedPdf(pki, pki.expiredSigner) }]);
    const r = await verify(id);
    expect(r.signatureVerdict).toBe('indeterminate');
    expect(r.signatures[0]).toMatchObject({ subIndication: 'OUT_OF_BOUNDS_NO_POE' });
    if (hasPdftotext) expect(pdfText(r.report)).toContain('certifikát v době ověření neplatí');
  });

  it('PAdES: a valid signature with a time stamp (B-T) is valid at the time of the stamp', async () => {
    const [id] = await incoming([{ name: 'a.pdf', content: await signedPdf(pki, pki.signer, { timeStamp: true }) }]);
    const r = await verify(id);
    expect(r.signatureVerdict).toBe('valid');
    expect(r.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', timeStamp: { valid: true, tsa: expect.stringContaining('openspis Test TSA') } });
    expect(r.signatures[0].validationTime).toBe((r.signatures[0].timeStamp as { genTime: string }).genTime);
    if (hasPdftotext) expect(pdfText(r.report)).toMatch(/Časové razítko: .*vydal .*CN=openspis Test TSA/);
  });

  it('CAdES: an enveloping .p7m and a detached .p7s found beside its content', async () => {
    const data = Buffer.from('Žádost o zábor veřejného prostranství');
    const [p7m] = await incoming([{ name: 'zadost.txt.p7m', content: cmsSign(data, pki.signer, { detached: false }) }]);
    expect((await verify(p7m)).signatureVerdict).toBe('valid');
    const [p7s] = await incoming([
      { name: 'zadost.txt.p7s', content: cmsSign(data, pki.signer, { detached: true }) },
      { name: 'zadost.txt', content: data },
    ]);
    expect((await verify(p7s)).signatureVerdict).toBe('valid');
    const [lonely] = await incoming([{ name: 'jina.p7s', content: cmsSign(data, pki.signer, { detached: true }) }]);
    const r = await verify(lonely);
    expect(r).toMatchObject({ signatureVerdict: 'indeterminate' });
    expect(r.signatures[0].subIndication).toBe('SIGNED_DATA_NOT_FOUND');
  });

  it('XAdES, ASiC-E (CAdES with manifest) and the ISDS signature of a ZFO', async () => {
    const [xml] = await incoming([{ name: 'zadost.xml', content: signedXml(pki, pki.signer, { timeStamp: true }) }]);
    expect(await verify(xml)).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'xades' });

    const pdf = minimalPdf();
    const manifest = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><asic:SigReference URI="META-INF/signature001.p7s" MimeType="application/pkcs7-signature"/><asic:DataObjectReference URI="smlouva.pdf"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${createHash('sha256').update(pdf).digest('base64')}</ds:DigestValue></asic:DataObjectReference></asic:ASiCManifest>`);
    const entries = { mimetype: 'application/vnd.etsi.asic-e+zip', 'smlouva.pdf': pdf, 'META-INF/ASiCManifest.xml': manifest, 'META-INF/signature001.p7s': cmsSign(manifest, pki.signer, { detached: true }) };
    const [asic] = await incoming([{ name: 'smlouva.asice', content: zip(entries, { storedFirst: 'mimetype' }) }]);
    expect(await verify(asic)).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'asic-e' });
    const [swapped] = await incoming([{ name: 'smlouva.asice', content: zip({ ...entries, 'smlouva.pdf': minimalPdf('% changed\n') }, { storedFirst: 'mimetype' }) }]);
    const bad = await verify(swapped);
    expect(bad.signatureVerdict).toBe('invalid');
    expect(bad.signatures[0]).toMatchObject({ subIndication: 'HASH_FAILURE', problem: 'smlouva.pdf was changed after signing' });

    const zfo = cmsSign(Buffer.from(isdsMessageXml([{ name: 'a.pdf', mimeType: 'application/pdf', content: pdf }])), pki.signer, { detached: false });
    const [zfoId] = await incoming([{ name: 'zprava.zfo', content: zfo }]);
    expect(await verify(zfoId)).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'cades' });
  });

  it('detached XAdES beside the files it signs, and ASiC-E with XAdES: the files\' digests decide', async () => {
    const pdf = minimalPdf();
    const note = Buffer.from('Doplnění žádosti');
    const signature = detachedXades(pki.signer, [{ name: 'smlouva.pdf', content: pdf }, { name: 'doplneni.txt', content: note }]);
    const [sig] = await incoming([
      { name: 'podpis.xml', content: signature },
      { name: 'smlouva.pdf', content: pdf },
      { name: 'doplneni.txt', content: note },
    ]);
    const detached = await verify(sig);
    expect(detached).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'xades' });
    expect(detached.signatures[0].location).toBe('podpis.xml → smlouva.pdf, doplneni.txt');
    const [alone] = await incoming([{ name: 'podpis.xml', content: signature }, { name: 'smlouva.pdf', content: pdf }]);
    expect(await verify(alone)).toMatchObject({ signatureVerdict: 'indeterminate', signatures: [expect.objectContaining({ subIndication: 'SIGNED_DATA_NOT_FOUND' })] });

    const entries = { mimetype: 'application/vnd.etsi.asic-e+zip', 'smlouva.pdf': pdf, 'doplneni.txt': note, 'META-INF/signatures001.xml': signature };
    const [asic] = await incoming([{ name: 'smlouva.asice', content: zip(entries, { storedFirst: 'mimetype' }) }]);
    expect(await verify(asic)).toMatchObject({ signatureVerdict: 'valid', signatureFormat: 'asic-e' });
    const [changed] = await incoming([{ name: 'smlouva.asice', content: zip({ ...entries, 'doplneni.txt': Buffer.from('Jiný text') }, { storedFirst: 'mimetype' }) }]);
    expect(await verify(changed)).toMatchObject({ signatureVerdict: 'invalid', signatures: [expect.objectContaining({ subIndication: 'HASH_FAILURE', problem: 'doplneni.txt was changed after signing' })] });
  });

  it('an unsigned component gets the verdict "unsigned"; re-delivery returns the first result and changes nothing', async () => {
    const [id] = await incoming([{ name: 'dopis.pdf', content: minimalPdf() }]);
    const job = makeJob('signing.verify', { componentId: id });
    const first = completed<Out>(await handler().handle(job, jobCtx));
    expect(first).toMatchObject({ signatureVerdict: 'unsigned', signatureFormat: 'none' });
    const rows = await countRows(db, ['components', 'signature_verifications', 'audit_log']);
    expect(completed<Out>(await handler().handle(job, jobCtx))).toEqual(first);
    expect(await countRows(db, ['components', 'signature_verifications', 'audit_log'])).toEqual(rows);
  });

  it('bad input fails with no retries and stores nothing', async () => {
    const rows = await countRows(db, ['components', 'signature_verifications']);
    expect(await handler().handle(makeJob('signing.verify', { componentId: 'x' }), jobCtx)).toMatchObject({ outcome: 'fail', retries: 0 });
    const missing = await handler().handle(makeJob('signing.verify', { componentId: '00000000-0000-4000-8000-000000000000' }), jobCtx);
    expect(missing).toMatchObject({ outcome: 'fail', retries: 0 });
    expect(await countRows(db, ['components', 'signature_verifications'])).toEqual(rows);
  });
});
