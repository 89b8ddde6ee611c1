import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import { CONVERTIBLE } from '../conversion/libreoffice-converter';
import { verifySignatures } from '../verification/verify-signatures.service';
import type { Verdict } from '../verification/verification-report';
import { listDocumentComponents, readBlob } from './component.repository';
import { detectFormat } from './format-detection';
import { isContainer } from './container-unpacker';
import { unpackComponent } from './unpack-component.service';

export interface ProcessIncomingResult {
  /** the worst verdict over the signed components, `unsigned` when none is signed */
  signatureVerdict: Verdict;
  verificationReportComponentIds: string[];
  unpackedComponentIds: string[];
  /** components an office format could be converted from (not yet PDF/A), for `documents.convert` */
  convertibleComponentIds: string[];
}

const RANK: Record<Verdict, number> = { unsigned: 0, valid: 1, indeterminate: 2, invalid: 3 };

/**
 * The registry office's first look at a received document (podatelna): unpacks every container
 * component (e-mail, ZIP, ASiC, ZFO), verifies every signed component — originals and parts — and
 * names the components that can be converted to PDF/A. Each step is idempotent, so is this.
 */
export async function processIncomingDocument(ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>, input: { documentId: string; locale?: string | null }): Promise<ProcessIncomingResult> {
  const { db } = ports;
  const document = await db('documents').where({ id: input.documentId }).first();
  if (!document) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);

  const unpacked: string[] = [];
  for (const c of (await listDocumentComponents(db, document.id)).filter((c) => c.derivation === null)) {
    const detected = detectFormat(await readBlob(db, c.blob_sha256));
    if (isContainer(detected.format)) unpacked.push(...(await unpackComponent(ports, { componentId: c.id })).componentIds);
  }

  let verdict: Verdict = 'unsigned';
  const reports: string[] = [];
  const convertible: string[] = [];
  const components = (await listDocumentComponents(db, document.id)).filter((c) => c.derivation === null || c.derivation === 'unpacked');
  for (const c of components) {
    const detected = detectFormat(await readBlob(db, c.blob_sha256));
    if (detected.signature) {
      const result = await verifySignatures(ports, { componentId: c.id, locale: input.locale });
      reports.push(result.reportComponentId);
      if (RANK[result.verdict] > RANK[verdict]) verdict = result.verdict;
    }
    if (CONVERTIBLE[detected.format]) convertible.push(c.id);
  }
  return { signatureVerdict: verdict, verificationReportComponentIds: reports, unpackedComponentIds: unpacked, convertibleComponentIds: convertible };
}
