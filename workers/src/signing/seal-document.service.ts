import { randomUUID, createHash } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { createTranslate } from '../shared/templating';
import { putBlob } from '../registry/registry.repository';
import { sealPdf, type PadesLevel } from './pades';
import type { SealingPorts } from './seal-key-provider';

export interface SealDocumentResult {
  sealedComponentId: string;
  level: PadesLevel;
  created: boolean;
}

/**
 * Seals the newest PDF component of a document with the office's electronic seal (PAdES, B-T
 * with a time stamp authority configured — B-LT when the seal certificate names revocation
 * services — else B-B). The sealed PDF becomes the next version of
 * the component (`derivation = 'sealed'`), recorded in `component_seals`. A document sealed before
 * returns that seal; the TSA is asked outside the database transaction.
 */
export async function sealDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'> & { sealing: SealingPorts },
  /** `componentId`: seal that PDF component of the document (e.g. its confirmation of receipt) rather than its newest PDF */
  input: { documentId: string; componentId?: string },
): Promise<SealDocumentResult> {
  const { db, clock, config, sealing } = ports;
  const done = await db('component_seals').where(input.componentId ? { source_component_id: input.componentId } : { document_id: input.documentId }).orderBy('created_at', 'desc').first();
  if (done) return { sealedComponentId: done.sealed_component_id, level: done.level, created: false };

  const document = await db('documents').where({ id: input.documentId }).first();
  if (!document) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
  const pdfs = db('components').where({ document_id: document.id, media_type: 'application/pdf' });
  const source = await (input.componentId ? pdfs.where({ id: input.componentId }) : pdfs.orderBy('version', 'desc')).first();
  if (!source) throw new DomainError('DOCUMENT_HAS_NO_PDF', `document ${document.id} has no PDF component ${input.componentId ?? ''} to seal`);
  const blob = await db('blobs').where({ sha256: source.blob_sha256 }).first('content');

  const key = await sealing.key();
  const now = clock();
  if (now < key.notBefore || now > key.notAfter) {
    throw new DomainError('SEAL_CERTIFICATE_NOT_VALID', `the seal certificate is valid from ${key.notBefore.toISOString()} to ${key.notAfter.toISOString()}`);
  }
  const t = createTranslate(config.localesDir, 'cs');
  const sealed = await sealPdf(Buffer.from(blob.content), {
    key,
    timeStamper: sealing.timeStamper,
    reason: t('seal.reason', { officeName: config.officeName }),
    location: config.signing.location ?? config.officeName,
    name: config.officeName,
    signingTime: now,
  });

  return db.transaction(async (trx) => {
    await trx('documents').where({ id: document.id }).forUpdate().first();
    const raced = await trx('component_seals').where({ source_component_id: source.id }).first();
    if (raced) return { sealedComponentId: raced.sealed_component_id, level: raced.level, created: false };
    const stored = await putBlob(trx, sealed.pdf);
    const sealedComponentId = randomUUID();
    await trx('components').insert({
      id: sealedComponentId,
      document_id: document.id,
      blob_sha256: stored.sha256,
      file_name: source.file_name,
      media_type: 'application/pdf',
      size: stored.size,
      version: source.version + 1,
      format: 'pdf',
      source_component_id: source.id,
      derivation: 'sealed',
      derivation_details: JSON.stringify({ level: sealed.level, keySource: key.kind }),
      created_at: now,
    });
    await trx('component_seals').insert({
      id: randomUUID(),
      document_id: document.id,
      source_component_id: source.id,
      sealed_component_id: sealedComponentId,
      level: sealed.level,
      signer_subject: key.subject,
      certificate_sha256: createHash('sha256').update(key.certificate).digest('hex'),
      qualified: key.qualified,
      key_source: key.kind,
      signing_time: now,
      timestamp_time: sealed.timestamp?.genTime ?? null,
      tsa_subject: sealed.timestamp?.tsaSubject ?? null,
      created_at: now,
    });
    await appendAuditLog(trx, {
      actor: SYSTEM_ACTOR,
      eventType: 'Zalozeni',
      objectType: 'Komponenta',
      objectId: sealedComponentId,
      details: { documentId: document.id, sha256: stored.sha256, sealed: true, level: sealed.level, sourceComponentId: source.id, qualified: key.qualified },
      occurredAt: now,
    });
    return { sealedComponentId, level: sealed.level, created: true };
  });
}
