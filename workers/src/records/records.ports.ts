import type { WorkerPorts } from '../shared/ports';

/** What the records use cases need: the database, the time and the office settings. */
export type RecordsPorts = Pick<WorkerPorts, 'db' | 'clock'> & { config: Pick<WorkerPorts['config'], 'officeCode' | 'officeName' | 'referenceNumberMask'> };

// built once: constructing an Intl.DateTimeFormat is far slower than formatting with it
const PRAGUE_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Prague', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Calendar day in Europe/Prague as `YYYY-MM-DD`. */
export function pragueDay(at: Date): string {
  return PRAGUE_DAY.format(at);
}
