import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { disposalYear, isClosureTrigger, mostSevereRetention } from '../retention.service';
import { auditActor, type Actor, type CaseFileRow, type Retention } from '../records.model';
import { pragueDay } from '../records.ports';
import { requireFileAccess, requireRole } from './access';
import { listComponents, listFileDocuments, lockFile, readBlob, type ComponentRow } from './lifecycle.repository';
import { convertJsonComponent } from './convert-structured-data';
import { detectOutputFormat } from './output-format';

export interface CloseFileProblems {
  unsettled: string[];
  withoutComponents: string[];
  notOutputFormat: { document: string; component: string }[];
}

/**
 * Closes (uzavření) an open file when it is complete: every incoming document settled, every
 * outgoing one dispatched (or cancelled), every digital document with a component, and every
 * component in an output data format. The retention is fixed from the file and its documents (the
 * most severe wins) and the year of the trigger event sets the first year of disposal; a trigger
 * event other than the closure that has not happened yet leaves it open (`recordTriggerEvent`).
 */
export async function closeFile(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileId: string; reason?: string | null; triggerDate?: string | null },
): Promise<{ closedAt: Date; disposalYear: number | null }> {
  requireRole(actor, ['referent', 'vedouci']);
  return ports.db.transaction(async (trx) => {
    const file = await lockFile(trx, input.fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
    requireFileAccess(actor, file);
    if (file.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `file ${file.file_reference} is ${file.state}`);
    if (file.kind !== 'file') throw new DomainError('FILE_KIND_CLOSES_ELSEWHERE', `${file.file_reference} is a ${file.kind}; it closes by closeVolume or closeTypedFile`);
    return closeLockedFile(trx, ports.clock(), actor, file, input, 'Spis');
  });
}

/**
 * The closure of a locked open file, or of a volume that holds documents (before 2023): checks it is
 * complete, fixes its retention and disposal year and logs `Uzavreni` of `objectType`.
 */
export async function closeLockedFile(
  trx: Knex.Transaction,
  now: Date,
  actor: Actor,
  file: CaseFileRow,
  input: { reason?: string | null; triggerDate?: string | null },
  objectType: 'Spis' | 'Dil',
): Promise<{ closedAt: Date; disposalYear: number | null }> {
  const documents = (await listFileDocuments(trx, file.id)).filter((d) => d.state !== 'cancelled');
  if (documents.length === 0) throw new DomainError('FILE_EMPTY', `file ${file.file_reference} has no documents`);
  const by = auditActor(actor);
  // form data sent as JSON gets its XML rendition first (XML is an output format, JSON is not)
  for (const c of await listComponents(trx, documents.filter((d) => d.form !== 'analog').map((d) => d.id))) {
    if (c.source_component_id || !c.blob_sha256) continue;
    const content = await readBlob(trx, c.blob_sha256);
    if (!content || detectOutputFormat(content) || !/^\s*[[{]/.test(content.subarray(0, 16).toString('utf8'))) continue;
    const converted = await trx('components').where({ source_component_id: c.id, derivation: 'converted' }).first('id');
    if (!converted) await convertJsonComponent(trx, c, content, by, now);
  }
  const components = await listComponents(trx, documents.map((d) => d.id));
  const problems: CloseFileProblems = { unsettled: [], withoutComponents: [], notOutputFormat: [] };
  for (const d of documents) {
    const label = d.reference_number ?? d.jid;
    if (d.direction === 'incoming' ? d.state !== 'settled' : !['settled', 'dispatched', 'delivered'].includes(d.state)) problems.unsettled.push(label);
    if (d.form === 'analog') continue;
    const own = components.filter((c) => c.document_id === d.id);
    if (own.length === 0) problems.withoutComponents.push(label);
    // every original must be in an output format itself, or be converted to one, or (a container)
    // have all its unpacked parts so; later versions of the same component replace earlier ones
    const satisfied = async (c: ComponentRow, depth = 0): Promise<boolean> => {
      const content = c.blob_sha256 ? await readBlob(trx, c.blob_sha256) : null;
      if (content && detectOutputFormat(content)) return true;
      if (depth > 5) return false;
      const derived = own.filter((x) => x.source_component_id === c.id);
      for (const x of derived.filter((x) => x.derivation === 'converted')) if (await satisfied(x, depth + 1)) return true;
      const parts = derived.filter((x) => x.derivation === 'unpacked');
      if (parts.length === 0) return false;
      for (const x of parts) if (!(await satisfied(x, depth + 1))) return false;
      return true;
    };
    const latest = new Map<string, ComponentRow>();
    for (const c of own.filter((x) => !x.source_component_id)) {
      const prev = latest.get(c.file_name);
      if (!prev || c.version > prev.version) latest.set(c.file_name, c);
    }
    for (const c of latest.values()) {
      if (!(await satisfied(c))) problems.notOutputFormat.push({ document: label, component: c.file_name });
    }
  }
  if (problems.unsettled.length || problems.withoutComponents.length || problems.notOutputFormat.length) {
    const parts = [
      problems.unsettled.length ? `not settled: ${problems.unsettled.join(', ')}` : '',
      problems.withoutComponents.length ? `no component: ${problems.withoutComponents.join(', ')}` : '',
      problems.notOutputFormat.length ? `not in an output format: ${problems.notOutputFormat.map((p) => `${p.document} ${p.component}`).join(', ')}` : '',
    ].filter(Boolean);
    throw Object.assign(new DomainError('FILE_INCOMPLETE', `file ${file.file_reference} cannot be closed (${parts.join('; ')})`, 'business'), { problems });
  }

  const retention = await fileRetention(trx, file, documents);
  if (!retention) throw new DomainError('FILE_NO_RETENTION', `file ${file.file_reference} has no class with a retention`, 'business');

  // the retention runs from the closure, from a trigger date given now, or (another trigger event
  // that has not happened yet) from a date recorded later: until then there is no disposal year
  const trigger = input.triggerDate ? new Date(`${input.triggerDate.slice(0, 10)}T12:00:00Z`) : isClosureTrigger(retention.triggerEvent) ? now : null;
  if (trigger && Number.isNaN(trigger.getTime())) throw new DomainError('TRIGGER_DATE_INVALID', `trigger date ${input.triggerDate} is not a date`);
  const year = trigger ? disposalYear(trigger, retention.retentionYears) : null;
  await trx('files').where({ id: file.id }).update({
    state: 'closed', closed_at: now, closed_by: by, closure_reason: input.reason?.trim() || null,
    settled_at: file.settled_at ?? now,
    disposal_code: retention.disposalCode, retention_years: retention.retentionYears, trigger_event: retention.triggerEvent,
    // the office's calendar day, as the disposal year counts it (the UTC date is yesterday's there from 23:00 UTC)
    trigger_date: trigger ? pragueDay(trigger) : null, disposal_year: year,
  });
  await appendAuditLog(trx, {
    actor: by, eventType: 'Uzavreni', objectType, objectId: file.id, occurredAt: now,
    details: { fileReference: file.file_reference, retention: `${retention.disposalCode}/${retention.retentionYears}`, disposalYear: year, ...(trigger ? {} : { triggerEvent: retention.triggerEvent }) },
  });
  return { closedAt: now, disposalYear: year };
}

async function fileRetention(
  trx: Knex.Transaction,
  file: CaseFileRow,
  documents: { disposal_code: string | null; retention_years: number | null; trigger_event: string | null }[],
): Promise<Retention | null> {
  const own = file.disposal_code && file.retention_years !== null
    ? { disposalCode: file.disposal_code, retentionYears: file.retention_years, triggerEvent: file.trigger_event ?? 'uzavření spisu' }
    : null;
  const cls = file.class_id ? await trx('file_classes').where({ id: file.class_id }).first() : null;
  const fromClass = cls?.disposal_code && cls.retention_years !== null
    ? { disposalCode: cls.disposal_code, retentionYears: cls.retention_years, triggerEvent: cls.trigger_event ?? 'uzavření spisu' }
    : null;
  const fromDocuments = documents.map((d) => (d.disposal_code && d.retention_years !== null
    ? { disposalCode: d.disposal_code as Retention['disposalCode'], retentionYears: d.retention_years, triggerEvent: d.trigger_event ?? 'uzavření spisu' }
    : null));
  return mostSevereRetention([own ?? fromClass, ...fromDocuments]);
}
