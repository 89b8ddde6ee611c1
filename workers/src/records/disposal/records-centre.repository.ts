import type { Knex } from 'knex';

/** Only SQL: what the records-centre screens list. */

export interface CentreFileRow {
  id: string;
  file_reference: string;
  subject: string;
  state: string;
  class_code: string | null;
  disposal_code: string | null;
  retention_years: number | null;
  disposal_year: number | null;
  storage_unit: string | null;
  org_unit: string | null;
  closed_at: Date | null;
  records_centre_at: Date | null;
  disposal_hold: boolean;
  disposal_hold_reason: string | null;
}

const FILE_COLUMNS = ['id', 'file_reference', 'subject', 'state', 'class_code', 'disposal_code', 'retention_years', 'disposal_year', 'storage_unit', 'org_unit', 'closed_at', 'records_centre_at', 'disposal_hold', 'disposal_hold_reason'];

export interface CentreFilter {
  /** files in the records centre (default), in the disposal procedure, or closed files waiting for hand-over */
  state: 'in-records-centre' | 'in-disposal' | 'closed';
  /** only files whose disposal year has come by this year */
  dueBy?: number;
  held?: boolean;
  page: number;
  pageSize: number;
}

/** One page of files in a records-centre state, by disposal year then reference; one row more than the page tells there is a next one. */
export async function listCentreFiles(db: Knex, f: CentreFilter): Promise<{ rows: CentreFileRow[]; hasNext: boolean }> {
  // the units of the records centre: files and volumes (díly); a file in a volume goes with it, a typed file goes volume by volume
  const q = db('files').where({ state: f.state }).whereNull('volume_id').whereNot({ kind: 'typed' }).select(FILE_COLUMNS);
  if (f.dueBy !== undefined) q.whereNotNull('disposal_year').andWhere('disposal_year', '<=', f.dueBy);
  if (f.held !== undefined) q.andWhere('disposal_hold', f.held);
  const order = f.state === 'closed' ? [{ column: 'closed_at', order: 'asc' as const }, { column: 'file_reference' }] : [{ column: 'disposal_year', order: 'asc' as const }, { column: 'file_reference' }];
  const rows: CentreFileRow[] = await q.orderBy(order).limit(f.pageSize + 1).offset((f.page - 1) * f.pageSize);
  return { rows: rows.slice(0, f.pageSize), hasNext: rows.length > f.pageSize };
}

export interface ProposalRow {
  id: string;
  identifier: string;
  year: number;
  state: string;
  created_by: string;
  created_at: Date;
  exported_at: Date | null;
  decided_at: Date | null;
  files: number;
}

export async function listProposals(db: Knex): Promise<ProposalRow[]> {
  const rows = await db('disposal_proposals as p').leftJoin('disposal_proposal_files as pf', (j) => j.on('pf.proposal_id', 'p.id').andOnNull('pf.withdrawn_at'))
    .groupBy('p.id').orderBy('p.created_at', 'desc').select('p.*', db.raw('count(pf.file_id) as files'));
  return rows.map((r: ProposalRow) => ({ ...r, files: Number(r.files) }));
}

export async function findProposal(db: Knex, id: string): Promise<Omit<ProposalRow, 'files'> | undefined> {
  return db('disposal_proposals').where({ id }).first();
}

export interface ProposalFileRow extends CentreFileRow {
  package_name: string | null;
  operation: string | null;
  decided_at: Date | null;
  documents: number;
  /** taken out of the proposal by a disposal hold */
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
  withdrawn_reason: string | null;
}

/** The files of a proposal, those withdrawn on hold included (the proposal's history). */
export async function listProposalFiles(db: Knex, proposalId: string): Promise<ProposalFileRow[]> {
  const rows = await db('disposal_proposal_files as pf').join('files as f', 'f.id', 'pf.file_id').where('pf.proposal_id', proposalId).orderBy('f.file_reference')
    .select([...FILE_COLUMNS.map((c) => `f.${c}`), 'pf.package_name', 'pf.operation', 'pf.decided_at', 'pf.withdrawn_at', 'pf.withdrawn_by', 'pf.withdrawn_reason', db.raw('(select count(*) from documents d where d.file_id = f.id) as documents')]);
  return rows.map((r: ProposalFileRow) => ({ ...r, documents: Number(r.documents) }));
}

export interface ArchiveListRow {
  id: string;
  archive_id: string;
  list_id: string;
  kind: string;
  disposal_procedure_id: string | null;
  entities: number;
  imported_by: string;
  imported_at: Date;
}

export async function listArchiveLists(db: Knex, limit = 50): Promise<ArchiveListRow[]> {
  return db('archive_lists').orderBy('imported_at', 'desc').limit(limit).select('id', 'archive_id', 'list_id', 'kind', 'disposal_procedure_id', 'entities', 'imported_by', 'imported_at');
}
