import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n } from 'i18next';
import { renderPdf, type Block } from '../documents/pdf-renderer';
import { formatDate, LOCALES, type Locale } from '../shared/templating';
import type { SignatureCheck } from './cms-verifier';

export type Verdict = 'valid' | 'invalid' | 'indeterminate' | 'unsigned';

const translators = new Map<string, i18n>();

function translate(localesDir: string, locale: Locale): (key: string, vars?: Record<string, unknown>) => string {
  let instance = translators.get(localesDir);
  if (!instance) {
    const resources = Object.fromEntries(LOCALES.map((lng) => [lng, { verification: JSON.parse(fs.readFileSync(path.join(localesDir, lng, 'verification.json'), 'utf8')) }]));
    instance = i18next.createInstance();
    // output goes into a PDF, never HTML
    void instance.init({ resources, lng: 'cs', fallbackLng: 'cs', ns: ['verification'], defaultNS: 'verification', initAsync: false, interpolation: { escapeValue: false } });
    translators.set(localesDir, instance);
  }
  const t = instance.getFixedT(locale, 'verification');
  return (key, vars) => t(key, vars ?? {}) as string;
}

/** The overall verdict: any failed signature fails the component; all must pass for `valid`. */
export function overallVerdict(checks: SignatureCheck[]): Verdict {
  if (!checks.length) return 'unsigned';
  if (checks.some((c) => c.indication === 'TOTAL_FAILED')) return 'invalid';
  if (checks.some((c) => c.indication === 'INDETERMINATE')) return 'indeterminate';
  return 'valid';
}

export interface ReportInput {
  fileName: string;
  sha256: string;
  format: string;
  verifiedAt: Date;
  anchors: number;
  verdict: Verdict;
  checks: SignatureCheck[];
}

/** The human-readable verification report, as blocks of the letter renderer (PDF/A-2b). */
export function reportBlocks(input: ReportInput, localesDir: string, locale: Locale): Block[] {
  const t = translate(localesDir, locale);
  const at = (iso: string | Date) => formatDate(iso, locale, true);
  const blocks: Block[] = [
    { kind: 'h', text: t('report.title') },
    { kind: 'gap' },
    { kind: 't', text: t('report.component', { fileName: input.fileName }) },
    { kind: 'small', text: t('report.sha256', { sha256: input.sha256 }) },
    { kind: 't', text: t('report.format', { format: input.format }) },
    { kind: 't', text: t('report.verifiedAt', { at: at(input.verifiedAt) }) },
    { kind: 't', text: t('report.anchors', { count: input.anchors }) },
    { kind: 'gap' },
    { kind: 'b', text: t('report.verdict', { verdict: t(`verdict.${input.verdict}`) }) },
    { kind: 'hr' },
  ];
  if (!input.checks.length) blocks.push({ kind: 't', text: t('report.none') });
  input.checks.forEach((c, i) => {
    blocks.push({ kind: 'b', text: t('report.signature', { n: i + 1, format: c.format.toUpperCase().replace('ADES', 'AdES'), location: c.location }) });
    blocks.push({ kind: 't', text: t('report.result', { indication: t(`indication.${c.indication}`) }) });
    if (c.subIndication) blocks.push({ kind: 't', text: t('report.reason', { reason: t(`sub.${c.subIndication}`) }) });
    if (c.problem) blocks.push({ kind: 'small', text: t('report.detail', { problem: c.problem }) });
    if (c.signer) {
      blocks.push({ kind: 't', text: t('report.signer', { subject: c.signer.subject }) });
      blocks.push({ kind: 't', text: t('report.issuer', { issuer: c.signer.issuer }) });
      blocks.push({ kind: 't', text: t('report.certValidity', { from: at(c.signer.notBefore), to: at(c.signer.notAfter) }) });
    }
    if (c.claimedSigningTime) blocks.push({ kind: 't', text: t('report.claimedTime', { at: at(c.claimedSigningTime) }) });
    if (!c.timeStamp) blocks.push({ kind: 't', text: t('report.noTimeStamp') });
    else if (c.timeStamp.valid) blocks.push({ kind: 't', text: t('report.timeStamp', { at: at(c.timeStamp.genTime!), tsa: c.timeStamp.tsa }) });
    else blocks.push({ kind: 't', text: t('report.timeStampInvalid', { problem: c.timeStamp.problem }) });
    blocks.push({ kind: 't', text: t('report.validationTime', { at: at(c.validationTime) }) });
    if (c.chain.length) blocks.push({ kind: 'small', text: t('report.chain', { chain: c.chain.join(' → ') }) });
    for (const r of c.revocation ?? []) {
      const origin = r.origin === 'embedded' ? t('report.originEmbedded') : t('report.originFetched');
      const via = r.via === 'ocsp' ? 'OCSP' : 'CRL';
      if (r.status === 'good') blocks.push({ kind: 't', text: t('report.revocationGood', { subject: r.subject, via, at: at(r.producedAt!), origin }) });
      else if (r.status === 'revoked') blocks.push({ kind: 'b', text: t('report.revocationRevoked', { subject: r.subject, at: at(r.revokedAt!), reason: r.reason ? `, ${r.reason}` : '', via, origin }) });
      else if (r.status === 'not-checked') blocks.push({ kind: 't', text: t('report.revocationNotChecked', { subject: r.subject }) });
      else blocks.push({ kind: 't', text: t('report.revocationUnknown', { subject: r.subject, problem: r.problem }) });
    }
    if (c.level) blocks.push({ kind: 't', text: t('report.level', { level: `${c.format === 'pades' ? 'PAdES' : c.format === 'xades' ? 'XAdES' : 'CAdES'}-BASELINE-${c.level}` }) });
    if (c.coversWholeDocument !== undefined) blocks.push({ kind: 't', text: t(c.coversWholeDocument ? 'report.coversWhole' : c.onlyValidationDataAdded ? 'report.onlyValidationData' : 'report.notWhole') });
    blocks.push({ kind: 'gap' });
  });
  blocks.push({ kind: 'hr' }, { kind: 'small', text: t('report.revocation') });
  return blocks;
}

export async function renderVerificationReport(input: ReportInput, opts: { localesDir: string; locale: Locale; author: string }): Promise<Buffer> {
  const t = translate(opts.localesDir, opts.locale);
  return renderPdf(reportBlocks(input, opts.localesDir, opts.locale), { title: `${t('report.title')} – ${input.fileName}`, author: opts.author, lang: opts.locale });
}
