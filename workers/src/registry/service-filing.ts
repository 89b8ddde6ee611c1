import type { Knex } from 'knex';
import { findClassByCode } from '../records/file-plan/file-plan.repository';
import { checkFileClass } from '../records/files/register-record.service';
import type { FileClassRow } from '../records/records.model';
import { DomainError, isDomainError } from '../shared/domain-error';
import { serviceFilingFor, type ServiceFiling } from '../shared/service-catalogue';

/**
 * The class a service's submissions are filed in on `day`, checked: a leaf of the plan valid that
 * day, and the handling unit known. Otherwise a coded `input` error (`FILE_CLASS_NOT_FOUND`,
 * `FILE_CLASS_NOT_LEAF`, `ORG_UNIT_NOT_FOUND`).
 */
export async function resolveServiceFiling(db: Knex, serviceCode: string, filing: ServiceFiling, day: string): Promise<FileClassRow> {
  const fileClass = await findClassByCode(db, filing.classCode, day);
  checkFileClass(fileClass, filing.classCode, day);
  if (!(await db('org_units').where({ code: filing.orgUnit }).first())) {
    throw new DomainError('ORG_UNIT_NOT_FOUND', `organisational unit ${filing.orgUnit} of service ${serviceCode} does not exist`);
  }
  return fileClass;
}

/**
 * The catalogue's services whose submissions could not be filed on `day`, with the reason — for a
 * warning at start-up, before a citizen's submission becomes an incident.
 */
export async function checkServiceFilings(db: Knex, processesDir: string, serviceCodes: readonly string[], day: string): Promise<{ serviceCode: string; code: string; message: string }[]> {
  const problems: { serviceCode: string; code: string; message: string }[] = [];
  for (const serviceCode of serviceCodes) {
    try {
      await resolveServiceFiling(db, serviceCode, serviceFilingFor(processesDir, serviceCode), day);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      problems.push({ serviceCode, code: err.code, message: err.message });
    }
  }
  return problems;
}
