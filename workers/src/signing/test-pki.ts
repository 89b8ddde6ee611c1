import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * A small certificate authority for tests and for the dev seal — never for production.
 *
 *   const ca = createTestCa({ commonName: 'Test CA' });
 *   const seal = issueCertificate(ca, { commonName: 'Pečeť', kind: 'seal' });
 *   const expired = issueCertificate(ca, { commonName: 'Old', kind: 'seal', notBefore: d1, notAfter: d2 });
 *   const tsa = issueCertificate(ca, { commonName: 'TSA', kind: 'tsa' });
 *   const p12 = toPkcs12(seal, { password: 'x', chain: [ca] });
 *
 * Keys are RSA 2048 made by Node's crypto; every PEM is ready for `openssl` (`-CAfile ca.certPem`,
 * `openssl ts -reply -signer tsa.certPem -inkey tsa.keyPem`). Names may hold any Unicode text
 * (encoded as UTF8String).
 */
export interface TestCertificate {
  /** PEM of the certificate */
  certPem: string;
  /** DER of the certificate */
  certDer: Buffer;
  /** unencrypted PKCS#8 PEM of the private key (empty when the key lives elsewhere, e.g. in a token) */
  keyPem: string;
  subject: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export type TestCa = TestCertificate;

export type CertificateKind = 'ca' | 'seal' | 'signature' | 'tsa' | 'ocsp';

export interface IssueOptions {
  commonName: string;
  organization?: string;
  /** ISO 3166 code, default CZ */
  country?: string;
  /** default `seal`; `tsa` gets the critical timeStamping extended key usage RFC 3161 requires */
  kind?: Exclude<CertificateKind, 'ca'>;
  /** default: one hour ago */
  notBefore?: Date;
  /** default: notBefore + 2 years */
  notAfter?: Date;
  /** a public key made elsewhere (e.g. generated inside a PKCS#11 token), PEM (SPKI) */
  publicKeyPem?: string;
  /** CRL distribution point URL written into the certificate */
  crlUrl?: string;
  /** OCSP responder URL (authority information access) */
  ocspUrl?: string;
}

const YEAR_MS = 365 * 86_400_000;

function newKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function name(opts: { commonName: string; organization?: string; country?: string }): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'C', value: opts.country ?? 'CZ' }];
  if (opts.organization) attrs.push({ shortName: 'O', value: opts.organization, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  attrs.push({ shortName: 'CN', value: opts.commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  return attrs;
}

function serial(): string {
  const bytes = randomBytes(12);
  bytes[0] &= 0x7f; // positive
  bytes[0] |= 0x10; // no leading zero byte
  return bytes.toString('hex');
}

function toResult(cert: forge.pki.Certificate, keyPem: string, subject: string): TestCertificate {
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { certPem: forge.pki.certificateToPem(cert), certDer, keyPem, subject, serialNumber: cert.serialNumber, notBefore: cert.validity.notBefore, notAfter: cert.validity.notAfter };
}

function build(
  subject: { commonName: string; organization?: string; country?: string },
  publicPem: string,
  validity: { notBefore?: Date; notAfter?: Date },
  extensions: object[],
  issuer: { cert: forge.pki.Certificate; keyPem: string } | { self: true; keyPem: string },
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serial();
  const notBefore = validity.notBefore ?? new Date(Date.now() - 3_600_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = validity.notAfter ?? new Date(notBefore.getTime() + 2 * YEAR_MS);
  cert.setSubject(name(subject));
  // node-forge parses UTF8String values as raw bytes but encodes them on output: decode them first
  const issuerName = 'self' in issuer ? name(subject) : issuer.cert.subject.attributes.map((a) => (a.valueTagClass === (forge.asn1.Type.UTF8 as unknown) ? { ...a, value: forge.util.decodeUtf8(a.value as string) } : a));
  cert.setIssuer(issuerName);
  const ski = createHash('sha1').update(createPublicKey(publicPem).export({ type: 'pkcs1', format: 'der' })).digest('hex');
  const exts: object[] = [...extensions, { name: 'subjectKeyIdentifier', subjectKeyIdentifier: ski }];
  if (!('self' in issuer)) {
    const issuerSki = (issuer.cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null)?.subjectKeyIdentifier;
    if (issuerSki) exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(issuerSki) });
  }
  cert.setExtensions(exts);
  cert.sign(forge.pki.privateKeyFromPem(issuer.keyPem), forge.md.sha256.create());
  return cert;
}

/** A self-signed root CA valid for 10 years (or as given). */
export function createTestCa(opts: { commonName: string; organization?: string; notBefore?: Date; notAfter?: Date }): TestCa {
  const keys = newKeyPair();
  const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
  const cert = build(
    opts,
    keys.publicPem,
    { notBefore, notAfter: opts.notAfter ?? new Date(notBefore.getTime() + 10 * YEAR_MS) },
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    { self: true, keyPem: keys.privatePem },
  );
  return toResult(cert, keys.privatePem, opts.commonName);
}

/** An end-entity certificate signed by `ca`: an electronic seal, a signature, a TSA or an OCSP responder. */
export function issueCertificate(ca: TestCa, opts: IssueOptions): TestCertificate {
  const kind = opts.kind ?? 'seal';
  const keys = opts.publicKeyPem ? { privatePem: '', publicPem: opts.publicKeyPem } : newKeyPair();
  const extensions: object[] = [{ name: 'basicConstraints', cA: false, critical: true }];
  if (kind === 'tsa') {
    extensions.push({ name: 'keyUsage', digitalSignature: true, critical: true }, { name: 'extKeyUsage', timeStamping: true, critical: true });
  } else if (kind === 'ocsp') {
    extensions.push({ name: 'keyUsage', digitalSignature: true, critical: true }, { name: 'extKeyUsage', '1.3.6.1.5.5.7.3.9': true } /* id-kp-OCSPSigning: node-forge knows no name for it */);
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true });
  }
  if (opts.crlUrl) extensions.push({ name: 'cRLDistributionPoints', altNames: [{ type: 6, value: opts.crlUrl }] });
  if (opts.ocspUrl) {
    // authorityInfoAccess is not among node-forge's named extensions: encode it by hand
    const aia = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
      forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
        forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OID, false, forge.asn1.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
        forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 6, false, opts.ocspUrl),
      ]),
    ]);
    extensions.push({ id: '1.3.6.1.5.5.7.1.1', value: forge.asn1.toDer(aia).getBytes() });
  }
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = build(opts, keys.publicPem, opts, extensions, { cert: caCert, keyPem: ca.keyPem });
  return toResult(cert, keys.privatePem, opts.commonName);
}

/** PKCS#12 (AES-256, SHA-256 MAC) with the key, the certificate and its chain — like a qualified seal's .p12. */
export function toPkcs12(holder: TestCertificate, opts: { password: string; chain?: TestCertificate[]; friendlyName?: string }): Buffer {
  if (!holder.keyPem) throw new Error('toPkcs12: this certificate has no private key here');
  const key = forge.pki.privateKeyFromPem(holder.keyPem);
  const certs = [holder, ...(opts.chain ?? [])].map((c) => forge.pki.certificateFromPem(c.certPem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, opts.password, { algorithm: 'aes256', generateLocalKeyId: true, ...(opts.friendlyName ? { friendlyName: opts.friendlyName } : {}) });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** A complete test PKI: CA, a valid seal, an expired seal, a seal of another (untrusted) CA and a TSA. */
export interface TestPki {
  ca: TestCa;
  seal: TestCertificate;
  expiredSeal: TestCertificate;
  untrustedCa: TestCa;
  untrustedSeal: TestCertificate;
  tsa: TestCertificate;
}

export function createTestPki(opts: { organization?: string } = {}): TestPki {
  const organization = opts.organization ?? 'openspis test';
  const ca = createTestCa({ commonName: 'openspis Test Root CA', organization });
  const untrustedCa = createTestCa({ commonName: 'Untrusted Test CA', organization: 'elsewhere' });
  const yearAgo = new Date(Date.now() - YEAR_MS);
  return {
    ca,
    seal: issueCertificate(ca, { commonName: 'Testovací pečeť úřadu', organization, kind: 'seal' }),
    expiredSeal: issueCertificate(ca, { commonName: 'Prošlá pečeť', organization, kind: 'seal', notBefore: new Date(yearAgo.getTime() - YEAR_MS), notAfter: yearAgo }),
    untrustedCa,
    untrustedSeal: issueCertificate(untrustedCa, { commonName: 'Cizí pečeť', organization: 'elsewhere', kind: 'seal' }),
    tsa: issueCertificate(ca, { commonName: 'openspis Test TSA', organization, kind: 'tsa' }),
  };
}
