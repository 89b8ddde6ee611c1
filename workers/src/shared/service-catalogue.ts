import fs from 'node:fs';
import path from 'node:path';

/** Statutory deadline when a service's catalogue entry names none (správní řád § 71: 30 days). */
export const DEFAULT_ANSWER_DAYS = 30;

const cache = new Map<string, number>();

/** `deadline.days` of `processes/<serviceCode>/catalogue.json`, or 30 days. */
export function answerDaysFor(processesDir: string, serviceCode: string): number {
  const key = `${processesDir}\u0000${serviceCode}`;
  let days = cache.get(key);
  if (days === undefined) {
    days = DEFAULT_ANSWER_DAYS;
    const file = path.join(processesDir, path.basename(serviceCode), 'catalogue.json');
    if (/^[a-z0-9-]+$/.test(serviceCode) && fs.existsSync(file)) {
      const value = (JSON.parse(fs.readFileSync(file, 'utf8')) as { deadline?: { days?: unknown } }).deadline?.days;
      if (Number.isInteger(value) && (value as number) > 0) days = value as number;
    }
    cache.set(key, days);
  }
  return days;
}
