import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor } from '../records.model';
import { requireRole } from './access';
import { lockFile } from './lifecycle.repository';
import { assertRecordsUnit, filesOfVolume, logObjectType } from './volume-unit';

/**
 * The records centre (spisovna) takes over closed files: hand-over and take-over are both logged,
 * and so is the storage unit they go into. All files move or none: one that is not closed stops
 * the whole hand-over. A closed volume (díl) of a typed file is the unit: the files in it go with it
 * (each logged), a file in a volume and a typed file are refused.
 */
export async function handOverFiles(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
  input: { fileIds: string[]; storageUnit?: string | null },
): Promise<{ handedOver: number }> {
  requireRole(actor, ['spisovna']);
  const ids = [...new Set(input.fileIds)];
  if (ids.length === 0) throw new DomainError('NOTHING_SELECTED', 'no file to hand over');
  const storageUnit = input.storageUnit?.trim() || null;
  return ports.db.transaction(async (trx) => {
    const now = ports.clock();
    const by = auditActor(actor);
    for (const id of ids) {
      const file = await lockFile(trx, id);
      if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${id} does not exist`);
      if (file.state !== 'closed') throw new DomainError('FILE_NOT_CLOSED', `file ${file.file_reference} is ${file.state}`);
      assertRecordsUnit(file);
      const update = { state: 'in-records-centre', records_centre_at: now, records_centre_by: by, storage_unit: storageUnit };
      for (const f of [file, ...(await filesOfVolume(trx, file))]) {
        await trx('files').where({ id: f.id }).update(update);
        const log = (eventType: string, details: Record<string, unknown>) =>
          appendAuditLog(trx, { actor: by, eventType, objectType: logObjectType(f), objectId: f.id, occurredAt: now, details: { fileReference: f.file_reference, ...details } });
        await log('PredaniNaSpisovnu', { from: f.closed_by, ...(f.id === file.id ? {} : { volumeId: file.id }) });
        await log('PrevzetiNaSpisovnu', {});
        if (storageUnit) await log('VlozeniDoUkladaciJednotky', { storageUnit });
      }
    }
    return { handedOver: ids.length };
  });
}
