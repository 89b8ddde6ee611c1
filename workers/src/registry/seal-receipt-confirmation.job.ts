import type { JobHandler } from '../shared/engine-port';
import { defineJob, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import type { SealingPorts } from '../signing/seal-key-provider';
import { sealReceiptConfirmation } from '../records/files/seal-receipt-confirmation.service';

/**
 * `registry.seal-receipt-confirmation`: in `documentId` (the registered submission); out
 * `receiptConfirmationComponentId`, the sealed PDF/A. Idempotent: a second delivery returns the
 * confirmation sealed before. An unreachable TSA is retried; a document without a confirmation of
 * receipt or an expired seal certificate becomes an incident.
 */
export function sealReceiptConfirmationJob(ports: WorkerPorts & { sealing: SealingPorts }): JobHandler {
  return defineJob('registry.seal-receipt-confirmation', ports.log, async (job, log) => {
    const documentId = requireUuid(job.variables, 'documentId');
    const result = await sealReceiptConfirmation(ports, { documentId });
    log.info({ documentId, sealedComponentId: result.sealedComponentId, created: result.created }, result.created ? 'confirmation of receipt sealed' : 'confirmation of receipt sealed before');
    return { receiptConfirmationComponentId: result.sealedComponentId };
  });
}
