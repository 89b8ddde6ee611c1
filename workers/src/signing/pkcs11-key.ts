import { createRequire } from 'node:module';
import { DomainError } from '../shared/domain-error';
import type { SealKey } from './seal-key';

type Pkcs11Module = typeof import('pkcs11js');
const require = createRequire(import.meta.url);

export interface Pkcs11KeyOptions {
  /** path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so or the HSM vendor's */
  module: string;
  /** label of the token (slot) holding the key */
  tokenLabel: string;
  /** user PIN */
  pin: string;
  /** CKA_LABEL of the private key; the certificate is the token's certificate object with the same label */
  keyLabel: string;
  /** PEM certificate (and chain) when the token holds no certificate object */
  certificatePem?: string | null;
}

function pemToDers(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** ECDSA from a token is r||s; CMS wants the DER SEQUENCE of two INTEGERs. */
function ecdsaRawToDer(raw: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const half = raw.length / 2;
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * The seal key in a PKCS#11 token (an HSM, a smart card, SoftHSM2): signing happens inside the
 * token (CKM_SHA256_RSA_PKCS, or CKM_ECDSA over a SHA-256 digest); the key never leaves it.
 * One logged-in session per key, closed by `close()`.
 */
export function openPkcs11Key(opts: Pkcs11KeyOptions): SealKey {
  let pkcs11js: Pkcs11Module;
  try {
    pkcs11js = require('pkcs11js') as Pkcs11Module;
  } catch (err) {
    throw new DomainError('SEAL_KEY_UNREADABLE', 'PKCS#11: the pkcs11js native module is not built (npm ci with install scripts allowed)', 'input', { cause: err });
  }
  const p11 = new pkcs11js.PKCS11();
  const fail = (what: string, err: unknown): never => {
    throw new DomainError('SEAL_KEY_UNREADABLE', `PKCS#11 ${opts.module}: ${what}: ${err instanceof Error ? err.message : String(err)}`, 'input', { cause: err });
  };
  try {
    p11.load(opts.module);
    p11.C_Initialize();
  } catch (err) {
    fail('cannot load or initialise the module', err);
  }
  let session: Buffer | undefined;
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === opts.tokenLabel);
    if (!slot) throw new Error(`no token labelled ${JSON.stringify(opts.tokenLabel)}`);
    session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    p11.C_Login(session, pkcs11js.CKU_USER, opts.pin);
    const find = (cls: number) => {
      p11.C_FindObjectsInit(session!, [
        { type: pkcs11js.CKA_CLASS, value: cls },
        { type: pkcs11js.CKA_LABEL, value: opts.keyLabel },
      ]);
      const found = p11.C_FindObjects(session!, 2);
      p11.C_FindObjectsFinal(session!);
      return found;
    };
    const keys = find(pkcs11js.CKO_PRIVATE_KEY);
    if (keys.length !== 1) throw new Error(`expected one private key labelled ${JSON.stringify(opts.keyLabel)}, found ${keys.length}`);
    const key = keys[0];
    const keyTypeAttr = p11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_KEY_TYPE }])[0].value as Buffer;
    const keyType = keyTypeAttr.readUIntLE(0, Math.min(6, keyTypeAttr.length)) === pkcs11js.CKK_EC ? 'ec' : 'rsa';
    let certificates: Buffer[];
    if (opts.certificatePem) {
      certificates = pemToDers(opts.certificatePem);
    } else {
      const certs = find(pkcs11js.CKO_CERTIFICATE);
      certificates = certs.map((c) => p11.C_GetAttributeValue(session!, c, [{ type: pkcs11js.CKA_VALUE }])[0].value as Buffer);
    }
    if (!certificates.length) throw new Error(`no certificate labelled ${JSON.stringify(opts.keyLabel)} in the token and none configured`);
    const openSession = session;
    return {
      certificate: certificates[0],
      chain: certificates.slice(1),
      keyType,
      source: `PKCS#11 token ${opts.tokenLabel}`,
      async signSha256(data) {
        if (keyType === 'ec') {
          const { createHash } = await import('node:crypto');
          p11.C_SignInit(openSession, { mechanism: pkcs11js.CKM_ECDSA }, key);
          return ecdsaRawToDer(p11.C_Sign(openSession, createHash('sha256').update(data).digest(), Buffer.alloc(132)));
        }
        p11.C_SignInit(openSession, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
        return Buffer.from(p11.C_Sign(openSession, data, Buffer.alloc(1024)));
      },
      async close() {
        try {
          p11.C_Logout(openSession);
          p11.C_CloseSession(openSession);
        } finally {
          p11.C_Finalize();
        }
      },
    };
  } catch (err) {
    if (session) {
      try {
        p11.C_CloseSession(session);
      } catch {
        // closing after a failed login is best effort; the original error is what matters
      }
    }
    p11.C_Finalize();
    if (err instanceof DomainError) throw err;
    return fail('cannot open the key', err);
  }
}
