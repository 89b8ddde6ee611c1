import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createTestPki as createSigningTestPki, type TestCertificate } from '../../signing/test-pki';

/**
 * The verification tests' PKI: the certificates of the signing module's test PKI
 * (`../../signing/test-pki.ts`: a trusted root, a seal, an expired seal, an untrusted root with its
 * seal and a TSA) written out as PEM files, so the openssl CLI can sign with them (`openssl cms`)
 * and act as the time-stamping authority (`openssl ts`). Tests only — production trust anchors
 * come from TRUST_ANCHORS_DIR.
 */
export interface TestPki {
  dir: string;
  /** folder holding only the trusted root, as TRUST_ANCHORS_DIR */
  anchorsDir: string;
  rootCert: string;
  signer: { cert: string; key: string };
  expiredSigner: { cert: string; key: string };
  untrustedSigner: { cert: string; key: string };
  tsa: { cert: string; key: string; config: string };
  cleanup(): void;
}

export function openssl(args: string[], opts: { input?: Buffer; cwd?: string } = {}): Buffer {
  return execFileSync('openssl', args, { input: opts.input, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

const TSA_CONFIG = (dir: string) => `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/tsaserial
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-pki-'));
  const pki = createSigningTestPki();
  const write = (name: string, holder: TestCertificate) => {
    const cert = path.join(dir, `${name}.pem`);
    const key = path.join(dir, `${name}.key`);
    fs.writeFileSync(cert, holder.certPem);
    fs.writeFileSync(key, holder.keyPem);
    return { cert, key };
  };
  const root = write('root', pki.ca);
  const tsaDir = path.join(dir, 'tsa');
  fs.mkdirSync(tsaDir);
  fs.writeFileSync(path.join(tsaDir, 'tsa.pem'), pki.tsa.certPem);
  fs.writeFileSync(path.join(tsaDir, 'tsa.key'), pki.tsa.keyPem);
  fs.writeFileSync(path.join(tsaDir, 'tsaserial'), '01\n');
  const tsaConfig = path.join(tsaDir, 'tsa.cnf');
  fs.writeFileSync(tsaConfig, TSA_CONFIG(tsaDir));
  const anchorsDir = path.join(dir, 'anchors');
  fs.mkdirSync(anchorsDir);
  fs.copyFileSync(root.cert, path.join(anchorsDir, 'root.pem'));
  return {
    dir,
    anchorsDir,
    rootCert: root.cert,
    signer: write('signer', pki.seal),
    expiredSigner: write('expired', pki.expiredSeal),
    untrustedSigner: write('untrusted', pki.untrustedSeal),
    tsa: { cert: path.join(tsaDir, 'tsa.pem'), key: path.join(tsaDir, 'tsa.key'), config: tsaConfig },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A CAdES-BES-like CMS signature made by `openssl cms -sign` (DER). */
export function cmsSign(data: Buffer, signer: { cert: string; key: string }, opts: { detached: boolean }): Buffer {
  return openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-signer', signer.cert, '-inkey', signer.key, '-outform', 'DER', ...(opts.detached ? [] : ['-nodetach']), '-cades'], { input: data });
}

/** An RFC 3161 time-stamp token from `openssl ts` over `data` (DER TimeStampToken = ContentInfo). */
export function timeStampToken(pki: TestPki, data: Buffer): Buffer {
  const query = openssl(['ts', '-query', '-sha256', '-cert'], { input: data });
  const qfile = path.join(pki.dir, `q-${process.pid}-${Date.now()}.tsq`);
  fs.writeFileSync(qfile, query);
  try {
    return openssl(['ts', '-reply', '-config', pki.tsa.config, '-queryfile', qfile, '-token_out']);
  } finally {
    fs.rmSync(qfile, { force: true });
  }
}

/**
 * CAdES-T: adds a signature time stamp (from the `openssl ts` TSA, over the signature value) as an
 * unsigned attribute of every signer. The signed part is left byte for byte as it was.
 */
export async function addSignatureTimeStamp(cms: Buffer, pki: TestPki): Promise<Buffer> {
  const asn = asn1js.fromBER(new Uint8Array(cms).buffer);
  const info = new pkijs.ContentInfo({ schema: asn.result });
  const signed = new pkijs.SignedData({ schema: info.content });
  for (const signer of signed.signerInfos) {
    const token = timeStampToken(pki, Buffer.from(signer.signature.valueBlock.valueHexView));
    const tokenAsn = asn1js.fromBER(new Uint8Array(token).buffer);
    const attr = new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.14', values: [tokenAsn.result] });
    signer.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [attr] });
  }
  const out = new pkijs.ContentInfo({ contentType: info.contentType, content: signed.toSchema(true) });
  return Buffer.from(out.toSchema().toBER());
}
