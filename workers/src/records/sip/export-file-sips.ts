import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import type { Actor, CaseFileRow } from '../records.model';
import { requireRole } from '../disposal/access';
import { findFileByReference } from '../disposal/lifecycle.repository';
import { EXPORTABLE, exportFileSip, writeFileSip } from './export-file-sip';
import type { SipOutputFormat } from './sip-package';
import type { SipKind } from './sip.model';

export interface ExportedSip {
  fileReference: string;
  packageName: string;
  path: string;
  kind: SipKind;
}

/**
 * `sip export <fileReference> <outDir>`: the SIP of a file, or of every volume (díl) of a typed file
 * that may be exported (closed, in the records centre, in the disposal procedure or transferred).
 * NSESSS makes the volume the base entity of a typed file's package (`nsesss:Dil`, nsesss.xsd), so a
 * typed file gives one package per volume; its open volumes are left for later. All of them are
 * written and logged in one transaction, or none is logged.
 */
export async function exportFileSips(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { fileReference: string; outDir: string; format?: SipOutputFormat },
): Promise<{ packages: ExportedSip[] }> {
  requireRole(actor, ['spisovna', 'posuzovatel']);
  const found = await findFileByReference(ports.db, input.fileReference);
  if (!found) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileReference} does not exist`);
  // a file in a volume travels in its volume's package, never in one of its own
  if (found.volume_id) throw new DomainError('FILE_IN_VOLUME', `file ${found.file_reference} goes with its volume`, 'business');
  if (found.kind !== 'typed') {
    const one = await exportFileSip(ports, actor, input);
    return { packages: [{ fileReference: found.file_reference, packageName: one.packageName, path: one.path, kind: one.kind }] };
  }
  return ports.db.transaction(async (trx) => {
    const volumes: CaseFileRow[] = await trx('files').whereIn('part_id', trx('file_parts').where({ typed_file_id: found.id }).select('id'))
      .whereIn('state', EXPORTABLE).orderBy('file_reference').forUpdate();
    if (volumes.length === 0) {
      throw new DomainError('TYPED_FILE_NO_CLOSED_VOLUME', `typed file ${found.file_reference} has no closed volume to export`, 'business');
    }
    const packages: ExportedSip[] = [];
    for (const v of volumes) {
      const kind: SipKind = v.state === 'transferred' ? 'transfer' : 'disposal';
      const written = await writeFileSip(trx, ports, actor, v, { kind, outDir: input.outDir, format: input.format ?? 'zip' });
      packages.push({ fileReference: v.file_reference, ...written, kind });
    }
    return { packages };
  });
}
