import fs from 'node:fs';
import * as pkijs from 'pkijs';
import type { WorkersConfig } from '../config';
import { ensureDevSeal } from './dev-seal';
import { openPkcs11Key } from './pkcs11-key';
import { openPkcs12Key } from './pkcs12-key';
import type { SealKey } from './seal-key';
import { httpTimeStamper, subjectOf, type TimeStamper } from './tsa-client';

export interface OpenSealKey extends SealKey {
  kind: 'dev' | 'pkcs12' | 'pkcs11';
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** the certificate states EU qualified status (qcStatements with QcCompliance) */
  qualified: boolean;
}

export interface SealingPorts {
  key(): Promise<OpenSealKey>;
  timeStamper: TimeStamper | null;
  close(): Promise<void>;
}

const QC_STATEMENTS = '1.3.6.1.5.5.7.1.3';
const QC_COMPLIANCE_DER = Buffer.from('060604008e460101', 'hex'); // OID 0.4.0.1862.1.1

function describe(key: SealKey, kind: OpenSealKey['kind']): OpenSealKey {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(key.certificate));
  const qc = cert.extensions?.find((e) => e.extnID === QC_STATEMENTS);
  return Object.assign(key, {
    kind,
    subject: subjectOf(cert),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    qualified: !!qc && Buffer.from(qc.extnValue.valueBlock.valueHexView).includes(QC_COMPLIANCE_DER),
  });
}

/** The configured seal key (opened once, on first use) and time stamp authority. */
export function createSealingPorts(config: Pick<WorkersConfig, 'signing' | 'officeName'>): SealingPorts {
  let opened: Promise<OpenSealKey> | null = null;
  const open = async (): Promise<OpenSealKey> => {
    const k = config.signing.key;
    if (k.kind === 'pkcs11') {
      const certificatePem = k.certificateFile ? fs.readFileSync(k.certificateFile, 'utf8') : null;
      return describe(openPkcs11Key({ module: k.module, tokenLabel: k.tokenLabel, pin: k.pin, keyLabel: k.keyLabel, certificatePem }), 'pkcs11');
    }
    if (k.kind === 'pkcs12') return describe(openPkcs12Key(fs.readFileSync(k.file), k.password, `PKCS#12 ${k.file}`), 'pkcs12');
    const dev = ensureDevSeal(k.dir, config.officeName);
    return describe(openPkcs12Key(dev.p12, dev.password, 'dev seal'), 'dev');
  };
  const tsa = config.signing.tsa;
  return {
    key() {
      opened ??= open().catch((err: unknown) => {
        opened = null; // a token plugged in later, a fixed PIN: try again on the next job
        throw err;
      });
      return opened;
    },
    timeStamper: tsa ? httpTimeStamper(tsa) : null,
    async close() {
      const key = await opened?.catch(() => null);
      opened = null;
      await key?.close();
    },
  };
}
