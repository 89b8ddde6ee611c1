// Acceptance 3 of the foundation: the app process is killed (SIGKILL, no chance to clean up) while
// a job is running and again while the instance waits in the user task; after each restart on the
// same embedded database the procedure goes on, and at the end it has completed with exactly one
// registration in the journal.
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { closeDb, createDb, readDbConfig } from '@openspis/db';
import { freePort, startApp, stopProcess, tempDataDir, type Started } from '../support/processes';
import { submitGeneralSubmission, waitForStatus } from '../support/public-api';

/** A real SMTP peer that can hold a message in the DATA phase, so a send job is caught mid-flight. */
function smtpPeer() {
  let hold = true;
  const received: string[] = [];
  const held: Array<() => void> = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (hold) {
          // never answer: the worker's send stays in progress until its process dies
          held.push(() => callback());
          for (const w of waiters.splice(0)) w();
          return;
        }
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  // the app is killed while the peer holds its message: the connection it had open is reset
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET') throw err;
  });
  return {
    server,
    received,
    heldCount: () => held.length,
    release() {
      hold = false;
    },
    async waitForHeld(timeoutMs: number) {
      if (held.length) return;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no message reached the SMTP peer')), timeoutMs);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

async function login(appUrl: string, username: string): Promise<string> {
  const res = await fetch(`${appUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: appUrl },
    body: new URLSearchParams({ username, password: 'demo' }),
  });
  expect(res.status).toBe(302);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  expect(cookie).toMatch(/=/);
  return cookie;
}

async function groupTaskKeys(appUrl: string, cookie: string): Promise<string[]> {
  const html = await (await fetch(`${appUrl}/tasks?tab=groups`, { headers: { cookie } })).text();
  return [...new Set([...html.matchAll(/href="\/tasks\/(\d+)"/g)].map((m) => m[1]))];
}

describe('crash and restart on the embedded defaults', () => {
  const dataDir = tempDataDir('openspis-restart-');
  const peer = smtpPeer();
  let smtpPort = 0;
  let app: Started | undefined;
  let port = 0;

  const start = async () => {
    app = await startApp({
      dataDir,
      port,
      env: {
        DATABASE_URL: '', // this test is about the embedded database, whatever the caller's environment
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        JOB_TIMEOUT_MS: '2000',
      },
    });
    return app;
  };

  beforeAll(async () => {
    smtpPort = await freePort();
    await new Promise<void>((resolve) => peer.server.listen(smtpPort, '127.0.0.1', resolve));
    port = await freePort();
  });

  afterAll(async () => {
    await stopProcess(app, 'SIGKILL');
    peer.release();
    await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the procedure with one journal entry after SIGKILL mid-job and mid-user-task', async () => {
    // the app's own warnings and errors explain a failure better than the assertion alone
    onTestFailed(() => console.error(`app output (last process):\n${app?.output() ?? '(not started)'}`));
    // 1. submit; the receipt e-mail job reaches the SMTP peer, which holds it: kill the process then
    let running = await start();
    const submitted = await submitGeneralSubmission(running.url);
    expect(submitted.status).toBe(201);
    const token = submitted.body.trackingToken!;
    await peer.waitForHeld(60_000);
    await stopProcess(running, 'SIGKILL');
    expect(running.child.signalCode).toBe('SIGKILL');

    // 2. restart: the job's lock expires, the job runs again and the mail goes out; the instance
    //    reaches the clerk's task. Kill the process while it waits there.
    peer.release();
    running = await start();
    const registered = await waitForStatus(running.url, token, 'registered', 60_000);
    // the next number after the demo's registrations (the app starts with the demo's file plan and units)
    expect(registered.submission.referenceNumber).toMatch(/^MMKV\/\d+\/\d{4}$/);
    let cookie = await login(running.url, 'kancelar');
    const until = Date.now() + 60_000;
    let keys: string[] = [];
    while (!keys.length && Date.now() < until) {
      keys = await groupTaskKeys(running.url, cookie);
      if (!keys.length) await new Promise((r) => setTimeout(r, 250));
    }
    expect(keys).toHaveLength(1);
    const until2 = Date.now() + 30_000;
    while (!peer.received.length && Date.now() < until2) await new Promise((r) => setTimeout(r, 200));
    expect(peer.received.length).toBeGreaterThanOrEqual(1);
    await stopProcess(running, 'SIGKILL');

    // 3. restart again: the same task is still there; the clerk answers it and the procedure ends
    running = await start();
    cookie = await login(running.url, 'kancelar');
    expect(await groupTaskKeys(running.url, cookie)).toEqual(keys);
    const origin = { origin: running.url, cookie };
    const claim = await fetch(`${running.url}/tasks/${keys[0]}/claim`, { method: 'POST', redirect: 'manual', headers: origin });
    expect(claim.status).toBe(302);
    const complete = await fetch(`${running.url}/tasks/${keys[0]}/complete`, {
      method: 'POST',
      headers: { ...origin, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { answerText: 'Podatelna má o svátcích zavřeno, otevíráme opět v pondělí.' } }),
    });
    expect(complete.status).toBe(200);
    const answered = await waitForStatus(running.url, token, 'answered', 60_000);
    expect(answered.documents.length).toBeGreaterThanOrEqual(1);
    // the last step mails the answer to the applicant (the receipt was the first message)
    const until3 = Date.now() + 30_000;
    while (peer.received.length < 2 && Date.now() < until3) await new Promise((r) => setTimeout(r, 200));
    // by message id (a failure then shows which message came twice)
    expect(peer.received.map((m) => /^Message-ID: .*$/im.exec(m)?.[0])).toHaveLength(2);
    // the answer the applicant downloads is the sealed PDF (PAdES, the generated dev seal)
    const downloaded = Buffer.from(await (await fetch(`${running.url}/api/public/v1/tracking/${token}/documents/${answered.documents[0].id}`)).arrayBuffer());
    expect(downloaded.subarray(0, 5).toString()).toBe('%PDF-');
    expect(downloaded.includes('/ETSI.CAdES.detached')).toBe(true);

    // 4. stop cleanly and read the database the process left behind
    const code = await stopProcess(running, 'SIGTERM');
    expect(code).toBe(0);
    const db = createDb(readDbConfig({ OPENSPIS_DATA_DIR: dataDir }));
    try {
      const submission = await db('submissions').first();
      const journal = await db('journal').where({ document_id: submission.document_id });
      expect(journal).toHaveLength(1);
      expect(journal[0].reference_number).toBe(registered.submission.referenceNumber);
      const incoming = await db('documents').where({ submission_id: submission.id, direction: 'incoming' });
      expect(incoming).toHaveLength(1);
      const instance = await db('engine_process_instances').where({ key: submission.process_instance_key }).first();
      expect(instance.state).toBe('COMPLETED');
      // sealed once, although the process died twice: the dev seal, marked as not qualified
      const seals = await db('component_seals').where({ document_id: submission.answer_document_id });
      expect(seals).toHaveLength(1);
      expect(seals[0]).toMatchObject({ key_source: 'dev', qualified: false, level: 'B-B' });
      const sealedComponent = await db('components').where({ id: seals[0].sealed_component_id }).first();
      expect(sealedComponent.derivation).toBe('sealed');
      const blob = await db('blobs').where({ sha256: sealedComponent.blob_sha256 }).first('content');
      expect(Buffer.compare(Buffer.from(blob.content), downloaded)).toBe(0);
      const open = await db('engine_jobs').whereIn('state', ['ACTIVATABLE', 'ACTIVATED', 'FAILED']).select('element_id', 'state');
      expect(open).toEqual([]);
    } finally {
      await closeDb(db);
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);
  }, 240_000); // three app starts on a loaded machine
});
