import type { JobHandler } from '../shared/engine-port';
import { defineJob, optionalString, requireString, requireUuid } from '../shared/job-edge';
import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import { renderAnswer } from './render-answer.service';

/**
 * `documents.render-answer`: header `template`; in `submissionId`, `answerText`, optionally
 * `answeredBy` (username of the clerk, for the signature block); out `answerDocumentId`.
 */
export function renderAnswerJob(ports: WorkerPorts): JobHandler {
  return defineJob('documents.render-answer', ports.log, async (job, log) => {
    const template = job.customHeaders?.template;
    if (!template) throw new DomainError('INVALID_INPUT', 'header template is missing');
    const submissionId = requireUuid(job.variables, 'submissionId');
    const answerText = requireString(job.variables, 'answerText', { maxLength: 20_000 });
    const { answerDocumentId, created } = await renderAnswer(ports, { submissionId, answerText, template, clerkUsername: optionalString(job.variables, 'answeredBy') });
    log.info({ submissionId, answerDocumentId, created }, created ? 'answer rendered' : 'answer already rendered');
    return { answerDocumentId };
  });
}
