import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractPdfSignatures, signatureValueAndTimeStamp } from '../pdf-signature';

/** Runs `openssl` with the given files written to a temp folder; returns { ok, output }. */
export function openssl(args: (dir: string) => string[], files: Record<string, Buffer | string>): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-openssl-'));
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    const r = spawnSync('openssl', args(dir), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Independent check of a sealed PDF with the OpenSSL command line: the CMS over the PDF's byte
 * ranges must verify to `caPem` (`openssl cms -verify`), and its signature-time-stamp token must
 * verify over the signature value (`openssl ts -verify`).
 */
export function verifyPadesWithOpenssl(pdf: Buffer, caPem: string, signatureIndex = 0): { cms: { ok: boolean; output: string }; timeStamp: { ok: boolean; output: string } | null } {
  const field = extractPdfSignatures(pdf)[signatureIndex];
  if (!field) throw new Error('no signature in the PDF');
  const cms = openssl((d) => ['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${d}/sig.der`, '-content', `${d}/content.bin`, '-CAfile', `${d}/ca.pem`, '-purpose', 'any', '-out', '/dev/null'], {
    'sig.der': field.cms,
    'content.bin': field.signedContent,
    'ca.pem': caPem,
  });
  const { signatureValue, timeStampToken } = signatureValueAndTimeStamp(field.cms);
  const timeStamp = timeStampToken
    ? openssl((d) => ['ts', '-verify', '-data', `${d}/sigvalue.bin`, '-in', `${d}/token.der`, '-token_in', '-CAfile', `${d}/ca.pem`], {
        'sigvalue.bin': signatureValue,
        'token.der': timeStampToken,
        'ca.pem': caPem,
      })
    : null;
  return { cms, timeStamp };
}
