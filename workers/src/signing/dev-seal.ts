import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTestCa, issueCertificate, toPkcs12 } from './test-pki';

/** The common name of the generated seal: nobody can take it for a real one. */
export const DEV_SEAL_COMMON_NAME = 'TESTOVACÍ PEČEŤ – NENÍ KVALIFIKOVANÁ';
export const DEV_CA_COMMON_NAME = 'openspis TESTOVACÍ CA – NENÍ KVALIFIKOVANÁ';

/**
 * The seal used when no key is configured: a PKCS#12 made once in `dir` (`dev-seal.p12`, its
 * password in `dev-seal.password`, the issuing CA's certificate in `dev-ca.pem` for a verifier's
 * trust store). The CA key is thrown away. Made in a temp folder and renamed into place, so two
 * processes starting at once end up with one seal.
 */
export function ensureDevSeal(dir: string, officeName: string): { p12: Buffer; password: string; caPem: string } {
  const read = () => ({
    p12: fs.readFileSync(path.join(dir, 'dev-seal.p12')),
    password: fs.readFileSync(path.join(dir, 'dev-seal.password'), 'utf8'),
    caPem: fs.readFileSync(path.join(dir, 'dev-ca.pem'), 'utf8'),
  });
  if (fs.existsSync(path.join(dir, 'dev-seal.p12'))) return read();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  const ca = createTestCa({ commonName: DEV_CA_COMMON_NAME, organization: 'openspis' });
  const seal = issueCertificate(ca, { commonName: DEV_SEAL_COMMON_NAME, organization: officeName.slice(0, 64), kind: 'seal', notAfter: new Date(Date.now() + 5 * 365 * 86_400_000) });
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(path.join(tmp, 'dev-seal.p12'), toPkcs12(seal, { password, chain: [ca], friendlyName: DEV_SEAL_COMMON_NAME }), { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, 'dev-seal.password'), password, { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, 'dev-ca.pem'), ca.certPem);
  fs.writeFileSync(path.join(tmp, 'README.txt'), 'Generated test seal of openspis. NOT QUALIFIED - for development only. Configure SIGNING_PKCS12_FILE or SIGNING_PKCS11_MODULE in production (docs/signatures.md).\n');
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    // another process won the race: use its seal
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, 'dev-seal.p12'))) throw err;
  }
  return read();
}
