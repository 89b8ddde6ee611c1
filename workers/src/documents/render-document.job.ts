import type { JobHandler } from '../shared/engine-port';
import { defineJob, optionalString, requireUuid } from '../shared/job-edge';
import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import { renderDocument } from './render-document.service';

const MAX_DATA_BYTES = 100_000;
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * `documents.render`: headers `template` (a `templates/<name>.hbs`), optionally `resultVariable`
 * (default `renderedDocumentId`); in `documentId` (the registered document it relates to),
 * `documentData` (object, the template's data), optionally `renderedBy` (clerk username); out
 * `<resultVariable>`. Idempotent per job element instance.
 */
export function renderDocumentJob(ports: WorkerPorts): JobHandler {
  return defineJob('documents.render', ports.log, async (job, log) => {
    const template = job.customHeaders?.template;
    if (!template) throw new DomainError('INVALID_INPUT', 'header template is missing');
    const resultVariable = job.customHeaders?.resultVariable ?? 'renderedDocumentId';
    if (!VARIABLE.test(resultVariable)) throw new DomainError('INVALID_INPUT', 'header resultVariable is not a variable name');
    const documentId = requireUuid(job.variables, 'documentId');
    const data = job.variables.documentData ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new DomainError('INVALID_INPUT', 'variable documentData must be an object');
    if (JSON.stringify(data).length > MAX_DATA_BYTES) throw new DomainError('INVALID_INPUT', `variable documentData is larger than ${MAX_DATA_BYTES} bytes`);
    const { renderedDocumentId, created } = await renderDocument(ports, {
      documentId,
      template,
      data: data as Record<string, unknown>,
      renderKey: `${job.processInstanceKey}:${job.elementInstanceKey}`,
      clerkUsername: optionalString(job.variables, 'renderedBy'),
    });
    log.info({ documentId, renderedDocumentId, template, created }, created ? 'document rendered' : 'document already rendered');
    return { [resultVariable]: renderedDocumentId };
  });
}
