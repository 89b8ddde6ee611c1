import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { appendAuditLogBatch, type AuditEntry } from '../src/audit-log';

const PROCESSES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../processes');

/** `code` → `filing.orgUnit` of every `processes/<service>/catalogue.json` that names one. */
export function serviceUnits(processesDir = PROCESSES_DIR): Map<string, string> {
  const units = new Map<string, string>();
  if (!fs.existsSync(processesDir)) return units;
  for (const dir of fs.readdirSync(processesDir)) {
    const file = path.join(processesDir, dir, 'catalogue.json');
    if (!fs.existsSync(file)) continue;
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { code?: unknown; filing?: { orgUnit?: unknown } };
    if (typeof entry.code === 'string' && typeof entry.filing?.orgUnit === 'string') units.set(entry.code, entry.filing.orgUnit);
  }
  return units;
}

/**
 * Portal submissions used to be registered in files with no organisational unit, which every
 * referent of every unit could see. They now get the unit that handles their service (`filing` of
 * its catalogue entry); this gives the files registered before — still without a unit — the unit
 * of their service, with their documents and journal rows, each change in the transaction log.
 * Files whose service names no unit (or left the catalogue) stay as they are: only the registry
 * office and the records roles see them, until someone assigns them.
 */
export async function up(knex: Knex, processesDir = PROCESSES_DIR): Promise<void> {
  const at = new Date();
  const log: AuditEntry[] = [];
  for (const [service, unit] of serviceUnits(processesDir)) {
    const rows: { file_id: string; document_id: string }[] = await knex('files as f')
      .join('documents as d', 'd.file_id', 'f.id')
      .join('submissions as s', 's.document_id', 'd.id')
      .whereNull('f.org_unit')
      .andWhere('s.service_code', service)
      .select('f.id as file_id', 'd.id as document_id')
      .orderBy('f.id');
    if (!rows.length) continue;
    const fileIds = [...new Set(rows.map((r) => r.file_id))];
    await knex('files').whereIn('id', fileIds).whereNull('org_unit').update({ org_unit: unit });
    await knex('documents').whereIn('file_id', fileIds).whereNull('org_unit').update({ org_unit: unit });
    await knex('journal').whereIn('file_id', fileIds).whereNull('org_unit').update({ org_unit: unit });
    for (const id of fileIds) log.push({ actor: 'system:migration', eventType: 'Uprava', objectType: 'Spis', objectId: id, details: { orgUnit: unit, reason: 'service-filing' }, occurredAt: at });
  }
  if (log.length) await appendAuditLogBatch(knex as Knex.Transaction, log);
}

/** The units stay: which files had none before cannot be told apart afterwards. */
export async function down(): Promise<void> {}
