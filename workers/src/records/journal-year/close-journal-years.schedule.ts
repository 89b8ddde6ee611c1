import type pino from 'pino';
import { pragueYear } from '../../registry/reference-number.service';
import { runPeriodically, untilFirstFailure } from '../../shared/periodic';
import { closeJournalYear, JOURNAL_YEAR_ACTOR, type CloseJournalYearPorts } from './close-journal-year.service';
import { unclosedYears, unsealedClosureYears } from './journal-year.repository';

/**
 * After 1 January, closes last year's journal when it has running numbers and no closing record yet.
 * Safe on several nodes at once: a year is closed once. Older years left open (data taken over from
 * an earlier system, a database restored from before a closure) are not closed behind anybody's
 * back at start-up: they are named in a warning on every run, for an administrator to close with
 * `npm run cli -- journal close-year <YYYY>`. A closed year whose rendering has no seal yet (a crash
 * between closing and sealing, or the demo's past years) gets it.
 */
export async function closePendingJournalYears(ports: CloseJournalYearPorts, log: pino.Logger): Promise<number[]> {
  const thisYear = pragueYear(ports.clock());
  const unclosed = await unclosedYears(ports.db, ports.config.officeCode, thisYear);
  const older = unclosed.filter((y) => y < thisYear - 1);
  if (older.length) log.warn({ years: older }, 'registry journal years left open: close them with npm run cli -- journal close-year <YYYY>');
  const unsealed = await unsealedClosureYears(ports.db, ports.config.officeCode);
  const years = [...new Set([...unsealed, ...unclosed.filter((y) => y === thisYear - 1)])].sort((a, b) => a - b);
  return untilFirstFailure(years, async (year) => {
    const r = await closeJournalYear(ports, JOURNAL_YEAR_ACTOR, { year });
    log.info({ year, entries: r.entries, lastSeq: r.lastSeq, documentId: r.documentId, created: r.created, sealed: r.sealed }, 'registry journal year closed');
  }, { log, context: (year) => ({ year }), message: 'could not close the registry journal year' });
}

/** Runs the closure at start-up and then every `intervalMs` (hourly, as the transaction-log seals); returns a stop function. */
export function scheduleJournalYearClosures(ports: CloseJournalYearPorts, log: pino.Logger, intervalMs = 3_600_000): () => Promise<void> {
  return runPeriodically(() => closePendingJournalYears(ports, log), (err) => log.error({ err }, 'registry journal closure failed'), intervalMs);
}
