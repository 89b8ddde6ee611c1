import type { Knex } from 'knex';
import type pino from 'pino';
import type { EnginePort } from '../engine-port';
import type { Catalogue } from '../catalogue';
import { startSubmissionInstance } from './submit-submission.service';
import { runPeriodically } from '@openspis/workers';

/**
 * A submission is stored first and its procedure started right after. When the process dies between
 * the two steps the row is left with no instance, and nobody would ever handle it. The sweep starts
 * the procedure of every such submission untouched for `graceMs`, which is far longer than any request
 * that may still be starting it (a request that cannot start its instance removes its row itself).
 */
export interface RecoveryDeps {
  db: Knex;
  engine: EnginePort;
  catalogue: Catalogue;
  clock: () => Date;
  log: pino.Logger;
}

export const ORPHAN_GRACE_MS = 5 * 60_000;

export interface RecoveryResult {
  started: string[];
  failed: string[];
}

export async function startOrphanSubmissions(deps: RecoveryDeps, graceMs = ORPHAN_GRACE_MS): Promise<RecoveryResult> {
  const before = new Date(deps.clock().getTime() - graceMs);
  const rows: { id: string; service_code: string; locale: string; form_data: unknown }[] = await deps.db('submissions')
    .whereNull('process_instance_key')
    .where('updated_at', '<', before)
    .orderBy('created_at')
    .limit(100)
    .select('id', 'service_code', 'locale', 'form_data');
  const result: RecoveryResult = { started: [], failed: [] };
  for (const row of rows) {
    const service = deps.catalogue.service(row.service_code);
    // claim the row for one grace period, so that a second node sweeping at the same moment skips it;
    // if this process dies now, the row becomes sweepable again after the grace period
    const claimed = await deps.db('submissions').where({ id: row.id }).whereNull('process_instance_key').where('updated_at', '<', before).update({ updated_at: deps.clock() });
    if (!claimed || !service) {
      if (!service) {
        deps.log.error({ submissionId: row.id, serviceCode: row.service_code }, 'submission without instance: its service is no longer in the catalogue');
        result.failed.push(row.id);
      }
      continue;
    }
    try {
      const formData = (typeof row.form_data === 'string' ? JSON.parse(row.form_data) : row.form_data) as Record<string, unknown>;
      const key = await startSubmissionInstance(deps, { submissionId: row.id, bpmnProcessId: service.bpmnProcessId, serviceCode: service.code, locale: row.locale, formData });
      deps.log.warn({ submissionId: row.id, processInstanceKey: key }, 'started the procedure of a submission left without an instance');
      result.started.push(row.id);
    } catch (err) {
      // the next sweep after the grace period tries again
      deps.log.error({ err, submissionId: row.id }, 'could not start the procedure of a submission left without an instance');
      result.failed.push(row.id);
    }
  }
  return result;
}

/** Sweeps once now and then every `intervalMs`; returns a stop function. */
export function scheduleOrphanSweep(deps: RecoveryDeps, intervalMs = 60_000): () => Promise<void> {
  return runPeriodically(() => startOrphanSubmissions(deps), (err) => deps.log.error({ err }, 'submission sweep failed'), intervalMs);
}
