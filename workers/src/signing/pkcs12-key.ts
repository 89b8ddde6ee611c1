import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { DomainError } from '../shared/domain-error';
import type { SealKey } from './seal-key';

const der = (cert: forge.pki.Certificate) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');

/** Opens a PKCS#12 (.p12/.pfx) file: the one private key and the certificate that matches it, plus the rest as chain. */
export function openPkcs12Key(p12: Buffer, password: string, source = 'PKCS#12'): SealKey {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), password);
  } catch (err) {
    throw new DomainError('SEAL_KEY_UNREADABLE', `${source}: cannot open the PKCS#12 file (wrong password or not PKCS#12)`, 'input', { cause: err });
  }
  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certs = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).map((b) => b.cert).filter((c): c is forge.pki.Certificate => !!c);
  if (keyBags.length !== 1 || !keyBags[0].key) throw new DomainError('SEAL_KEY_UNREADABLE', `${source}: expected exactly one private key, found ${keyBags.length}`);
  const keyPem = forge.pki.privateKeyToPem(keyBags[0].key);
  const key: KeyObject = createPrivateKey(keyPem);
  const publicDer = (c: forge.pki.Certificate) => forge.asn1.toDer(forge.pki.publicKeyToAsn1(c.publicKey)).getBytes();
  const ownPublic = forge.asn1.toDer(forge.pki.publicKeyToAsn1(forge.pki.setRsaPublicKey((keyBags[0].key as forge.pki.rsa.PrivateKey).n, (keyBags[0].key as forge.pki.rsa.PrivateKey).e))).getBytes();
  const leaf = certs.find((c) => publicDer(c) === ownPublic);
  if (!leaf) throw new DomainError('SEAL_KEY_UNREADABLE', `${source}: no certificate matches the private key`);
  return {
    certificate: der(leaf),
    chain: certs.filter((c) => c !== leaf).map(der),
    keyType: key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa',
    source,
    async signSha256(data) {
      return cryptoSign('sha256', data, key);
    },
    async close() {},
  };
}
