import type { JobHandler } from '../shared/engine-port';
import { defineJob, requireUuid } from '../shared/job-edge';
import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import type { SealingPorts } from './seal-key-provider';
import { sealDocument } from './seal-document.service';

const VARIABLE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * `signing.seal`: header `document` names the variable holding the document id (default
 * `renderedDocumentId`); out `sealedComponentId`, `sealLevel` (`B-B`, `B-T` or `B-LT`). Idempotent: a
 * sealed document returns its seal. An unreachable TSA is retried; an expired seal certificate or
 * an unreadable key becomes an incident.
 */
export function sealDocumentJob(ports: WorkerPorts & { sealing: SealingPorts }): JobHandler {
  return defineJob('signing.seal', ports.log, async (job, log) => {
    const variable = job.customHeaders?.document ?? 'renderedDocumentId';
    if (!VARIABLE.test(variable)) throw new DomainError('INVALID_INPUT', 'header document is not a variable name');
    const documentId = requireUuid(job.variables, variable);
    const result = await sealDocument(ports, { documentId });
    log.info({ documentId, sealedComponentId: result.sealedComponentId, level: result.level, created: result.created }, result.created ? 'document sealed' : 'document already sealed');
    return { sealedComponentId: result.sealedComponentId, sealLevel: result.level };
  });
}
