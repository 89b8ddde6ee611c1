import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { getComponent, insertDerivedComponent, listDerived, lockComponent, readBlob, safeFileName, setComponentFormat } from './component.repository';
import { isContainer, unpackContainer } from './container-unpacker';
import { detectFormat } from './format-detection';

export interface UnpackResult {
  /** the container's detected format, or null when the component is no container */
  containerFormat: string | null;
  componentIds: string[];
  created: boolean;
}

/**
 * Decomposes a container component (ZIP, ASiC-S/E, EML, ZFO) into components of the same
 * document: each part is detected by content and points back at the container, which stays as
 * the original. Unpacking one component twice returns the parts made the first time.
 */
export async function unpackComponent(ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>, input: { componentId: string }): Promise<UnpackResult> {
  const { db, clock, config } = ports;
  const component = await getComponent(db, input.componentId);
  if (!component) throw new DomainError('COMPONENT_NOT_FOUND', `component ${input.componentId} does not exist`);
  const existing = await listDerived(db, component.id, 'unpacked');
  const content = await readBlob(db, component.blob_sha256);
  const detected = detectFormat(content);
  if (existing.length) return { containerFormat: detected.format, componentIds: existing.map((c) => c.id), created: false };
  if (!isContainer(detected.format)) {
    if (component.format !== detected.format) await db.transaction((trx) => setComponentFormat(trx, component.id, detected.format));
    return { containerFormat: null, componentIds: [], created: false };
  }
  // parse outside the transaction: it may take a while and needs no database
  const parts = await unpackContainer(content, detected, { maxEntries: config.unpackMaxEntries, maxBytes: config.unpackMaxBytes });

  return db.transaction(async (trx) => {
    const locked = await lockComponent(trx, component.id);
    if (!locked) throw new DomainError('COMPONENT_NOT_FOUND', `component ${component.id} does not exist`);
    const again = await trx('components').where({ source_component_id: component.id, derivation: 'unpacked' }).select('id', 'derivation_details');
    if (again.length) return { containerFormat: detected.format, componentIds: again.map((c) => c.id), created: false };

    const now = clock();
    await setComponentFormat(trx, component.id, detected.format);
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const kind = detectFormat(part.content);
      const fallback = `cast-${i + 1}.${kind.extension}`;
      const id = await insertDerivedComponent(trx, {
        source: locked,
        content: part.content,
        fileName: safeFileName(part.name, fallback),
        mediaType: kind.mediaType,
        format: kind.format,
        derivation: 'unpacked',
        details: { container: detected.format, ...part.details, index: i },
        at: now,
      });
      ids.push(id);
      await appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: id, details: { documentId: locked.document_id, unpackedFrom: locked.id, container: detected.format }, occurredAt: now });
    }
    return { containerFormat: detected.format, componentIds: ids, created: true };
  });
}
