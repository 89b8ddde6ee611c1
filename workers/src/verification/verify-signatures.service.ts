import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { toLocale } from '../shared/templating';
import { getComponent, insertDerivedComponent, listDocumentComponents, lockComponent, readBlob, setComponentFormat, type ComponentRow } from '../intake/component.repository';
import { detectFormat } from '../intake/format-detection';
import { loadTrustAnchors } from './certificates';
import { verifyCms, type SignatureCheck, type VerifyContext } from './cms-verifier';
import { verifyPades } from './pades-verifier';
import { externalReferences, verifyXades } from './xades-verifier';
import { verifyAsic } from './asic-verifier';
import { overallVerdict, renderVerificationReport, type Verdict } from './verification-report';

export interface VerifyResult {
  verificationId: string;
  verdict: Verdict;
  signatureFormat: string;
  reportComponentId: string;
  created: boolean;
}

/** A detached `.p7s` signs the component of the same document named like it without `.p7s`. */
async function detachedContent(ports: Pick<WorkerPorts, 'db'>, component: ComponentRow, contentComponentId: string | null): Promise<Buffer | null> {
  let target: ComponentRow | undefined;
  if (contentComponentId) {
    target = await getComponent(ports.db, contentComponentId);
    if (!target || target.document_id !== component.document_id) throw new DomainError('COMPONENT_NOT_FOUND', `component ${contentComponentId} is not in the same document`);
  } else {
    const base = component.file_name.replace(/\.(p7s|sig)$/i, '');
    target = (await listDocumentComponents(ports.db, component.document_id)).find((c) => c.id !== component.id && c.file_name === base);
  }
  return target ? readBlob(ports.db, target.blob_sha256) : null;
}

/**
 * A detached XAdES signature names the files it signs: the components of the same document with
 * those names (the newest version of each).
 */
async function detachedFiles(ports: Pick<WorkerPorts, 'db'>, component: ComponentRow, names: string[]): Promise<(uri: string) => Buffer | null> {
  const found = new Map<string, Buffer>();
  if (names.length) {
    const siblings = (await listDocumentComponents(ports.db, component.document_id)).filter((c) => c.id !== component.id && names.includes(c.file_name));
    for (const c of siblings) found.set(c.file_name, await readBlob(ports.db, c.blob_sha256));
  }
  return (uri) => found.get(uri) ?? null;
}

/**
 * Verifies the electronic signatures a component carries (PAdES, CAdES `.p7m`/`.p7s`, XAdES,
 * ASiC-S/E, the ISDS signature of a ZFO), records the result on the component and files a
 * human-readable PDF/A report as a component of its own. Verifying the same component again
 * returns the first result: the report documents what was known when the document arrived.
 */
export async function verifySignatures(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  input: { componentId: string; contentComponentId?: string | null; locale?: string | null },
): Promise<VerifyResult> {
  const { db, clock, config } = ports;
  const component = await getComponent(db, input.componentId);
  if (!component) throw new DomainError('COMPONENT_NOT_FOUND', `component ${input.componentId} does not exist`);
  const done = await db('signature_verifications').where({ component_id: component.id }).first();
  if (done) return { verificationId: done.id, verdict: done.verdict, signatureFormat: done.format, reportComponentId: done.report_component_id, created: false };

  const content = await readBlob(db, component.blob_sha256);
  const detected = detectFormat(content);
  const now = clock();
  const ctx: VerifyContext = { anchors: loadTrustAnchors(config.trustAnchorsDir), now };
  let checks: SignatureCheck[] = [];
  let signatureFormat = 'none';
  switch (detected.format) {
    case 'pdf':
      checks = await verifyPades(content, ctx);
      if (checks.length) signatureFormat = 'pades';
      break;
    case 'cms':
    case 'zfo': {
      const data = detected.cmsContent === 'detached' ? await detachedContent(ports, component, input.contentComponentId ?? null) : null;
      checks = await verifyCms(content, data, ctx, { format: 'cades', location: component.file_name });
      signatureFormat = 'cades';
      break;
    }
    case 'xml':
      if (detected.signature) {
        checks = await verifyXades(content, ctx, component.file_name, await detachedFiles(ports, component, externalReferences(content)));
        signatureFormat = 'xades';
      }
      break;
    case 'asic-s':
    case 'asic-e':
      checks = await verifyAsic(content, ctx, { maxBytes: config.unpackMaxBytes });
      signatureFormat = detected.format;
      break;
    default:
      break;
  }
  const verdict = overallVerdict(checks);
  const report = await renderVerificationReport(
    { fileName: component.file_name, sha256: component.blob_sha256, format: detected.format, verifiedAt: now, anchors: ctx.anchors.length, verdict, checks },
    { localesDir: config.localesDir, locale: toLocale(input.locale), author: config.officeName },
  );

  return db.transaction(async (trx) => {
    const locked = await lockComponent(trx, component.id);
    if (!locked) throw new DomainError('COMPONENT_NOT_FOUND', `component ${component.id} does not exist`);
    const again = await trx('signature_verifications').where({ component_id: component.id }).first();
    if (again) return { verificationId: again.id, verdict: again.verdict, signatureFormat: again.format, reportComponentId: again.report_component_id, created: false };

    await setComponentFormat(trx, locked.id, detected.format);
    const reportComponentId = await insertDerivedComponent(trx, {
      source: locked,
      content: report,
      fileName: `overeni-podpisu-${locked.file_name.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}-]+/gu, '-').slice(0, 80)}.pdf`,
      mediaType: 'application/pdf',
      format: 'pdf',
      derivation: 'verification-report',
      details: { verdict, signatureFormat, verifiedAt: now.toISOString() },
      at: now,
    });
    const verificationId = randomUUID();
    await trx('signature_verifications').insert({
      id: verificationId,
      component_id: locked.id,
      format: signatureFormat,
      verdict,
      signatures: JSON.stringify(checks),
      report_component_id: reportComponentId,
      verified_at: now,
      created_at: now,
    });
    await appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: reportComponentId, details: { documentId: locked.document_id, verificationReportOf: locked.id }, occurredAt: now });
    await appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType: 'Uprava', objectType: 'Komponenta', objectId: locked.id, details: { action: 'signature-verification', verdict, signatureFormat, signatures: checks.length }, occurredAt: now });
    return { verificationId, verdict, signatureFormat, reportComponentId, created: true };
  });
}
