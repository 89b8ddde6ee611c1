import type { JobHandler } from '../shared/engine-port';
import { defineJob, optionalString, requireUuid } from '../shared/job-edge';
import { DomainError } from '../shared/domain-error';
import type { WorkerPorts } from '../shared/ports';
import { verifySignatures } from './verify-signatures.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `signing.verify`: in `componentId`, optionally `contentComponentId` (what a detached `.p7s`
 * signs) and `locale` of the report; out `signatureVerdict` (`valid`/`invalid`/`indeterminate`/
 * `unsigned`), `signatureFormat`, `verificationReportComponentId`. The verdict is data for the
 * process (a gateway may route on it), never a job failure.
 */
export function verifySignaturesJob(ports: WorkerPorts): JobHandler {
  return defineJob('signing.verify', ports.log, async (job, log) => {
    const componentId = requireUuid(job.variables, 'componentId');
    const contentComponentId = optionalString(job.variables, 'contentComponentId');
    if (contentComponentId && !UUID.test(contentComponentId)) throw new DomainError('INVALID_INPUT', 'variable contentComponentId must be a UUID');
    const result = await verifySignatures(ports, { componentId, contentComponentId, locale: optionalString(job.variables, 'locale') });
    log.info({ componentId, verdict: result.verdict, signatureFormat: result.signatureFormat, created: result.created }, 'signatures verified');
    return { signatureVerdict: result.verdict, signatureFormat: result.signatureFormat, verificationReportComponentId: result.reportComponentId };
  });
}
