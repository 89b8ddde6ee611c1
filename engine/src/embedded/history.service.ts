import type { ProcessInstanceEvent } from '../port';
import type { EngineContext } from './engine-context';

interface EventRow {
  id: string | number; instance_key: string | number; element_id: string | null; element_type: string | null;
  event: ProcessInstanceEvent['event']; details: Record<string, unknown> | string | null; occurred_at: Date | string;
}

/** The per-instance event log (elements entered and left, variables, incidents) for the diagram view. */
export class HistoryService {
  constructor(private readonly ctx: EngineContext) {}

  async getProcessInstanceHistory(processInstanceKey: string): Promise<ProcessInstanceEvent[]> {
    if (!/^\d+$/.test(processInstanceKey)) return [];
    const rows = (await this.ctx.db('engine_events').where({ instance_key: processInstanceKey }).orderBy('id')) as EventRow[];
    return rows.map((r) => ({
      eventKey: String(r.id), processInstanceKey: String(r.instance_key), elementId: r.element_id, elementType: r.element_type,
      event: r.event, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
      occurredAt: new Date(r.occurred_at).toISOString(),
    }));
  }
}
