import type { JobHandler } from '../shared/engine-port';
import { defineJob, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { convertDocument } from './convert-document.service';

/**
 * `documents.convert`: in `componentId`; out `convertedComponentId` (the PDF/A component; the
 * input itself when it already is PDF/A) and `converted`. A format that cannot be converted, or a
 * file LibreOffice cannot read, is the BPMN error `CONVERSION_NOT_SUPPORTED` / `CONVERSION_FAILED`;
 * a time-out or a missing LibreOffice is retried.
 */
export function convertDocumentJob(ports: WorkerPorts): JobHandler {
  const handler = defineJob('documents.convert', ports.log, async (job, log) => {
    const componentId = requireUuid(job.variables, 'componentId');
    const result = await convertDocument(ports, { componentId });
    log.info({ componentId, convertedComponentId: result.convertedComponentId, converted: result.converted, created: result.created }, 'document converted');
    return { convertedComponentId: result.convertedComponentId, converted: result.converted };
  });
  // a conversion may wait for a free LibreOffice slot and then run up to CONVERSION_TIMEOUT_MS:
  // the job stays locked that long so it is not handed to another worker meanwhile
  return { ...handler, timeout: 2 * ports.config.conversionTimeoutMs + 30_000 };
}
