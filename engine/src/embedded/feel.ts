import { evaluate } from 'feelin';
import type { Variables } from '../port';

/** A value that failed to evaluate: becomes an incident, never an exception inside bpmn-engine. */
export class FeelError extends Error {
  /** the element whose expression failed, when known: the incident is raised there */
  elementId: string | null = null;
  constructor(readonly expression: string, message: string) {
    super(message);
    this.name = 'FeelError';
  }
}

/** FEEL temporal values (date, date and time, duration) leave the engine as ISO 8601 strings. */
function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return String(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

export function evaluateFeel(expression: string, vars: Variables): unknown {
  let result;
  try {
    result = evaluate(expression, vars);
  } catch (err) {
    throw new FeelError(expression, `FEEL "${expression}": ${(err as Error).message}`);
  }
  return toPlain(result.value);
}

/** Zeebe attribute convention: a leading `=` makes it an expression, anything else is a literal. */
export function resolveValue(raw: string | undefined | null, vars: Variables): unknown {
  if (raw === undefined || raw === null) return null;
  return raw.startsWith('=') ? evaluateFeel(raw.slice(1), vars) : raw;
}

export function resolveString(raw: string | undefined | null, vars: Variables): string | null {
  const value = resolveValue(raw, vars);
  if (value === null || value === undefined) return null;
  return String(value);
}

/** comma-separated literal (`referent, vedouci`) or a FEEL list (`=["a","b"]`) */
export function resolveList(raw: string | undefined | null, vars: Variables): string[] {
  const value = resolveValue(raw, vars);
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  return String(value).split(',').map((s) => s.trim()).filter(Boolean);
}

const DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** ISO 8601 duration added to a date (calendar months/years, so P1M from 31 Jan is end of Feb-ish as in JS). */
export function addIsoDuration(from: Date, duration: string): Date {
  const m = DURATION.exec(duration.trim());
  if (!m || duration.trim() === 'P' || duration.trim().endsWith('T')) throw new FeelError(duration, `not an ISO 8601 duration: "${duration}"`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
  const out = new Date(from.getTime());
  if (y || mo) out.setUTCMonth(out.getUTCMonth() + y * 12 + mo);
  out.setTime(out.getTime() + ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000);
  return out;
}

/** An ISO 8601 repetition: `R3/PT1H`, `R/PT1H` (unbounded), `R2/2026-12-01T10:00:00Z/PT1H`. */
export function parseCycle(cycle: string): { repetitions: number | null; start: Date | null; interval: string } {
  const parts = cycle.trim().split('/');
  const m = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!m || parts.length < 2 || parts.length > 3) throw new FeelError(cycle, `not an ISO 8601 repeating interval: "${cycle}"`);
  const start = parts.length === 3 ? new Date(parts[1]) : null;
  if (start && Number.isNaN(start.getTime())) throw new FeelError(cycle, `not an ISO 8601 repeating interval: "${cycle}"`);
  const interval = parts[parts.length - 1];
  addIsoDuration(new Date(0), interval); // validates
  return { repetitions: m[1] ? Number(m[1]) : null, start, interval };
}

/** When a timer started at `now` is due: timeDuration, timeDate, or the next repetition of a timeCycle. */
export function timerDueAt(now: Date, timer: { timeDuration?: string | null; timeDate?: string | null; timeCycle?: string | null }): Date {
  if (timer.timeDuration) return addIsoDuration(now, timer.timeDuration);
  if (timer.timeDate) {
    const due = new Date(timer.timeDate);
    if (Number.isNaN(due.getTime())) throw new FeelError(timer.timeDate, `not an ISO 8601 date-time: "${timer.timeDate}"`);
    return due;
  }
  if (timer.timeCycle) {
    const { start, interval } = parseCycle(timer.timeCycle);
    if (start && start > now) return start;
    return addIsoDuration(now, interval);
  }
  throw new FeelError('', 'timer without timeDuration, timeDate or timeCycle');
}
