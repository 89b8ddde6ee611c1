import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { pragueDay, type RecordsPorts } from '../records.ports';
import { normalizeSearchText } from '../search-text';
import { assertFileAccess, assertRole } from './file-access';

/**
 * The first day of vyhláška 96/2023 Sb. From it on a volume (díl) of a typed file holds files
 * (spisy), each with its documents; before it documents went into the volume itself.
 * nsesss-common.xsd, tDil: «Dokumenty je do dílu možné vkládat jen pokud byly uzavřené před
 * začátkem platnosti nové vyhlášky z roku 2023. Jinak je možné vkládat jen spisy.»
 */
export const VOLUMES_HOLD_FILES_FROM = '2023-07-01';

/** Whether a volume holds documents directly (a legacy volume, filled before 2023's decree): it then takes no files. */
export async function volumeHoldsDocuments(db: Knex | Knex.Transaction, volumeId: string): Promise<boolean> {
  return Boolean(await db('documents').where({ file_id: volumeId }).whereNot({ state: 'cancelled' }).first('id'));
}

/**
 * Refuses a document filed straight into a volume once volumes hold files (`at` is the filing
 * time); registration, moves and the back-office forms call it for the target file.
 */
export function checkDocumentTarget(file: Pick<CaseFileRow, 'kind' | 'file_reference'>, at: Date): void {
  if (file.kind === 'typed') throw new DomainError('TYPED_FILE_NEEDS_VOLUME', 'documents go into a volume (díl) of a typed file');
  if (file.kind === 'volume' && pragueDay(at) >= VOLUMES_HOLD_FILES_FROM) {
    throw new DomainError('VOLUME_HOLDS_FILES', `volume ${file.file_reference} holds files (spisy); a document goes into one of them`);
  }
}

/**
 * Opens a file (spis) in an open volume of an open typed file. It belongs to the volume's class and
 * unit, takes its handler and its retention (its documents may push it further), and its reference
 * is the volume's with the file's number in it. A volume that holds documents (before 2023) takes
 * no files: NSESSS lets a volume hold documents or files, not both. A form sent twice names the
 * count of files it saw, and opens nothing more.
 */
export async function openVolumeFile(
  ports: RecordsPorts,
  actor: Actor,
  input: { volumeId: string; subject: string; expectedFiles?: number },
): Promise<{ fileId: string; fileReference: string; created: boolean }> {
  assertRole(actor, ['referent', 'vedouci', 'spisovna', 'admin']);
  const subject = input.subject?.trim() ?? '';
  if (!subject || subject.length > 500) throw new DomainError('VOLUME_FILE_SUBJECT_REQUIRED', 'a file needs a subject of at most 500 characters');
  const { db, clock } = ports;
  const now = clock();
  return db.transaction(async (trx) => {
    const volume: CaseFileRow | undefined = await trx('files').where({ id: input.volumeId }).forUpdate().first();
    if (!volume || volume.kind !== 'volume') throw new DomainError('VOLUME_NOT_FOUND', `volume ${input.volumeId} does not exist`);
    await assertFileAccess(trx, actor, volume);
    if (volume.state !== 'open') throw new DomainError('FILE_NOT_OPEN', `volume ${volume.file_reference} is ${volume.state}`, 'business');
    if (await volumeHoldsDocuments(trx, volume.id)) {
      throw new DomainError('VOLUME_HOLDS_DOCUMENTS', `volume ${volume.file_reference} holds documents from before 2023; open the next volume for files`, 'business');
    }
    const [{ n }] = await trx('files').where({ volume_id: volume.id }).count({ n: '*' });
    if (input.expectedFiles !== undefined && Number(n) > input.expectedFiles) {
      const latest = await trx('files').where({ volume_id: volume.id }).orderBy('created_at', 'desc').orderBy('file_reference', 'desc').first('id', 'file_reference');
      return { fileId: latest.id, fileReference: latest.file_reference, created: false };
    }
    const fileReference = `${volume.file_reference}/${Number(n) + 1}`;
    if (await trx('files').where({ file_reference: fileReference }).first('id')) {
      throw new DomainError('FILE_REFERENCE_TAKEN', `a file ${fileReference} exists already`, 'business');
    }
    const fileId = randomUUID();
    const a = auditActor(actor);
    await trx('files').insert({
      id: fileId, file_reference: fileReference, subject, subject_norm: normalizeSearchText(subject), state: 'open', kind: 'file', volume_id: volume.id,
      class_id: volume.class_id, class_code: volume.class_code, numbering_method: 'priorace', org_unit: volume.org_unit, owner: volume.owner,
      disposal_code: volume.disposal_code, retention_years: volume.retention_years, trigger_event: volume.trigger_event, created_by: a, created_at: now,
    });
    await appendAuditLog(trx, { actor: a, eventType: 'Zalozeni', objectType: 'Spis', objectId: fileId, details: { fileReference, volumeId: volume.id, volumeReference: volume.file_reference }, occurredAt: now });
    return { fileId, fileReference, created: true };
  });
}
