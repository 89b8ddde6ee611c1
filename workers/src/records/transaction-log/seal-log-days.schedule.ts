import type pino from 'pino';
import { pragueDay } from '../records.ports';
import { firstEntryTime, listLogDays } from './log-day.repository';
import { nextDay } from './prague-day';
import { sealTransactionLogDay, TRANSACTION_LOG_ACTOR, type SealLogDayPorts } from './seal-log-day.service';
import { runPeriodically, untilFirstFailure } from '../../shared/periodic';

/** How far back one run catches up on days left unsealed (a node that was down for a while). */
export const CATCH_UP_DAYS = 31;

/**
 * Seals every finished day from the first logged day (at most `CATCH_UP_DAYS` back) up to yesterday
 * that has no sealed rendering yet, oldest first. Safe on several nodes at once: a day is rendered once.
 */
export async function sealPendingLogDays(ports: SealLogDayPorts, log: pino.Logger): Promise<string[]> {
  const first = await firstEntryTime(ports.db);
  if (!first) return [];
  const now = ports.clock();
  const today = pragueDay(now);
  const back = new Date(`${today}T12:00:00Z`);
  back.setUTCDate(back.getUTCDate() - CATCH_UP_DAYS);
  let day = [pragueDay(first), back.toISOString().slice(0, 10)].sort()[1];
  const done = new Set((await listLogDays(ports.db, day, today)).filter((d) => d.sealed_component_id).map((d) => d.day));
  const pending: string[] = [];
  for (; day < today; day = nextDay(day)) if (!done.has(day)) pending.push(day);
  return untilFirstFailure(pending, async (d) => {
    const r = await sealTransactionLogDay(ports, TRANSACTION_LOG_ACTOR, { day: d });
    log.info({ day: d, events: r.events, documentId: r.documentId, created: r.created, sealed: r.sealed }, 'transaction log day sealed');
  }, { log, context: (d) => ({ day: d }), message: 'could not seal the transaction log day' });
}

/** Runs the catch-up at start-up and then every `intervalMs` (hourly); returns a stop function. */
export function scheduleLogDaySeals(ports: SealLogDayPorts, log: pino.Logger, intervalMs = 3_600_000): () => Promise<void> {
  return runPeriodically(() => sealPendingLogDays(ports, log), (err) => log.error({ err }, 'transaction log sealing failed'), intervalMs);
}
