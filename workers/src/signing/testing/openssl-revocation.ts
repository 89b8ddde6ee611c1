import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { issueCertificate, type TestCa, type TestCertificate } from '../test-pki';

const run = promisify(execFile);

/**
 * The revocation services of a test CA, made by OpenSSL: a CRL from `openssl ca -gencrl` served
 * over HTTP (GET `/ca.crl`, DER) and an OCSP responder, `openssl ocsp -index` answering each POST
 * to `/ocsp` with a response signed by a delegated responder certificate. Both read the same CA
 * database (index.txt), so `revoke()` shows in both. Issue certificates with `crlUrl`/`ocspUrl`
 * from here, then `register()` them (an unregistered certificate is "unknown" to OCSP).
 *
 *   const rev = await startTestRevocation({ ca });
 *   const seal = issueCertificate(ca, { commonName: 'Pečeť', crlUrl: rev.crlUrl, ocspUrl: rev.ocspUrl });
 *   await rev.register(seal);
 *   await rev.revoke(other, new Date(), 'keyCompromise');
 */
export interface TestRevocation {
  crlUrl: string;
  ocspUrl: string;
  /** the OCSP responder's certificate (issued by the CA, id-kp-OCSPSigning) */
  responder: TestCertificate;
  readonly requests: { crl: number; ocsp: number };
  register(...certs: TestCertificate[]): Promise<void>;
  revoke(cert: TestCertificate, at: Date, reason?: string): Promise<void>;
  /** while down, every request gets HTTP 503 */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const opensslTime = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

export async function startTestRevocation(opts: { ca: TestCa }): Promise<TestRevocation> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-revocation-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), opts.ca.certPem);
  fs.writeFileSync(path.join(dir, 'ca.key'), opts.ca.keyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  fs.writeFileSync(path.join(dir, 'crlnumber'), '01\n');
  const config = path.join(dir, 'ca.cnf');
  fs.writeFileSync(
    config,
    ['[ ca ]', 'default_ca = test_ca', '[ test_ca ]', `dir = ${dir}`, 'database = $dir/index.txt', 'crlnumber = $dir/crlnumber', 'certificate = $dir/ca.pem', 'private_key = $dir/ca.key', 'default_md = sha256', 'default_crl_days = 7', 'unique_subject = no', ''].join('\n'),
  );
  const responder = issueCertificate(opts.ca, { commonName: 'openspis Test OCSP Responder', kind: 'ocsp' });
  fs.writeFileSync(path.join(dir, 'ocsp.pem'), responder.certPem);
  fs.writeFileSync(path.join(dir, 'ocsp.key'), responder.keyPem, { mode: 0o600 });

  const entries = new Map<string, { status: 'V' | 'R'; cert: TestCertificate; revoked?: string }>();
  let crl = Buffer.alloc(0);
  // one openssl run at a time: they share the database files
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const publish = () =>
    serialised(async () => {
      const lines = [...entries.values()].map((e) => [e.status, opensslTime(e.cert.notAfter), e.revoked ?? '', e.cert.serialNumber.toUpperCase(), 'unknown', `/CN=${e.cert.serialNumber}`].join('\t'));
      fs.writeFileSync(path.join(dir, 'index.txt'), lines.length ? `${lines.join('\n')}\n` : '');
      await run('openssl', ['ca', '-gencrl', '-config', config, '-out', path.join(dir, 'crl.pem')]);
      await run('openssl', ['crl', '-in', path.join(dir, 'crl.pem'), '-outform', 'DER', '-out', path.join(dir, 'crl.der')]);
      crl = fs.readFileSync(path.join(dir, 'crl.der'));
    });
  await publish();

  const requests = { crl: 0, ocsp: 0 };
  let down = false;
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) {
        res.writeHead(503, { connection: 'close' }).end();
        return;
      }
      if (req.method === 'GET' && req.url === '/ca.crl') {
        requests.crl += 1;
        res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': crl.length, connection: 'close' }).end(crl);
        return;
      }
      if (req.method === 'POST' && req.url === '/ocsp' && req.headers['content-type'] === 'application/ocsp-request') {
        requests.ocsp += 1;
        counter += 1;
        const reqFile = path.join(dir, `q${counter}.der`);
        const respFile = path.join(dir, `r${counter}.der`);
        serialised(async () => {
          fs.writeFileSync(reqFile, Buffer.concat(chunks));
          await run('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-CA', path.join(dir, 'ca.pem'), '-rsigner', path.join(dir, 'ocsp.pem'), '-rkey', path.join(dir, 'ocsp.key'), '-reqin', reqFile, '-respout', respFile, '-ndays', '1']);
          return fs.readFileSync(respFile);
        }).then(
          (body) => res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': body.length, connection: 'close' }).end(body),
          () => res.writeHead(500, { connection: 'close' }).end(),
        );
        return;
      }
      res.writeHead(404, { connection: 'close' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    crlUrl: `${base}/ca.crl`,
    ocspUrl: `${base}/ocsp`,
    responder,
    requests,
    async register(...certs) {
      for (const cert of certs) if (!entries.has(cert.serialNumber)) entries.set(cert.serialNumber, { status: 'V', cert });
      await publish();
    },
    async revoke(cert, at, reason = 'keyCompromise') {
      entries.set(cert.serialNumber, { status: 'R', cert, revoked: `${opensslTime(at)},${reason}` });
      await publish();
    },
    setDown(value) {
      down = value;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
