import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from './domain-error';

/** Statutory deadline when a service's catalogue entry names none (správní řád § 71: 30 days). */
export const DEFAULT_ANSWER_DAYS = 30;

/** Where a service's submissions are filed: the file-plan class of their new file and the unit that handles them. */
export interface ServiceFiling {
  classCode: string;
  orgUnit: string;
}

/** A class code of a file plan (`1.5`, `3.2.1`) and an organisational unit code, as the catalogue may write them. */
export const CLASS_CODE = /^[0-9A-Za-z]+(?:[./-][0-9A-Za-z]+)*$/;
export const ORG_UNIT_CODE = /^[A-Za-z0-9_.-]{1,40}$/;

const cache = new Map<string, Record<string, unknown> | null>();

/** `processes/<serviceCode>/catalogue.json`, parsed (cached), or null when there is none. */
function catalogueEntry(processesDir: string, serviceCode: string): Record<string, unknown> | null {
  const key = `${processesDir}\u0000${serviceCode}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = null;
    const file = path.join(processesDir, path.basename(serviceCode), 'catalogue.json');
    if (/^[a-z0-9-]+$/.test(serviceCode) && fs.existsSync(file)) entry = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    cache.set(key, entry);
  }
  return entry;
}

/** `deadline.days` of `processes/<serviceCode>/catalogue.json`, or 30 days. */
export function answerDaysFor(processesDir: string, serviceCode: string): number {
  const value = (catalogueEntry(processesDir, serviceCode)?.deadline as { days?: unknown } | null | undefined)?.days;
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : DEFAULT_ANSWER_DAYS;
}

/**
 * `filing` of the service's catalogue entry: the class code and the handling unit its submissions
 * are registered with. A service without a valid one cannot register a submission: that is a
 * configuration error a person must fix (`input`: the job becomes an incident), never a file with
 * no class.
 */
export function serviceFilingFor(processesDir: string, serviceCode: string): ServiceFiling {
  const entry = catalogueEntry(processesDir, serviceCode);
  if (!entry) throw new DomainError('SERVICE_NOT_IN_CATALOGUE', `service ${serviceCode} has no catalogue entry`);
  const filing = entry.filing as { classCode?: unknown; orgUnit?: unknown } | undefined;
  const classCode = typeof filing?.classCode === 'string' ? filing.classCode.trim() : '';
  const orgUnit = typeof filing?.orgUnit === 'string' ? filing.orgUnit.trim() : '';
  if (!CLASS_CODE.test(classCode) || !ORG_UNIT_CODE.test(orgUnit)) {
    throw new DomainError('SERVICE_FILING_MISSING', `catalogue entry of ${serviceCode} needs "filing": { "classCode", "orgUnit" } (a file-plan class code and an organisational unit code)`);
  }
  return { classCode, orgUnit };
}
