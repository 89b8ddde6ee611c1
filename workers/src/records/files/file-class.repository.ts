import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import type { CaseFileRow, FileClassRow } from '../records.model';

/** Only SQL: a file's class (spisový znak) and the retention its documents and journal rows inherit. */

export interface FileClassChange {
  actor: string;
  now: Date;
  /** further columns of the file that change with the class (a closed file's trigger date and disposal year) */
  file?: Partial<Pick<CaseFileRow, 'trigger_date' | 'disposal_year'>>;
  /** what the log entry says besides the file, the field and the old and new class code */
  details?: Record<string, unknown>;
}

/**
 * Gives the file the class and its retention, its documents the same retention and its journal rows
 * the class code and retention (documents inherit from their file), and logs it as `Uprava` of the
 * `Spis` with the old and the new class code — all in the caller's transaction. The file must be
 * locked by the caller. Returns the file as it is now.
 */
export async function setFileClass(trx: Knex.Transaction, file: CaseFileRow, fileClass: FileClassRow, change: FileClassChange): Promise<CaseFileRow> {
  const retention = { disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years, trigger_event: fileClass.trigger_event };
  await trx('files').where({ id: file.id }).update({ class_id: fileClass.id, class_code: fileClass.class_code, ...retention, ...change.file });
  await trx('documents').where({ file_id: file.id }).update(retention);
  await trx('journal').where({ file_id: file.id }).update({ class_code: fileClass.class_code, disposal_code: fileClass.disposal_code, retention_years: fileClass.retention_years });
  await appendAuditLog(trx, {
    actor: change.actor, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: change.now,
    details: { fileReference: file.file_reference, field: 'classCode', from: file.class_code, to: fileClass.class_code, ...change.details },
  });
  return (await trx('files').where({ id: file.id }).first()) as CaseFileRow;
}

/**
 * Locks the file's documents, then the file: documents before their file, as settlement, storno,
 * dispatch, moves and handler changes lock them, so a change of the whole file cannot deadlock with them.
 */
export async function lockFileWithDocuments(trx: Knex.Transaction, fileId: string): Promise<CaseFileRow | undefined> {
  await trx('documents').where({ file_id: fileId }).orderBy([{ column: 'order_in_file' }, { column: 'id' }]).forUpdate().select('id');
  return trx('files').where({ id: fileId }).forUpdate().first();
}

/** Whether the class groups others (a file goes only into a class with no sub-classes). */
export async function hasSubclasses(db: Knex | Knex.Transaction, classId: string): Promise<boolean> {
  return Boolean(await db('file_classes').where({ parent_id: classId }).first('id'));
}
