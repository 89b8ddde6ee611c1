import type { Knex } from 'knex';

export interface CaseSummary {
  submissionId: string;
  processInstanceKey: string | null;
  referenceNumber: string | null;
  subject: string;
}

/** reference number and subject of the submissions behind these instances */
export async function casesByInstance(db: Knex, processInstanceKeys: string[]): Promise<Map<string, CaseSummary>> {
  if (!processInstanceKeys.length) return new Map();
  const rows = await db('submissions').whereIn('process_instance_key', processInstanceKeys).select('id', 'process_instance_key', 'reference_number', 'form_data');
  return new Map(rows.map((r) => [r.process_instance_key as string, toSummary(r)]));
}

/** The file a case (its submission's document) was filed in: its unit and the units it is shared with. */
export interface CaseFiling {
  fileId: string;
  orgUnit: string | null;
  sharedWith: string[];
}

/** The filing of each instance's case; instances whose submission is not filed yet are absent. */
export async function filingsByInstance(db: Knex, processInstanceKeys: string[]): Promise<Map<string, CaseFiling>> {
  if (!processInstanceKeys.length) return new Map();
  const rows: { key: string; file_id: string; org_unit: string | null }[] = await db('submissions as s')
    .join('documents as d', 'd.id', 's.document_id')
    .join('files as f', 'f.id', 'd.file_id')
    .whereIn('s.process_instance_key', processInstanceKeys)
    .select('s.process_instance_key as key', 'f.id as file_id', 'f.org_unit');
  const shares: { file_id: string; org_unit: string }[] = rows.length ? await db('file_shares').whereIn('file_id', [...new Set(rows.map((r) => r.file_id))]).select('file_id', 'org_unit') : [];
  return new Map(rows.map((r) => [r.key, { fileId: r.file_id, orgUnit: r.org_unit, sharedWith: shares.filter((x) => x.file_id === r.file_id).map((x) => x.org_unit) }]));
}

function toSummary(r: { id: string; process_instance_key: string | null; reference_number: string | null; form_data: unknown }): CaseSummary {
  const data = (typeof r.form_data === 'string' ? JSON.parse(r.form_data) : r.form_data) as Record<string, unknown>;
  return { submissionId: r.id, processInstanceKey: r.process_instance_key, referenceNumber: r.reference_number, subject: typeof data?.subject === 'string' ? data.subject : '' };
}

/** Everything the case page shows: the submission, its documents with components, the journal row, the timeline. */
export async function caseDetail(db: Knex, submissionId: string) {
  const s = await db('submissions').where({ id: submissionId }).first();
  if (!s) return null;
  const formData = (typeof s.form_data === 'string' ? JSON.parse(s.form_data) : s.form_data) as Record<string, unknown>;
  const documents = await db('documents').where({ submission_id: submissionId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const components = documents.length
    ? await db('components').whereIn('document_id', documents.map((d) => d.id)).orderBy([{ column: 'created_at' }, { column: 'file_name' }])
    : [];
  const journal = s.document_id ? await db('journal').where({ document_id: s.document_id }).first() : undefined;
  const events = await db('submission_events').where({ submission_id: submissionId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const attachments = await db('submission_attachments').where({ submission_id: submissionId }).orderBy('created_at').select('id', 'file_name', 'media_type', 'size');
  return {
    submission: s as { id: string; service_code: string; status: string; reference_number: string | null; process_instance_key: string | null; created_at: Date; applicant_name: string | null; applicant_email: string | null },
    formData,
    documents: documents.map((d) => ({ ...d, components: components.filter((c) => c.document_id === d.id) })),
    journal: journal ?? null,
    events,
    attachments,
  };
}

/** A component with its content; `content` is null once the component was destroyed (its metadata stays). */
export async function componentForDownload(db: Knex, componentId: string) {
  const c = await db('components as c').join('documents as d', 'd.id', 'c.document_id').where('c.id', componentId)
    .first('c.id', 'c.file_name', 'c.media_type', 'c.blob_sha256', 'c.document_id', 'd.submission_id', 'd.file_id', 'd.created_by', 'd.direction');
  if (!c) return null;
  const blob = c.blob_sha256 ? await db('blobs').where({ sha256: c.blob_sha256 }).first('content') : undefined;
  return {
    id: c.id as string, documentId: c.document_id as string, sha256: c.blob_sha256 as string | null,
    fileName: c.file_name as string, mediaType: c.media_type as string, submissionId: c.submission_id as string | null, content: blob ? Buffer.from(blob.content) : null,
    document: { file_id: c.file_id as string | null, created_by: c.created_by as string, direction: c.direction as string },
  };
}
