import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { requireRole } from '../disposal/access';
import { isClosureTrigger } from '../retention.service';
import { findFileByReference } from '../disposal/lifecycle.repository';
import { buildSip } from './mets-builder';
import { writeSip, type SipOutputFormat } from './sip-package';
import type { SipDisposalDecision, SipKind } from './sip.model';
import { loadSipInput } from './sip.repository';

export const SOFTWARE_VERSION = '0.1.0';

/** States in which a file may be described in a SIP: closed, in the records centre, or in the disposal procedure. */
export const EXPORTABLE = ['closed', 'in-records-centre', 'in-disposal', 'transferred'];

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').slice(0, 15);
}

/**
 * Builds the file's SIP and writes it to `outDir` inside the caller's transaction, then logs the
 * export (Export, or Prenos for a transfer) in the same transaction: when the log cannot be
 * written, the package on disk is simply written again next time.
 */
export async function writeFileSip(
  trx: Knex.Transaction,
  ports: Pick<WorkerPorts, 'clock' | 'config'>,
  actor: Actor,
  file: CaseFileRow,
  opts: { kind: SipKind; outDir: string; format: SipOutputFormat; decision?: Omit<SipDisposalDecision, 'assessor'> | null },
): Promise<{ packageName: string; path: string }> {
  // DataceVyrazeni (the years of the trigger event and of disposal) is required for a file: it is not known before the event
  if (!file.trigger_date && !isClosureTrigger(file.trigger_event)) {
    throw new DomainError('FILE_TRIGGER_PENDING', `the trigger event of file ${file.file_reference} (${file.trigger_event}) has not been recorded`, 'business');
  }
  const now = ports.clock();
  const kindCode = opts.kind === 'disposal' ? 'SR' : 'PA';
  const input = await loadSipInput(trx, file, {
    kind: opts.kind, packageId: `SIP-${ports.config.officeCode}-${file.file_reference}-${kindCode}-${stamp(now)}`, createdAt: now,
    creator: auditActor(actor), decision: opts.decision ?? null, config: ports.config, version: SOFTWARE_VERSION,
  });
  const sip = buildSip(input);
  const path = await writeSip(sip, opts.outDir, opts.format);
  await appendAuditLog(trx, {
    actor: auditActor(actor), eventType: opts.kind === 'transfer' ? 'Prenos' : 'Export', objectType: 'Spis', objectId: file.id, occurredAt: now,
    details: { fileReference: file.file_reference, package: sip.name, kind: opts.kind },
  });
  return { packageName: sip.name, path };
}

/**
 * `sip export <fileReference> <outDir>`: the SIP of one file. A file selected as archival records
 * gets the transfer package with its components; any other the disposal-proposal package.
 */
export async function exportFileSip(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { fileReference: string; outDir: string; format?: SipOutputFormat; kind?: SipKind },
): Promise<{ packageName: string; path: string; kind: SipKind }> {
  requireRole(actor, ['spisovna', 'posuzovatel']);
  return ports.db.transaction(async (trx) => {
    const found = await findFileByReference(trx, input.fileReference);
    if (!found) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileReference} does not exist`);
    const file = (await trx('files').where({ id: found.id }).forUpdate().first()) as CaseFileRow;
    if (!EXPORTABLE.includes(file.state)) throw new DomainError('FILE_NOT_CLOSED', `file ${file.file_reference} is ${file.state}; only closed files are exported`);
    const kind = input.kind ?? (file.state === 'transferred' ? 'transfer' : 'disposal');
    const result = await writeFileSip(trx, ports, actor, file, { kind, outDir: input.outDir, format: input.format ?? 'zip' });
    return { ...result, kind };
  });
}
