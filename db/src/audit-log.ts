import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export interface AuditEntry {
  actor: string;
  /** NSESSS event type: Zalozeni, Uprava, Zobrazeni, Export, VlozeniDoSpisu, Vyrizeni, Uzavreni, ... */
  eventType: string;
  /** NSESSS object type: Dokument, Spis, Komponenta, ... */
  objectType: string;
  objectId: string;
  details?: Record<string, unknown>;
  occurredAt?: Date;
}

export function auditHash(prevHash: string, row: { occurred_at: string; actor: string; event_type: string; object_type: string; object_id: string; details: unknown }): string {
  const canonical = JSON.stringify([prevHash, row.occurred_at, row.actor, row.event_type, row.object_type, row.object_id, row.details]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends to the transaction log inside the caller's transaction, so the change and its log row
 * commit together. The head row lock serialises writers, which keeps the hash chain linear.
 */
export async function appendAuditLog(trx: Knex.Transaction, entry: AuditEntry): Promise<void> {
  const head = await trx('audit_log_head').where({ id: 1 }).forUpdate().first();
  const row = {
    occurred_at: (entry.occurredAt ?? new Date()).toISOString(),
    actor: entry.actor,
    event_type: entry.eventType,
    object_type: entry.objectType,
    object_id: entry.objectId,
    details: entry.details ?? {},
  };
  const hash = auditHash(head.last_hash, row);
  await trx('audit_log').insert({ ...row, details: JSON.stringify(row.details), prev_hash: head.last_hash, hash });
  await trx('audit_log_head').where({ id: 1 }).update({ last_hash: hash });
}
