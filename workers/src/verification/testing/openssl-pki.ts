import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * A throw-away PKI made with the openssl CLI for verification tests: a trusted root with a signer,
 * an expired signer and a time-stamping unit (an `openssl ts` TSA), and an untrusted root with its
 * own signer. Tests only — production trust anchors come from TRUST_ANCHORS_DIR.
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

const CA_CONFIG = `
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

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

function makeCa(dir: string, name: string, cn: string): { cert: string; key: string; dir: string } {
  const caDir = path.join(dir, name);
  fs.mkdirSync(path.join(caDir, 'newcerts'), { recursive: true });
  fs.writeFileSync(path.join(caDir, 'index.txt'), '');
  fs.writeFileSync(path.join(caDir, 'serial'), '1000\n');
  fs.writeFileSync(path.join(caDir, 'ca.cnf'), CA_CONFIG);
  const key = path.join(caDir, 'ca.key');
  const cert = path.join(caDir, 'ca.pem');
  openssl(['req', '-utf8', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '3650', '-subj', `/CN=${cn}/O=openspis test`, '-config', path.join(caDir, 'ca.cnf'), '-extensions', 'v3_ca'], { cwd: caDir });
  return { cert, key, dir: caDir };
}

function issue(ca: { cert: string; key: string; dir: string }, name: string, cn: string, ext: string, validity: { start: string; end: string }): { cert: string; key: string } {
  const key = path.join(ca.dir, `${name}.key`);
  const csr = path.join(ca.dir, `${name}.csr`);
  const cert = path.join(ca.dir, `${name}.pem`);
  openssl(['req', '-utf8', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}/O=openspis test`]);
  openssl(['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', ca.cert, '-keyfile', ca.key, '-in', csr, '-out', cert, '-extensions', ext, '-startdate', validity.start, '-enddate', validity.end], { cwd: ca.dir });
  return { cert, key };
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-pki-'));
  const now = Date.now();
  const valid = { start: stamp(new Date(now - 86_400_000)), end: stamp(new Date(now + 2 * 365 * 86_400_000)) };
  const root = makeCa(dir, 'root', 'openspis Test Root CA');
  const other = makeCa(dir, 'other', 'Unknown Root CA');
  const signer = issue(root, 'signer', 'Jan Podepisující', 'v3_signer', valid);
  const expiredSigner = issue(root, 'expired', 'Expired Signer', 'v3_signer', { start: '20200101000000Z', end: '20210101000000Z' });
  const untrustedSigner = issue(other, 'signer', 'Untrusted Signer', 'v3_signer', valid);
  const tsaIssued = issue(root, 'tsa', 'openspis Test TSA', 'v3_tsa', { start: valid.start, end: stamp(new Date(now + 9 * 365 * 86_400_000)) });
  const tsaDir = path.join(dir, 'tsa');
  fs.mkdirSync(tsaDir);
  fs.copyFileSync(tsaIssued.cert, path.join(tsaDir, 'tsa.pem'));
  fs.copyFileSync(tsaIssued.key, path.join(tsaDir, 'tsa.key'));
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
    signer,
    expiredSigner,
    untrustedSigner,
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
