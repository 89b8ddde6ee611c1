/**
 * Deadlines under správní řád (zákon 500/2004 Sb.) § 40: the day of the triggering event is not
 * counted; a deadline ending on a Saturday, Sunday or public holiday ends on the next working day.
 * Calendar days are counted in Europe/Prague.
 */

const TZ = 'Europe/Prague';

/** Fixed public holidays and days of rest (zákon 245/2000 Sb.), as MM-DD. */
const FIXED_HOLIDAYS = new Set(['01-01', '05-01', '05-08', '07-05', '07-06', '09-28', '10-28', '11-17', '12-24', '12-25', '12-26']);

/** Easter Sunday (Gregorian, anonymous algorithm), as a UTC date. */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

const DAY_MS = 86_400_000;
const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** `day` is a UTC midnight standing for a Prague calendar date. */
export function isCzechPublicHoliday(day: Date): boolean {
  if (FIXED_HOLIDAYS.has(ymd(day).slice(5))) return true;
  const easter = easterSunday(day.getUTCFullYear()).getTime();
  return day.getTime() === easter - 2 * DAY_MS || day.getTime() === easter + DAY_MS;
}

export function isWorkingDay(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isCzechPublicHoliday(day);
}

function pragueParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Offset of Prague from UTC at `at`, in ms (3 600 000 in winter, 7 200 000 in summer). */
function pragueOffset(at: Date): number {
  const p = pragueParts(at);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a Prague wall-clock time. */
function pragueInstant(year: number, month: number, day: number, h: number, m: number, s: number, ms: number): Date {
  const wall = Date.UTC(year, month - 1, day, h, m, s, ms);
  let instant = wall - pragueOffset(new Date(wall));
  instant = wall - pragueOffset(new Date(instant));
  return new Date(instant);
}

/** The last calendar day of the deadline (a UTC midnight standing for the Prague date). */
export function deadlineDay(start: Date, days: number): Date {
  const p = pragueParts(start);
  let day = new Date(Date.UTC(p.year, p.month - 1, p.day) + days * DAY_MS);
  while (!isWorkingDay(day)) day = new Date(day.getTime() + DAY_MS);
  return day;
}

/** End (23:59:59.999 Prague time) of the last day of a `days`-day deadline triggered at `start`, as ISO 8601 (UTC). */
export function computeDeadline(start: Date, days: number): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a non-negative integer');
  const day = deadlineDay(start, days);
  return pragueInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 23, 59, 59, 999).toISOString();
}

/** ISO 8601 duration for a span in ms, e.g. `P24DT22H59M59S`; never less than `PT1S`. */
export function isoDuration(ms: number): string {
  let s = Math.max(1, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

/** How long from `now` until the reminder `daysBefore` days before the deadline (at least one second). */
export function reminderAfter(now: Date, deadlineIso: string, daysBefore = 5): string {
  return isoDuration(new Date(deadlineIso).getTime() - daysBefore * DAY_MS - now.getTime());
}
