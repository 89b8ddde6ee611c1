import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { getComponent, insertDerivedComponent, listDerived, lockComponent, readBlob, setComponentFormat } from '../intake/component.repository';
import { detectFormat } from '../intake/format-detection';
import { convertToPdfA, type ConverterOptions } from './libreoffice-converter';

export interface ConvertResult {
  /** the PDF/A component: the new one, or the component itself when it already claims PDF/A */
  convertedComponentId: string;
  converted: boolean;
  created: boolean;
}

export type Converter = (content: Buffer, format: Parameters<typeof convertToPdfA>[1], opts: ConverterOptions) => ReturnType<typeof convertToPdfA>;

/**
 * Converts a component to the output format PDF/A-2b (vyhláška 259/2012 § 23) with LibreOffice
 * and files the result as a component of the same document that records its source, the tool and
 * its version, the export filter and the time. A component already in PDF/A is left as it is; a
 * component converted before returns that conversion.
 */
export async function convertDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  input: { componentId: string },
  converter: Converter = convertToPdfA,
): Promise<ConvertResult> {
  const { db, clock, config } = ports;
  const component = await getComponent(db, input.componentId);
  if (!component) throw new DomainError('COMPONENT_NOT_FOUND', `component ${input.componentId} does not exist`);
  const [existing] = await listDerived(db, component.id, 'converted');
  if (existing) return { convertedComponentId: existing.id, converted: true, created: false };

  const content = await readBlob(db, component.blob_sha256);
  const detected = detectFormat(content);
  if (detected.format === 'pdf' && detected.pdfa && detected.pdfa.part >= 1) {
    if (component.format !== 'pdf') await db.transaction((trx) => setComponentFormat(trx, component.id, 'pdf'));
    return { convertedComponentId: component.id, converted: false, created: false };
  }
  const startedAt = clock();
  // outside the transaction: a conversion takes seconds and needs no database
  const { pdf, filter, toolVersion } = await converter(content, detected.format, { sofficePath: config.sofficePath, timeoutMs: config.conversionTimeoutMs, concurrency: config.conversionConcurrency });
  const check = detectFormat(pdf);
  const pdfa = check.format === 'pdf' ? check.pdfa : undefined;
  if (!pdfa) throw new DomainError('CONVERSION_FAILED', 'the converter did not produce a PDF/A document', 'business');

  return db.transaction(async (trx) => {
    const locked = await lockComponent(trx, component.id);
    if (!locked) throw new DomainError('COMPONENT_NOT_FOUND', `component ${component.id} does not exist`);
    const again = await trx('components').where({ source_component_id: component.id, derivation: 'converted' }).first();
    if (again) return { convertedComponentId: again.id as string, converted: true, created: false };
    const now = clock();
    await setComponentFormat(trx, locked.id, detected.format);
    const baseName = locked.file_name.replace(/\.[^.]*$/, '') || 'dokument';
    const convertedComponentId = await insertDerivedComponent(trx, {
      source: locked,
      content: pdf,
      fileName: `${baseName}.pdf`,
      mediaType: 'application/pdf',
      format: 'pdf',
      derivation: 'converted',
      details: {
        tool: 'LibreOffice',
        toolVersion,
        filter,
        sourceFormat: detected.format,
        sourceSha256: locked.blob_sha256,
        output: `PDF/A-${pdfa.part}${(pdfa.conformance ?? '').toLowerCase()}`,
        startedAt: startedAt.toISOString(),
        convertedAt: now.toISOString(),
      },
      at: now,
    });
    await appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType: 'Zalozeni', objectType: 'Komponenta', objectId: convertedComponentId, details: { documentId: locked.document_id, convertedFrom: locked.id, tool: toolVersion }, occurredAt: now });
    // NSESSS transaction-log vocabulary: the conversion itself, on the converted component
    await appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType: 'KonverzeFormatu', objectType: 'Komponenta', objectId: locked.id, details: { documentId: locked.document_id, output: convertedComponentId, tool: toolVersion }, occurredAt: now });
    return { convertedComponentId, converted: true, created: true };
  });
}
