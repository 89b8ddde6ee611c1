import type { JobHandler } from '../shared/engine-port';
import { defineJob, requireUuid } from '../shared/job-edge';
import type { WorkerPorts } from '../shared/ports';
import { unpackComponent } from './unpack-component.service';

/**
 * `documents.unpack`: in `componentId` (a component of a registered document); out
 * `unpackedComponentIds` (empty when the component is no container) and `containerFormat`.
 */
export function unpackComponentJob(ports: WorkerPorts): JobHandler {
  return defineJob('documents.unpack', ports.log, async (job, log) => {
    const componentId = requireUuid(job.variables, 'componentId');
    const result = await unpackComponent(ports, { componentId });
    log.info({ componentId, containerFormat: result.containerFormat, parts: result.componentIds.length, created: result.created }, 'component unpacked');
    return { unpackedComponentIds: result.componentIds, containerFormat: result.containerFormat };
  });
}
