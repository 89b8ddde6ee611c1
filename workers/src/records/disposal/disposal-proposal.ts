import { randomUUID } from 'node:crypto';
import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { pragueYear } from '../../registry/reference-number.service';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { writeFileSip } from '../sip/export-file-sip';
import type { SipOutputFormat } from '../sip/sip-package';
import { requireRole } from './access';
import { carryToVolumeFiles, logObjectType } from './volume-unit';

/**
 * Files in the records centre whose retention has run out: the period runs from 1 January of the
 * year after the trigger event, so a file is due from its `disposal_year` on. Files on hold
 * (pozastavení skartační operace) wait.
 */
export async function listDueFiles(db: WorkerPorts['db'], year: number): Promise<CaseFileRow[]> {
  return db('files').where({ state: 'in-records-centre', disposal_hold: false }).whereNull('volume_id').whereNotNull('disposal_year').andWhere('disposal_year', '<=', year)
    .orderBy([{ column: 'disposal_year', order: 'asc' }, { column: 'file_reference', order: 'asc' }]);
}

/**
 * Puts every due file into a new disposal proposal (skartační návrh) and moves it to the disposal
 * procedure; the proposal and each insertion are logged. Nothing is due: PROPOSAL_EMPTY.
 */
export async function createDisposalProposal(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  actor: Actor,
): Promise<{ proposalId: string; identifier: string; fileReferences: string[] }> {
  requireRole(actor, ['spisovna']);
  return ports.db.transaction(async (trx) => {
    const now = ports.clock();
    const year = pragueYear(now);
    // a file in a volume (díl) goes with its volume, which is the unit
    const due: CaseFileRow[] = await trx('files').where({ state: 'in-records-centre', disposal_hold: false }).whereNull('volume_id').whereNotNull('disposal_year')
      .andWhere('disposal_year', '<=', year).orderBy('file_reference').forUpdate();
    if (due.length === 0) throw new DomainError('PROPOSAL_EMPTY', `no file in the records centre is due for disposal in ${year}`, 'business');
    const count = await trx('disposal_proposals').where({ year }).count<{ n: string }[]>({ n: '*' });
    const identifier = `SN-${year}-${Number(count[0].n) + 1}`;
    const id = randomUUID();
    const by = auditActor(actor);
    await trx('disposal_proposals').insert({ id, identifier, year, state: 'open', created_by: by, created_at: now });
    await appendAuditLog(trx, { actor: by, eventType: 'Zalozeni', objectType: 'SkartacniNavrh', objectId: id, occurredAt: now, details: { identifier, files: due.length } });
    for (const f of due) {
      await trx('disposal_proposal_files').insert({ proposal_id: id, file_id: f.id });
      await trx('files').where({ id: f.id }).update({ state: 'in-disposal' });
      await carryToVolumeFiles(trx, f, { state: 'in-disposal' });
      await appendAuditLog(trx, {
        actor: by, eventType: 'VlozeniDoSkartacnihoNavrhu', objectType: logObjectType(f), objectId: f.id, occurredAt: now,
        details: { fileReference: f.file_reference, proposal: identifier, disposalCode: f.disposal_code },
      });
    }
    return { proposalId: id, identifier, fileReferences: due.map((f) => f.file_reference) };
  });
}

/** Writes the disposal-proposal SIP of every file of the proposal (metadata only; files withdrawn on hold are left out) and logs each export. */
export async function exportDisposalProposal(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { proposalId: string; outDir: string; format?: SipOutputFormat },
): Promise<{ packages: string[] }> {
  requireRole(actor, ['spisovna']);
  return ports.db.transaction(async (trx) => {
    const proposal = await trx('disposal_proposals').where({ id: input.proposalId }).forUpdate().first();
    if (!proposal) throw new DomainError('PROPOSAL_NOT_FOUND', `disposal proposal ${input.proposalId} does not exist`);
    const files: CaseFileRow[] = await trx('files').join('disposal_proposal_files', 'files.id', 'disposal_proposal_files.file_id')
      .where('disposal_proposal_files.proposal_id', proposal.id).whereNull('disposal_proposal_files.withdrawn_at').orderBy('files.file_reference').select('files.*');
    const packages: string[] = [];
    for (const f of files) {
      const { packageName, path } = await writeFileSip(trx, ports, actor, f, { kind: 'disposal', outDir: input.outDir, format: input.format ?? 'zip' });
      await trx('disposal_proposal_files').where({ proposal_id: proposal.id, file_id: f.id }).update({ package_name: packageName });
      packages.push(path);
    }
    await trx('disposal_proposals').where({ id: proposal.id }).update({ state: proposal.state === 'decided' ? 'decided' : 'exported', exported_at: ports.clock() });
    return { packages };
  });
}
