/**
 * The private key of an electronic seal and its certificates, wherever the key lives (a PKCS#12
 * file in memory, a PKCS#11 token). The key never leaves its holder: callers hand it data and get
 * a signature back.
 */
export interface SealKey {
  /** DER of the seal certificate */
  readonly certificate: Buffer;
  /** DER of the issuing certificates (intermediates, optionally the root), nearest first */
  readonly chain: readonly Buffer[];
  readonly keyType: 'rsa' | 'ec';
  /** where the key is, for logs and the seal record — never a secret */
  readonly source: string;
  /** SHA-256 over `data`, then RSA PKCS#1 v1.5 or ECDSA (DER-encoded r,s) with the seal key */
  signSha256(data: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}
