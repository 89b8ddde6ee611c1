// `npm run bench:documents`: render + seal throughput of the two-page decision, end to end through
// the job handlers on the embedded database: documents.render (handlebars → PDF/A-2b, filed as a
// document) then signing.seal (PAdES B-T: PKCS#12 key, RFC 3161 time stamp from a local
// `openssl ts` TSA over HTTP). Sequential, one at a time, after a warm-up. BENCH_N sets the count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTestDb } from '@openspis/db';
import { createJobHandlers, createSealingPorts, createTestPki, readTemplateFixture, readWorkersConfig, registerDocument, toPkcs12 } from '@openspis/workers';
import { completed, insertSubmission, jobCtx, makeJob, silentLog } from '../workers/src/testing/fixtures';
import { startOpensslTsa } from '../workers/src/signing/testing/openssl-tsa';

const N = Number(process.env.BENCH_N ?? 40);
const WARMUP = 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-bench-documents-'));
const { db, close } = await createTestDb();
const pki = createTestPki();
const tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
fs.writeFileSync(path.join(dir, 'seal.p12'), toPkcs12(pki.seal, { password: 'bench', chain: [pki.ca] }));
const config = readWorkersConfig({ OPENSPIS_DATA_DIR: dir, SIGNING_PKCS12_FILE: path.join(dir, 'seal.p12'), SIGNING_PKCS12_PASSWORD: 'bench', SIGNING_TSA_URL: tsa.url });
const sealing = createSealingPorts(config);
const handlers = createJobHandlers({ db, config, log: silentLog, sealing });
const render = handlers.find((h) => h.type === 'documents.render')!;
const seal = handlers.find((h) => h.type === 'signing.seal')!;
const data = readTemplateFixture(config, 'decision');

const renderMs: number[] = [];
const sealMs: number[] = [];
const totalMs: number[] = [];
try {
  for (let i = 0; i < WARMUP + N; i++) {
    const submissionId = await insertSubmission(db, { subject: 'Zvláštní užívání chodníku v ulici Příčná' });
    const reg = await registerDocument({ db, clock: () => new Date(), config }, { submissionId });
    const t0 = performance.now();
    const { renderedDocumentId } = completed(await render.handle(makeJob('documents.render', { documentId: reg.documentId, documentData: data }, { template: 'decision' }), jobCtx));
    const t1 = performance.now();
    const { sealLevel } = completed(await seal.handle(makeJob('signing.seal', { renderedDocumentId }), jobCtx));
    const t2 = performance.now();
    if (sealLevel !== 'B-T') throw new Error(`expected a B-T seal, got ${sealLevel}`);
    if (i < WARMUP) continue;
    renderMs.push(t1 - t0);
    sealMs.push(t2 - t1);
    totalMs.push(t2 - t0);
  }
} finally {
  await sealing.close();
  await tsa.close();
  await close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const totalSeconds = totalMs.reduce((a, b) => a + b, 0) / 1000;
console.log(`decisions: ${N} (two pages each, after ${WARMUP} warm-up), sequential, PAdES B-T with an openssl ts TSA on 127.0.0.1`);
console.log(`render (documents.render): median ${median(renderMs).toFixed(1)} ms, max ${Math.max(...renderMs).toFixed(1)} ms`);
console.log(`seal (signing.seal incl. time stamp): median ${median(sealMs).toFixed(1)} ms, max ${Math.max(...sealMs).toFixed(1)} ms`);
console.log(`documents: ${(N / totalSeconds).toFixed(2)} sealed/s, median ${median(totalMs).toFixed(1)} ms`);
