import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { CaseFileRow } from '../records.model';

/**
 * NSESSS makes a closed volume (díl) the unit of a typed file in the records centre, in the
 * disposal procedure and in the archive: the files (spisy) in it go with it, never on their own,
 * and the typed file itself goes nowhere. These helpers keep that rule in one place.
 */

/** The NSESSS object type of a file row in the transaction log. */
export function logObjectType(file: Pick<CaseFileRow, 'kind'>): 'Spis' | 'Dil' | 'TypovySpis' {
  return file.kind === 'volume' ? 'Dil' : file.kind === 'typed' ? 'TypovySpis' : 'Spis';
}

/** Refuses what is not a unit of the records centre: a typed file, or a file in a volume. */
export function assertRecordsUnit(file: Pick<CaseFileRow, 'kind' | 'file_reference' | 'volume_id'>): void {
  if (file.kind === 'typed') throw new DomainError('TYPED_FILE_NOT_A_UNIT', `typed file ${file.file_reference} goes to the records centre volume by volume`, 'business');
  if (file.volume_id) throw new DomainError('FILE_IN_VOLUME', `file ${file.file_reference} goes with its volume`, 'business');
}

/** The files in a volume (none for anything else), cancelled ones aside. */
export async function filesOfVolume(trx: Knex.Transaction, file: Pick<CaseFileRow, 'id' | 'kind'>): Promise<CaseFileRow[]> {
  if (file.kind !== 'volume') return [];
  return trx('files').where({ volume_id: file.id }).whereNot({ state: 'cancelled' }).orderBy('file_reference').forUpdate();
}

/** Carries a volume's change of state (and the like) to the files in it. */
export async function carryToVolumeFiles(trx: Knex.Transaction, file: Pick<CaseFileRow, 'id' | 'kind'>, update: Partial<Record<keyof CaseFileRow, unknown>>): Promise<number> {
  if (file.kind !== 'volume') return 0;
  return trx('files').where({ volume_id: file.id }).whereNot({ state: 'cancelled' }).update(update);
}
