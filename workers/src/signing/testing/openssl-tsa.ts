import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestCa, TestCertificate } from '../test-pki';

const run = promisify(execFile);

/**
 * A real RFC 3161 time stamp authority for tests: `openssl ts -reply` behind a tiny HTTP server on
 * 127.0.0.1 (POST `application/timestamp-query` → `application/timestamp-reply`). Needs only the
 * openssl command line tool.
 *
 *   const tsa = await startOpensslTsa({ ca: pki.ca, tsa: pki.tsa });
 *   ... SIGNING_TSA_URL = tsa.url ...
 *   await tsa.close();
 */
export interface OpensslTsa {
  url: string;
  /** number of time stamps issued so far */
  readonly issued: number;
  close(): Promise<void>;
}

export async function startOpensslTsa(opts: { ca: TestCa; tsa: TestCertificate }): Promise<OpensslTsa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-tsa-'));
  fs.writeFileSync(path.join(dir, 'tsa.pem'), opts.tsa.certPem);
  fs.writeFileSync(path.join(dir, 'tsa.key'), opts.tsa.keyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'chain.pem'), opts.ca.certPem);
  fs.writeFileSync(path.join(dir, 'serial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  fs.writeFileSync(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem',
      'certs = $dir/chain.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let issued = 0;
  let counter = 0;
  // openssl increments the serial file: one reply at a time
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(400).end();
        return;
      }
      counter += 1;
      const query = path.join(dir, `q${counter}.tsq`);
      const reply = path.join(dir, `r${counter}.tsr`);
      queue = queue.then(async () => {
        try {
          fs.writeFileSync(query, Buffer.concat(chunks));
          await run('openssl', ['ts', '-reply', '-config', config, '-queryfile', query, '-out', reply]);
          const body = fs.readFileSync(reply);
          issued += 1;
          // no keep-alive: a client must never reuse a socket the server is about to time out
          res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length, connection: 'close' }).end(body);
        } catch (err) {
          res.writeHead(500).end(String(err));
        } finally {
          fs.rmSync(query, { force: true });
          fs.rmSync(reply, { force: true });
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get issued() {
      return issued;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
