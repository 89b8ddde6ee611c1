import type { JobHandler } from '../shared/engine-port';
import { DomainError } from '../shared/domain-error';
import { defineJob, optionalString, requireHeader, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { SETTLEMENT_METHODS, settleDocument } from './settle-document.service';

/** `registry.settle-document`: header `method` (`answered` | `withdrawn`); in `submissionId`, `answerDocumentId` (answered). */
export function settleDocumentJob(ports: WorkerPorts): JobHandler {
  return defineJob('registry.settle-document', ports.log, async (job, log) => {
    const method = requireHeader(job, 'method', SETTLEMENT_METHODS);
    const submissionId = requireUuid(job.variables, 'submissionId');
    const answerDocumentId = optionalString(job.variables, 'answerDocumentId');
    if (answerDocumentId !== null) requireUuid(job.variables, 'answerDocumentId');
    if (method === 'answered' && job.variables.answerDocumentId !== undefined && !answerDocumentId) {
      throw new DomainError('INVALID_INPUT', 'variable answerDocumentId must be a UUID');
    }
    const result = await settleDocument(ports, { submissionId, method, answerDocumentId, settledBy: optionalString(job.variables, 'answeredBy') });
    log.info({ submissionId, documentId: result.documentId, method, settled: result.settled }, result.settled ? 'document settled' : 'document already settled');
    return {};
  });
}
