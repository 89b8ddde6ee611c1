import { GENESIS_HASH } from '@openspis/db';
import type { Knex } from 'knex';
import { listLogDays } from './log-day.repository';

export interface SealedDaysVerification {
  ok: boolean;
  checked: number;
  /** the earliest sealed day whose chain value the log no longer has */
  firstBroken?: { day: string; entryId: string | null; reason: 'entry-missing' | 'hash-mismatch' };
}

/**
 * The hash chain alone cannot catch someone with database access who edits an entry and computes
 * every later hash again. The sealed daily renderings can: each holds the chain value after its
 * day's last entry, under the office's seal. This checks that the log still has those values.
 */
export async function verifySealedDays(db: Knex): Promise<SealedDaysVerification> {
  const days = await listLogDays(db, '0001-01-01', '9999-12-31');
  let checked = 0;
  for (const d of days) {
    if (!d.sealed_component_id) continue;
    if (d.last_entry_id) {
      const row = await db('audit_log').where({ id: d.last_entry_id }).first('hash');
      if (!row) return { ok: false, checked, firstBroken: { day: d.day, entryId: String(d.last_entry_id), reason: 'entry-missing' } };
      if (row.hash !== d.last_hash) return { ok: false, checked, firstBroken: { day: d.day, entryId: String(d.last_entry_id), reason: 'hash-mismatch' } };
    } else if (d.last_hash !== GENESIS_HASH) {
      // a day without entries: the chain value before it must still be in the log
      const row = await db('audit_log').where({ hash: d.last_hash }).first('id');
      if (!row) return { ok: false, checked, firstBroken: { day: d.day, entryId: null, reason: 'hash-mismatch' } };
    }
    checked += 1;
  }
  return { ok: true, checked };
}
