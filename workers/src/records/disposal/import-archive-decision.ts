import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import { auditActor, type Actor, type CaseFileRow } from '../records.model';
import { writeFileSip } from '../sip/export-file-sip';
import type { SipOutputFormat } from '../sip/sip-package';
import { requireRole } from './access';
import { parseArchiveDecision, type DecisionEntity } from './archive-decision.parser';
import { destroyComponentContent, listComponents, listFileDocuments } from './lifecycle.repository';
import { validateNsesssXml } from '../xml/nsesss-schemas';
import { carryToVolumeFiles, filesOfVolume, logObjectType } from './volume-unit';

export interface DecisionOutcome {
  fileReference: string;
  /**
   * `held`: the file is on disposal hold; `withdrawn`: it left the proposal on a hold since lifted and
   * waits for a new proposal. Either way the archive's operation was not carried out.
   */
  action: 'transferred' | 'destroyed' | 'presented' | 'archive-id-recorded' | 'held' | 'withdrawn';
  package?: string;
}

export interface ImportResult {
  alreadyImported: boolean;
  outcomes: DecisionOutcome[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findEntityFile(trx: Knex.Transaction, e: DecisionEntity, source: string): Promise<CaseFileRow> {
  if (e.source !== source) throw new DomainError('DECISION_UNKNOWN_ENTITY', `entity ${e.identifier} comes from ${e.source}, not from ${source}`);
  const q = trx('files').forUpdate();
  const file: CaseFileRow | undefined = UUID.test(e.identifier) ? await q.where({ id: e.identifier }).first() : await q.where({ file_reference: e.identifier }).first();
  if (!file) throw new DomainError('DECISION_UNKNOWN_ENTITY', `no file ${e.identifier}`);
  return file;
}

/**
 * Destroys a file decided for destruction (S): the bytes of every component go, the metadata the
 * law asks to keep (journal, documents, file, the log) stay. Each component, document and the file
 * get their Zniceni entry.
 */
async function destroyFile(trx: Knex.Transaction, file: CaseFileRow, by: string, now: Date, details: Record<string, unknown>): Promise<void> {
  if (file.disposal_hold) throw new DomainError('FILE_ON_HOLD', `file ${file.file_reference} is on disposal hold`, 'business');
  // a volume (díl) is destroyed with the files in it
  for (const inner of await filesOfVolume(trx, file)) await destroyFile(trx, inner, by, now, { ...details, volumeId: file.id });
  const documents = await listFileDocuments(trx, file.id);
  const components = await listComponents(trx, documents.map((d) => d.id));
  // the portal's copies of the attachments became these components; they go with them
  const submissionIds = documents.map((d) => (d as { submission_id?: string | null }).submission_id).filter((x): x is string => !!x);
  if (submissionIds.length) await trx('submission_attachments').whereIn('submission_id', submissionIds).delete();
  await destroyComponentContent(trx, components.map((c) => c.id), now);
  const log = (objectType: string, objectId: string, extra: Record<string, unknown>) =>
    appendAuditLog(trx, { actor: by, eventType: 'Zniceni', objectType, objectId, occurredAt: now, details: { ...details, ...extra } });
  for (const c of components) await log('Komponenta', c.id, { fileName: c.file_name, sha256: c.blob_sha256 });
  for (const d of documents) await log('Dokument', d.id, { jid: d.jid });
  await trx('files').where({ id: file.id }).update({ state: 'destroyed', disposed_at: now });
  await log(logObjectType(file), file.id, { fileReference: file.file_reference });
}

/**
 * Imports the archive's list (nsesss-DA.xsd) and carries it out in one transaction:
 * - "vybrat za archiválii": the transfer SIP with the components is written to `outDir`, the file
 *   is marked transferred (Prenos);
 * - "zničit" and "vyřadit z výběru": the file is destroyed (Zniceni);
 * - "předložit k výběru": the archive wants to see the file first; it stays in the procedure;
 * - a file on disposal hold (pozastavení skartační operace), or withdrawn from its proposal by one,
 *   is neither destroyed nor transferred: the decision on it is logged (Uprava, notCarriedOut) and
 *   reported as `held` / `withdrawn`;
 * - an IdentifikatorDA confirms a transfer: the archive's identifier is kept on the file.
 * A list is imported once (by archive and list id); a second import reports it and changes nothing.
 * Any entity that does not fit (unknown, not in the procedure) stops the whole import.
 */
export async function importArchiveDecision(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  actor: Actor,
  input: { xml: string | Uint8Array; outDir: string; format?: SipOutputFormat },
): Promise<ImportResult> {
  requireRole(actor, ['spisovna']);
  const decision = parseArchiveDecision(input.xml);
  const { config } = ports;
  if (decision.originatorId !== config.officeId) {
    throw new DomainError('DECISION_WRONG_ORIGINATOR', `the list is addressed to originator ${decision.originatorId}, this office is ${config.officeId}`);
  }
  const content = typeof input.xml === 'string' ? input.xml : new TextDecoder().decode(input.xml);
  // the parser reads what it needs strictly; the official schema refuses anything else the list may carry
  const validation = await validateNsesssXml(content, 'nsesss-DA.xsd');
  if (!validation.valid) throw new DomainError('DECISION_INVALID', `not valid against nsesss-DA.xsd: ${validation.errors[0] ?? 'unknown error'}`);
  return ports.db.transaction(async (trx) => {
    const seen = await trx('archive_lists').where({ archive_id: decision.archiveId, list_id: decision.listId }).first();
    if (seen) return { alreadyImported: true, outcomes: [] };
    const now = ports.clock();
    const by = auditActor(actor);
    const outcomes: DecisionOutcome[] = [];
    const base = { archive: decision.archiveId, list: decision.listId, procedure: decision.disposalProcedureId };

    for (const e of decision.entities) {
      const file = await findEntityFile(trx, e, config.officeCode);
      if (e.archiveIdentifier) {
        if (file.state !== 'transferred') throw new DomainError('DECISION_STATE', `file ${file.file_reference} is ${file.state}, not transferred`);
        await trx('files').where({ id: file.id }).update({ archive_id: e.archiveIdentifier.value, archive_list_id: decision.listId });
        await appendAuditLog(trx, {
          actor: by, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now,
          details: { ...base, fileReference: file.file_reference, archiveIdentifier: e.archiveIdentifier.value, archiveIdentifierSource: e.archiveIdentifier.source },
        });
        outcomes.push({ fileReference: file.file_reference, action: 'archive-id-recorded' });
        continue;
      }
      // a hold stops every disposal operation, and a file withdrawn from its proposal on hold waits for
      // a new one; the decision is kept (archive_lists) and logged on the file, nothing else changes
      const withdrawn = file.state === 'in-records-centre'
        && !!(await trx('disposal_proposal_files').where({ file_id: file.id }).whereNotNull('withdrawn_at').first());
      if (file.disposal_hold || withdrawn) {
        await appendAuditLog(trx, {
          actor: by, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now,
          details: { ...base, fileReference: file.file_reference, operation: e.operation, notCarriedOut: file.disposal_hold ? 'disposal-hold' : 'withdrawn-from-proposal' },
        });
        outcomes.push({ fileReference: file.file_reference, action: file.disposal_hold ? 'held' : 'withdrawn' });
        continue;
      }
      if (file.state !== 'in-disposal') throw new DomainError('DECISION_STATE', `file ${file.file_reference} is ${file.state}, not in the disposal procedure`);
      const mark = (operation: string) => trx('disposal_proposal_files').where({ file_id: file.id }).whereNull('operation').whereNull('withdrawn_at')
        .update({ operation, decision_list_id: decision.listId, decided_at: now });
      if (e.operation === 'vybrat za archiválii') {
        const { path } = await writeFileSip(trx, ports, actor, file, {
          kind: 'transfer', outDir: input.outDir, format: input.format ?? 'zip',
          decision: { decidedAt: decision.createdAt, reason: `${decision.archiveId}: ${decision.disposalProcedureId ?? decision.listId}` },
        });
        await trx('files').where({ id: file.id }).update({ state: 'transferred', disposed_at: now });
        await carryToVolumeFiles(trx, file, { state: 'transferred', disposed_at: now });
        await mark(e.operation);
        outcomes.push({ fileReference: file.file_reference, action: 'transferred', package: path });
      } else if (e.operation === 'zničit' || e.operation === 'vyřadit z výběru') {
        await destroyFile(trx, file, by, now, { ...base, operation: e.operation });
        await mark(e.operation);
        outcomes.push({ fileReference: file.file_reference, action: 'destroyed' });
      } else {
        await appendAuditLog(trx, { actor: by, eventType: 'Uprava', objectType: 'Spis', objectId: file.id, occurredAt: now, details: { ...base, operation: e.operation } });
        outcomes.push({ fileReference: file.file_reference, action: 'presented' });
      }
    }

    await trx('archive_lists').insert({
      archive_id: decision.archiveId, list_id: decision.listId, kind: decision.entities.some((x) => x.operation) ? 'decision' : 'confirmation',
      disposal_procedure_id: decision.disposalProcedureId, transfer_id: decision.transferId, list_created_at: decision.createdAt,
      entities: decision.entities.length, content, imported_by: by, imported_at: now,
    });
    // a proposal is decided once none of its files waits for a decision
    const open = await trx('disposal_proposals').whereIn('state', ['open', 'exported']).select('id');
    for (const p of open) {
      const waiting = await trx('disposal_proposal_files').where({ proposal_id: p.id }).whereNull('operation').whereNull('withdrawn_at').first();
      if (!waiting) await trx('disposal_proposals').where({ id: p.id }).update({ state: 'decided', decided_at: now });
    }
    return { alreadyImported: false, outcomes };
  });
}
