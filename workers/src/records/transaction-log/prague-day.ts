/** Calendar days of the office (Europe/Prague) as UTC instants. */

export const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is a real calendar day written `YYYY-MM-DD`. */
export function isIsoDay(value: string): boolean {
  if (!ISO_DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Prague midnight at the start of `day`: an hour before UTC midnight in winter, two in summer. */
export function pragueMidnight(day: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  // the offset at UTC midnight is the one of local midnight: clocks change at 02:00/03:00 local time
  const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Prague', timeZoneName: 'shortOffset' }).format(utc).match(/GMT([+-]\d+)/)?.[1] ?? '+1';
  return new Date(utc.getTime() - Number(offset) * 3_600_000);
}

/** The next calendar day, `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The day as the half-open interval [from, to) of UTC instants. */
export function pragueDayBounds(day: string): { from: Date; to: Date } {
  return { from: pragueMidnight(day), to: pragueMidnight(nextDay(day)) };
}
