import type { DisposalCode, Retention } from './records.model';
import { pragueYear } from '../registry/reference-number.service';

/** A is kept for ever, V is decided at disposal, S may be destroyed: the more severe wins. */
const SEVERITY: Record<DisposalCode, number> = { A: 3, V: 2, S: 1 };

/**
 * The retention of a file from its own and its documents' retentions: the most severe disposal
 * code and the longest period (NSESSS: a file takes the strictest regime of its contents). The
 * trigger event follows the longest period; a tie keeps the first one given (the file's).
 */
export function mostSevereRetention(retentions: readonly (Retention | null | undefined)[]): Retention | null {
  let result: Retention | null = null;
  for (const r of retentions) {
    if (!r) continue;
    if (!result) {
      result = { ...r };
      continue;
    }
    const current: Retention = result;
    const disposalCode: DisposalCode = SEVERITY[r.disposalCode] > SEVERITY[current.disposalCode] ? r.disposalCode : current.disposalCode;
    const longer: boolean = r.retentionYears > current.retentionYears;
    result = {
      disposalCode,
      retentionYears: longer ? r.retentionYears : current.retentionYears,
      triggerEvent: longer ? r.triggerEvent : current.triggerEvent,
    };
  }
  return result;
}

/** `A/10`: the usual written form of a retention regime (skartační režim). */
export function formatRetention(r: Pick<Retention, 'disposalCode' | 'retentionYears'>): string {
  return `${r.disposalCode}/${r.retentionYears}`;
}

/** The usual trigger event (spouštěcí událost): the closure of the file. */
export const CLOSURE_TRIGGER = 'uzavření spisu';

/**
 * Whether the retention runs from the file's closure. Any other trigger event (the end of an
 * employment, a child's majority, the removal of a building…) happens outside the office and has to
 * be recorded when it has happened; until then the file has no disposal year.
 */
export function isClosureTrigger(triggerEvent: string | null | undefined): boolean {
  if (!triggerEvent) return true;
  return triggerEvent.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase() === 'uzavreni spisu';
}

/**
 * The first year in which the file may be proposed for disposal: the retention period runs from
 * 1 January of the year after the trigger event (vyhláška 259/2012 Sb., § 15), so a file closed in
 * 2020 with 5 years may go to the disposal procedure in 2026. The year of an instant is the year in
 * Prague: a file closed at 00:30 on 1 January Prague time (23:30 UTC the day before) was closed in
 * the new year.
 */
export function disposalYear(triggerDate: Date | string, retentionYears: number): number {
  const year = typeof triggerDate === 'string' ? Number(triggerDate.slice(0, 4)) : pragueYear(triggerDate);
  return year + 1 + retentionYears;
}

/** New documents may carry only A or S; V exists only in data taken over from older systems. */
export function assertNewDisposalCode(code: string, opts: { legacy?: boolean } = {}): DisposalCode {
  if (code === 'A' || code === 'S') return code;
  if (code === 'V' && opts.legacy) return code;
  throw new RangeError(`disposal code ${code} is not allowed${code === 'V' ? ' outside legacy data' : ''}`);
}
