import fs from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Copies bytes into a fresh ArrayBuffer (pkijs reads whole buffers, a Node Buffer may be a slice of a pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

/** Certificates from PEM (one or many per file) or DER. */
export function parseCertificates(content: Buffer): pkijs.Certificate[] {
  const text = content.toString('latin1');
  const pems = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (pems.length) return pems.map((m) => parseCertificate(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return [parseCertificate(content)];
}

const anchorCache = new Map<string, { mtimeMs: number; certs: pkijs.Certificate[] }>();

/**
 * The trust anchors: every certificate in TRUST_ANCHORS_DIR (`.pem`, `.crt`, `.cer`, `.der`).
 * Read again when the folder changes, so an operator can add an anchor without a restart.
 * A missing folder is no anchor at all; an unreadable certificate stops verification loudly.
 */
export function loadTrustAnchors(dir: string): pkijs.Certificate[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort();
  const mtimeMs = Math.max(fs.statSync(dir).mtimeMs, ...files.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
  const cached = anchorCache.get(dir);
  if (cached && cached.mtimeMs === mtimeMs) return cached.certs;
  const certs = files.flatMap((f) => {
    try {
      return parseCertificates(fs.readFileSync(path.join(dir, f)));
    } catch (err) {
      throw new Error(`trust anchor ${f} in ${dir} is not a certificate`, { cause: err });
    }
  });
  anchorCache.set(dir, { mtimeMs, certs });
  return certs;
}

const NAME_OIDS: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.5': 'serialNumber', '2.5.4.97': 'organizationIdentifier', '1.2.840.113549.1.9.1': 'E',
};

export function describeName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${NAME_OIDS[tv.type] ?? tv.type}=${(tv.value.valueBlock as unknown as { value: string }).value}`)
    .join(', ');
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export function describeCertificate(cert: pkijs.Certificate): CertificateInfo {
  return {
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
  };
}

export type ChainOutcome =
  | { ok: true; path: pkijs.Certificate[] }
  | { ok: false; reason: 'NOT_YET_VALID' | 'OUT_OF_BOUNDS' | 'NO_CERTIFICATE_CHAIN_FOUND'; message: string };

/**
 * Builds the path from `leaf` to one of `anchors` and checks it at `at` (the time the signature is
 * known to have existed). The leaf's own validity period is checked first so an expired
 * certificate is told apart from an untrusted one. Revocation is not checked here.
 */
export async function checkChain(leaf: pkijs.Certificate, intermediates: pkijs.Certificate[], anchors: pkijs.Certificate[], at: Date): Promise<ChainOutcome> {
  if (at < leaf.notBefore.value) return { ok: false, reason: 'NOT_YET_VALID', message: `certificate not valid before ${leaf.notBefore.value.toISOString()}` };
  if (at > leaf.notAfter.value) return { ok: false, reason: 'OUT_OF_BOUNDS', message: `certificate expired ${leaf.notAfter.value.toISOString()}` };
  if (!anchors.length) return { ok: false, reason: 'NO_CERTIFICATE_CHAIN_FOUND', message: 'no trust anchors are configured' };
  // pkijs builds the path for the *last* certificate of `certs`: the leaf goes last, once
  const leafDer = Buffer.from(leaf.toSchema(true).toBER());
  const others = intermediates.filter((c) => !Buffer.from(c.toSchema(true).toBER()).equals(leafDer));
  const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: anchors, certs: [...others, leaf], checkDate: at });
  const result = await engine.verify();
  if (!result.result) return { ok: false, reason: 'NO_CERTIFICATE_CHAIN_FOUND', message: result.resultMessage };
  return { ok: true, path: result.certificatePath ?? [leaf] };
}

export function asnDate(value: asn1js.AsnType | undefined): Date | null {
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return null;
}
