import type { JobHandler } from '../shared/engine-port';
import { defineJob, optionalString, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { processIncomingDocument } from './process-incoming.service';

/**
 * `documents.process-incoming`: in `documentId` (e.g. right after `registry.register-document`),
 * optionally `locale` of the verification reports; out `signatureVerdict`,
 * `verificationReportComponentIds`, `unpackedComponentIds`, `convertibleComponentIds` (feed them
 * to a multi-instance `documents.convert`).
 */
export function processIncomingJob(ports: WorkerPorts): JobHandler {
  const handler = defineJob('documents.process-incoming', ports.log, async (job, log) => {
    const documentId = requireUuid(job.variables, 'documentId');
    const result = await processIncomingDocument(ports, { documentId, locale: optionalString(job.variables, 'locale') });
    log.info({ documentId, verdict: result.signatureVerdict, unpacked: result.unpackedComponentIds.length, convertible: result.convertibleComponentIds.length }, 'incoming document processed');
    return { ...result };
  });
  // many parts, each with a verification report, may take longer than the default lock
  return { ...handler, timeout: 5 * 60_000 };
}
