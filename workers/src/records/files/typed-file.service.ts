import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import { findClassByCode } from '../file-plan/file-plan.repository';
import type { Knex } from 'knex';
import { auditActor, type Actor, type CaseFileRow, type DisposalCode } from '../records.model';
import { pragueDay, type RecordsPorts } from '../records.ports';
import { mostSevereRetention } from '../retention.service';
import { normalizeSearchText } from '../search-text';
import { assertFileAccess, assertRole, canAccessFile } from './file-access';

export interface PartInput {
  code: string;
  title: string;
  disposalCode?: DisposalCode;
  retentionYears?: number;
  triggerEvent?: string;
}

/**
 * Opens a typed file (typový spis) in a class meant for typed files, with its parts (součásti).
 * Each part may carry its own retention; documents go into volumes (díly) of the parts.
 */
export async function createTypedFile(ports: RecordsPorts, actor: Actor, input: { classCode: string; subject: string; reference: string; parts: PartInput[]; orgUnit?: string | null }): Promise<{ fileId: string; partIds: Record<string, string> }> {
  assertRole(actor, ['referent', 'vedouci', 'spisovna', 'admin']);
  if (!input.parts.length) throw new DomainError('TYPED_FILE_NEEDS_PARTS', 'a typed file needs at least one part');
  const codes = input.parts.map((p) => p.code);
  if (new Set(codes).size !== codes.length) throw new DomainError('TYPED_FILE_PART_DUPLICATE', `part codes repeat: ${codes.join(', ')}`);
  // a referent or head opens typed files for their own unit only
  if (!canAccessFile(actor, { org_unit: input.orgUnit ?? actor.orgUnit })) throw new DomainError('FILE_ACCESS_DENIED', `${actor.username} may not open a file for unit ${input.orgUnit}`);
  const { db, clock } = ports;
  const now = clock();
  return db.transaction(async (trx) => {
    if (await trx('files').where({ file_reference: input.reference }).first('id')) {
      throw new DomainError('FILE_REFERENCE_TAKEN', `a file ${input.reference} exists already`, 'business');
    }
    const cls = await findClassByCode(trx, input.classCode, pragueDay(now));
    if (!cls) throw new DomainError('FILE_CLASS_NOT_FOUND', `no class ${input.classCode} in the current file plan`);
    if (!cls.for_typed_files) throw new DomainError('FILE_CLASS_NOT_TYPED', `class ${input.classCode} is not meant for typed files`);
    const fileId = randomUUID();
    const a = auditActor(actor);
    await trx('files').insert({
      id: fileId, file_reference: input.reference, subject: input.subject, subject_norm: normalizeSearchText(input.subject), state: 'open', kind: 'typed',
      class_id: cls.id, class_code: cls.class_code, numbering_method: cls.numbering_method, org_unit: input.orgUnit ?? actor.orgUnit,
      disposal_code: cls.disposal_code, retention_years: cls.retention_years, trigger_event: cls.trigger_event, created_by: a, created_at: now,
    });
    await appendAuditLog(trx, { actor: a, eventType: 'Zalozeni', objectType: 'TypovySpis', objectId: fileId, details: { fileReference: input.reference, classCode: cls.class_code }, occurredAt: now });
    const partIds: Record<string, string> = {};
    for (const p of input.parts) {
      const id = randomUUID();
      partIds[p.code] = id;
      await trx('file_parts').insert({ id, typed_file_id: fileId, code: p.code, title: p.title, disposal_code: p.disposalCode ?? null, retention_years: p.retentionYears ?? null, trigger_event: p.triggerEvent ?? null, created_at: now });
      await appendAuditLog(trx, { actor: a, eventType: 'Zalozeni', objectType: 'Soucast', objectId: id, details: { typedFileId: fileId, code: p.code }, occurredAt: now });
    }
    return { fileId, partIds };
  });
}

/** Opens a volume (díl) in a part of a typed file; it takes the most severe of the class's and the part's retention. */
export async function openVolume(
  ports: RecordsPorts,
  actor: Actor,
  input: { partId: string; subject: string; expectedVolumes?: number },
): Promise<{ fileId: string; fileReference: string; created: boolean }> {
  assertRole(actor, ['referent', 'vedouci', 'spisovna', 'admin']);
  const { db, clock } = ports;
  const now = clock();
  return db.transaction(async (trx) => {
    const part = await trx('file_parts').where({ id: input.partId }).first();
    if (!part) throw new DomainError('FILE_PART_NOT_FOUND', `part ${input.partId} does not exist`);
    const typed = await trx('files').where({ id: part.typed_file_id }).forUpdate().first();
    await assertFileAccess(trx, actor, typed);
    if (typed.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `typed file ${typed.file_reference} is ${typed.state}`, 'business');
    if (part.closed_at) throw new DomainError('PART_CLOSED', `part ${part.code} of ${typed.file_reference} is closed`, 'business');
    const [{ n }] = await trx('files').where({ part_id: part.id }).count({ n: '*' });
    // a form sent twice names the count it saw: the volume it asked for exists already
    if (input.expectedVolumes !== undefined && Number(n) > input.expectedVolumes) {
      const latest = await trx('files').where({ part_id: part.id }).orderBy('created_at', 'desc').orderBy('file_reference', 'desc').first('id', 'file_reference');
      return { fileId: latest.id, fileReference: latest.file_reference, created: false };
    }
    const { fileId, fileReference } = await insertVolume(trx, actor, typed, part, input.subject, Number(n) + 1, now);
    return { fileId, fileReference, created: true };
  });
}

/**
 * Writes the volume number `n` of a part (its reference `<typed file>/<part>/<n>`) with the most
 * severe of the class's and the part's retention, and logs its opening; the caller holds the typed
 * file's lock and has checked that the typed file and the part are open.
 */
export async function insertVolume(
  trx: Knex.Transaction,
  actor: Actor,
  typed: CaseFileRow,
  part: { id: string; code: string; disposal_code: DisposalCode | null; retention_years: number | null; trigger_event: string | null },
  subject: string,
  n: number,
  now: Date,
): Promise<{ fileId: string; fileReference: string }> {
  const fileReference = `${typed.file_reference}/${part.code}/${n}`;
  const retention = mostSevereRetention([
    typed.disposal_code ? { disposalCode: typed.disposal_code, retentionYears: typed.retention_years ?? 0, triggerEvent: typed.trigger_event ?? 'uzavření spisu' } : null,
    part.disposal_code ? { disposalCode: part.disposal_code, retentionYears: part.retention_years ?? 0, triggerEvent: part.trigger_event ?? typed.trigger_event ?? 'uzavření spisu' } : null,
  ]);
  const fileId = randomUUID();
  const a = auditActor(actor);
  await trx('files').insert({
    id: fileId, file_reference: fileReference, subject, subject_norm: normalizeSearchText(subject), state: 'open', kind: 'volume',
    part_id: part.id, class_id: typed.class_id, class_code: typed.class_code, numbering_method: 'priorace', org_unit: typed.org_unit, owner: typed.owner,
    disposal_code: retention?.disposalCode ?? null, retention_years: retention?.retentionYears ?? null, trigger_event: retention?.triggerEvent ?? null,
    created_by: a, created_at: now,
  });
  await appendAuditLog(trx, { actor: a, eventType: 'Zalozeni', objectType: 'Dil', objectId: fileId, details: { fileReference, partId: part.id }, occurredAt: now });
  return { fileId, fileReference };
}
