import type pino from 'pino';
import type { JobHandler } from '../shared/engine-port';
import { defineJob, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { registerDocument } from './register-document.service';

/** `registry.register-document`: in `submissionId`; out the numbers, `answerDueDate`, `reminderAfter`. */
export function registerDocumentJob(ports: WorkerPorts): JobHandler {
  return defineJob('registry.register-document', ports.log, async (job, log: pino.Logger) => {
    const submissionId = requireUuid(job.variables, 'submissionId');
    const result = await registerDocument(ports, { submissionId });
    log.info({ submissionId, documentId: result.documentId, referenceNumber: result.referenceNumber }, 'submission registered');
    return { ...result };
  });
}
