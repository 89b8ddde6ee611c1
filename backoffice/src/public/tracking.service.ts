import type { Knex } from 'knex';
import type pino from 'pino';
import { AppError } from '../app-error';
import type { Catalogue } from '../catalogue';
import type { EnginePort } from '../engine-port';
import type { Language } from '../i18n';
import { findReceiptConfirmation, getSubmission, listAnswerComponents, listEvents, listReceivedComponents, readBlob, type SubmissionRow } from './submission.repository';

export interface TrackingDeps {
  db: Knex;
  engine: EnginePort;
  catalogue: Catalogue;
  log: pino.Logger;
  /** submission id of a genuine, unexpired token, else null */
  verifyToken: (token: string) => Promise<string | null>;
  /** the office that confirms receipt (`OFFICE_NAME`) */
  officeName: string;
}

/** Statuses after which nothing can change any more. */
export const SETTLED_STATUSES = new Set(['answered', 'withdrawn']);

export async function submissionForToken(deps: TrackingDeps, token: string): Promise<SubmissionRow> {
  const id = await deps.verifyToken(token);
  const row = id ? await getSubmission(deps.db, id) : undefined;
  if (!row) throw new AppError('TRACKING_NOT_FOUND');
  return row;
}

export async function answerDueDate(engine: EnginePort, log: pino.Logger, processInstanceKey: string | null): Promise<string | null> {
  if (!processInstanceKey) return null;
  try {
    const instance = await engine.getProcessInstance(processInstanceKey);
    const due = instance?.variables?.answerDueDate;
    return typeof due === 'string' ? due : null;
  } catch (err) {
    // the deadline is a nicety on the tracking page; the page still works without it
    log.warn({ err, processInstanceKey }, 'could not read answerDueDate');
    return null;
  }
}

export async function trackSubmission(deps: TrackingDeps, token: string, lng: Language) {
  const s = await submissionForToken(deps, token);
  const service = deps.catalogue.service(s.service_code);
  const label = (status: string) => deps.catalogue.statusLabel(s.service_code, status)?.[lng] ?? status;
  const formData = typeof s.form_data === 'string' ? JSON.parse(s.form_data) : s.form_data;
  const events = await listEvents(deps.db, s.id);
  const components = await releasedAnswerComponents(deps, s);
  const byDocument = new Map(components.map((c) => [c.document_id, c]));
  const receipt = await receiptConfirmationOf(deps, s);
  return {
    submission: {
      id: s.id,
      serviceCode: s.service_code,
      serviceName: service?.name[lng] ?? s.service_code,
      subject: typeof formData?.subject === 'string' ? formData.subject : '',
      status: s.status,
      statusLabel: label(s.status),
      referenceNumber: s.reference_number,
      submittedAt: new Date(s.created_at).toISOString(),
      answerDueDate: SETTLED_STATUSES.has(s.status) ? null : await answerDueDate(deps.engine, deps.log, s.process_instance_key),
    },
    timeline: events.map((e) => ({ status: e.status, label: label(e.status), at: new Date(e.created_at).toISOString() })),
    documents: [...byDocument.entries()].map(([documentId, c]) => ({
      id: documentId,
      fileName: c.file_name,
      mediaType: c.media_type,
      size: c.size,
      kind: 'answer' as const,
    })),
    receiptConfirmation: receipt && {
      issuedAt: receipt.issuedAt.toISOString(),
      officeName: deps.officeName,
      receivedAt: new Date(s.created_at).toISOString(),
      jid: receipt.jid,
      referenceNumber: receipt.referenceNumber,
      components: receipt.components,
      document: receipt.pdf && { fileName: receipt.pdf.fileName, mediaType: 'application/pdf', size: receipt.pdf.size },
    },
  };
}

/**
 * The confirmation of receipt (potvrzení o přijetí) issued when the submission was registered, with
 * what it confirms: the JID, the reference number and the components received (the originals, not
 * the office's later conversions). None before registration.
 */
async function receiptConfirmationOf(deps: Pick<TrackingDeps, 'db'>, s: SubmissionRow) {
  if (!s.document_id) return null;
  const row = await findReceiptConfirmation(deps.db, s.document_id);
  if (!row) return null;
  const components = await listReceivedComponents(deps.db, s.document_id);
  return {
    pdf: row.pdf_file_name && row.pdf_sha256 ? { fileName: row.pdf_file_name, size: Number(row.pdf_size), sha256: row.pdf_sha256 } : null,
    issuedAt: new Date(row.issued_at),
    jid: row.jid,
    referenceNumber: row.reference_number ?? s.reference_number,
    components: components.map((c) => ({ fileName: c.file_name, mediaType: c.media_type, size: Number(c.size) })),
  };
}

/**
 * The confirmation of receipt as the office issued it: the sealed PDF/A, a component of the
 * registered document. None before registration, nor while it is being rendered and sealed.
 */
export async function downloadReceiptConfirmation(deps: TrackingDeps, token: string) {
  const s = await submissionForToken(deps, token);
  const receipt = await receiptConfirmationOf(deps, s);
  if (!receipt?.pdf) throw new AppError('DOCUMENT_NOT_FOUND');
  return { fileName: receipt.pdf.fileName, mediaType: 'application/pdf', content: await readBlob(deps.db, receipt.pdf.sha256) };
}

/**
 * The office's documents the citizen may see: none until the procedure has settled the submission.
 * Until then an answer may still be a draft being rendered or an unsealed PDF waiting for its seal.
 */
async function releasedAnswerComponents(deps: TrackingDeps, s: SubmissionRow) {
  return SETTLED_STATUSES.has(s.status) ? listAnswerComponents(deps.db, s.id) : [];
}

/** The bytes of one of this submission's outgoing documents; anything else is "not found". */
export async function downloadAnswer(deps: TrackingDeps, token: string, documentId: string) {
  const s = await submissionForToken(deps, token);
  const component = (await releasedAnswerComponents(deps, s)).filter((c) => c.document_id === documentId).at(-1); // the newest version
  if (!component) throw new AppError('DOCUMENT_NOT_FOUND');
  return { fileName: component.file_name, mediaType: component.media_type, content: await readBlob(deps.db, component.blob_sha256) };
}

export async function withdrawSubmission(deps: TrackingDeps, token: string): Promise<void> {
  const s = await submissionForToken(deps, token);
  if (SETTLED_STATUSES.has(s.status)) throw new AppError('ALREADY_SETTLED');
  try {
    await deps.engine.publishMessage({ name: 'submission-withdrawn', correlationKey: s.id, timeToLive: 60 * 60 * 1000, messageId: `withdraw-${s.id}` });
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'EngineError' && (cause as { code?: string }).code === 'DUPLICATE_MESSAGE') return;
    throw new AppError('ENGINE_UNAVAILABLE', 'could not publish submission-withdrawn', undefined, { cause });
  }
  deps.log.info({ submissionId: s.id }, 'withdrawal requested');
}
