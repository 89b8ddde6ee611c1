import path from 'node:path';
import { createDisposalProposal, listDueFiles } from '../disposal/disposal-proposal';
import { setDisposalHold } from '../disposal/disposal-hold';
import { handOverFiles } from '../disposal/hand-over-files';
import { importArchiveDecision } from '../disposal/import-archive-decision';
import { recordTriggerEvent } from '../disposal/record-trigger-event';
import { pragueYear } from '../../registry/reference-number.service';
import { shareFile as shareFileWith } from '../files/file-share.service';
import { eligibleHandlers } from '../files/handler-assignment.repository';
import { assignHandler } from '../files/handler-assignment.service';
import type { Actor } from '../records.model';
import { el, serializeXml } from '../sip/xml-writer';
import { handler, SPISOVNA } from './demo-data';
import type { DemoContext } from './demo-everyday';

const ARCHIVE = 'SOA-Plzen';

/** The archive's list (nsesss-DA.xsd): an operation, or the digital archive's identifier, per file. */
function archiveList(ctx: DemoContext, opts: { listId: string; procedure: string; at: Date; entities: { fileReference: string; operation?: string; archiveId?: string }[] }): string {
  const { config } = ctx.ports;
  return serializeXml(el('Seznam', {
    xmlns: 'http://www.mvcr.cz/nsesss/v4', ID: opts.listId, identifikatorArchivu: ARCHIVE, identifikatorPuvodce: config.officeId,
    identifikatorSkartacnihoRizeni: opts.procedure, datumVytvoreni: `${opts.at.toISOString().slice(0, 19)}Z`,
  }, ...opts.entities.map((e) => el('EntitaSeznamu',
    el('Identifikator', { zdroj: config.officeCode }, e.fileReference),
    e.archiveId ? el('IdentifikatorDA', { zdroj: ARCHIVE }, e.archiveId) : el('Operace', e.operation ?? 'zničit'))),
  ));
}

/** The records centre takes over last year's closed files (in February) into numbered boxes; licences' expiry dates are recorded then. */
export async function annualHandOver(ctx: DemoContext): Promise<void> {
  const { db } = ctx.ports;
  const now = ctx.timeline.clock();
  const year = pragueYear(now);
  const closed: { id: string; class_code: string }[] = await db('files').where({ state: 'closed' }).andWhere('closed_at', '<', new Date(Date.UTC(year, 0, 1)))
    // the units: files and closed volumes (díly); a file in a volume goes with it, a typed file volume by volume
    .whereNull('volume_id').whereNot('kind', 'typed').orderBy('file_reference').select('id', 'class_code');
  for (let i = 0; i < closed.length; i += 8) {
    await handOverFiles(ctx.ports, SPISOVNA, { fileIds: closed.slice(i, i + 8).map((f) => f.id), storageUnit: `KR-${year}-${1 + i / 8}` });
  }
  // a fishing licence runs out a year after it was issued: from then on its retention runs
  const awaiting: { id: string; closed_at: Date }[] = await db('files').where({ state: 'in-records-centre' }).whereNull('trigger_date')
    .andWhere('closed_at', '<', new Date(Date.UTC(year - 1, 0, 1))).select('id', 'closed_at');
  for (const f of awaiting) {
    const expiry = new Date(new Date(f.closed_at).getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
    await recordTriggerEvent(ctx.ports, SPISOVNA, { fileId: f.id, date: expiry });
  }
}

/** A court asks for a file: its disposal waits (pozastavení skartační operace). */
export async function holdOneDueFile(ctx: DemoContext, reason: string, state: 'in-records-centre' | 'in-disposal'): Promise<void> {
  const { db } = ctx.ports;
  const file = await db('files').where({ state, disposal_hold: false, disposal_code: 'S' }).whereNotNull('disposal_year').orderBy('file_reference').first('id');
  if (file) await setDisposalHold(ctx.ports, SPISOVNA, { fileId: file.id, hold: true, reason });
}

/** A disposal proposal of every due file (nothing due: nothing proposed). */
export async function proposeDueFiles(ctx: DemoContext): Promise<string | null> {
  const due = await listDueFiles(ctx.ports.db, pragueYear(ctx.timeline.clock()));
  if (!due.length) return null;
  return (await createDisposalProposal(ctx.ports, SPISOVNA)).proposalId;
}

/**
 * The archive decides the proposal: it selects the A files as archival records (transferred, with
 * their SIP) and lets the S files be destroyed; a later list confirms the transfer with the digital
 * archive's identifiers.
 */
export async function decideProposal(ctx: DemoContext, proposalId: string, n: number): Promise<void> {
  const { db } = ctx.ports;
  const now = ctx.timeline.clock();
  const year = pragueYear(now);
  const files: { file_reference: string; disposal_code: string }[] = await db('disposal_proposal_files as p').join('files as f', 'f.id', 'p.file_id')
    .where('p.proposal_id', proposalId).whereNull('p.withdrawn_at').where('f.state', 'in-disposal').select('f.file_reference', 'f.disposal_code');
  if (!files.length) return;
  const outDir = path.join(ctx.ports.config.dataDir, 'sip');
  await importArchiveDecision(ctx.ports, SPISOVNA, {
    outDir, xml: archiveList(ctx, {
      listId: `SR-${year}-${n}`, procedure: `SR/${n}/${year}`, at: now,
      entities: files.map((f) => ({ fileReference: f.file_reference, operation: f.disposal_code === 'A' ? 'vybrat za archiválii' : 'zničit' })),
    }),
  });
  const transferred = files.filter((f) => f.disposal_code === 'A');
  if (!transferred.length) return;
  ctx.timeline.at(new Date(now.getTime() + 60 * 86_400_000), async () => {
    await importArchiveDecision(ctx.ports, SPISOVNA, {
      outDir, xml: archiveList(ctx, {
        listId: `PA-${year}-${n}`, procedure: `SR/${n}/${year}`, at: ctx.timeline.clock(),
        entities: transferred.map((f, i) => ({ fileReference: f.file_reference, archiveId: `SOAP-KV-${year}-${String(i + 1).padStart(4, '0')}` })),
      }),
    });
  });
}

/**
 * The head of a unit takes over the newest open file of its referent that still has work in it
 * (ZmenaZpracovatele). Only when the head is a user of that unit, as the back-office's demo logins
 * are; the command-line demo has no users and leaves this out.
 */
export async function takeOverFile(ctx: DemoContext, unit: string, head: string, reason: string): Promise<void> {
  const { db } = ctx.ports;
  if (!(await eligibleHandlers(db, unit)).some((p) => p.username === head)) return;
  const file = await db('files as f')
    .where({ 'f.state': 'open', 'f.org_unit': unit, 'f.kind': 'file', 'f.owner': handler(unit).username })
    .whereExists((q) => q.select(1).from('documents as d').whereRaw('d.file_id = f.id').whereIn('d.state', ['registered', 'created']))
    .orderBy('f.created_at', 'desc').first('f.id');
  if (file) await assignHandler(ctx.ports, { username: head, roles: ['vedouci'], orgUnit: unit }, { fileId: file.id, handler: head, reason });
}

/** A unit shares a file with another that takes part in the matter (nahlížení jiného útvaru). */
export async function shareFile(ctx: DemoContext, actor: Actor, fileId: string, orgUnit: string): Promise<void> {
  await shareFileWith(ctx.ports, actor, { fileId, orgUnit });
}
