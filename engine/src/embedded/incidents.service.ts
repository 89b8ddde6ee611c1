import { EngineError, type Incident } from '../port';
import type { EngineContext } from './engine-context';

interface IncidentRow {
  key: string | number; instance_key: string | number; element_id: string; job_key: string | number | null;
  error_type: Incident['errorType']; error_message: string; state: Incident['state']; creation_time: Date | string;
}

/** Incidents: what a person must look at, and resolving them once the cause is fixed. */
export class IncidentsService {
  constructor(private readonly ctx: EngineContext) {}

  async searchIncidents(filter: { processInstanceKey?: string; state?: Incident['state'] } = {}): Promise<Incident[]> {
    const q = this.ctx.db('engine_incidents');
    if (filter.processInstanceKey) q.where({ instance_key: filter.processInstanceKey });
    if (filter.state) q.where({ state: filter.state });
    const rows = (await q.orderBy('key')) as IncidentRow[];
    return rows.map((r) => ({
      incidentKey: String(r.key), processInstanceKey: String(r.instance_key), elementId: r.element_id,
      jobKey: r.job_key === null ? null : String(r.job_key), errorType: r.error_type, errorMessage: r.error_message,
      state: r.state, creationTime: new Date(r.creation_time).toISOString(),
    }));
  }

  /**
   * Hands the job out again. Zeebe expects updateJobRetries first; when the retries are still 0
   * the job gets one, so that resolving alone is enough for an operator.
   */
  async resolveIncident(incidentKey: string): Promise<void> {
    const found = /^\d+$/.test(incidentKey) ? ((await this.ctx.db('engine_incidents').where({ key: incidentKey }).first()) as IncidentRow | undefined) : undefined;
    if (!found) throw new EngineError('NOT_FOUND', `incident ${incidentKey} not found`);
    await this.ctx.command(String(found.instance_key), async ({ trx, now }) => {
      const incident = (await trx('engine_incidents').where({ key: incidentKey }).first()) as IncidentRow;
      if (incident.state !== 'ACTIVE') throw new EngineError('INVALID_STATE', `incident ${incidentKey} is already resolved`);
      await trx('engine_incidents').where({ key: incidentKey }).update({ state: 'RESOLVED', resolved_at: now });
      if (incident.job_key !== null) {
        const job = await trx('engine_jobs').where({ key: incident.job_key }).first();
        if (job && ['FAILED', 'ERROR_THROWN'].includes(job.state)) {
          await trx('engine_jobs').where({ key: job.key }).update({ state: 'ACTIVATABLE', retries: Math.max(1, job.retries), backoff_until: null, deadline: null, worker: null });
        }
      }
      await trx('engine_events').insert({
        instance_key: incident.instance_key, element_id: incident.element_id, element_type: null, event: 'INCIDENT_RESOLVED', occurred_at: now,
        details: JSON.stringify({ incidentKey }),
      });
    });
  }
}
