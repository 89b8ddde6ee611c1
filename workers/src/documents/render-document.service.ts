import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { createTranslate, formatDate, toLocale } from '../shared/templating';
import { nextJid } from '../registry/reference-number.service';
import { putBlob } from '../registry/registry.repository';
import { findRendered, insertOutgoingDocument, insertPdfComponent } from './document.repository';
import { documentKind, layoutDocument, toTemplateData } from './document-template';
import { renderPdf } from './pdf-renderer';

const oneLine = (v: unknown) => (v == null ? '' : String(v).replace(/\s*\r?\n\s*/g, ' ').trim());

export interface RenderDocumentInput {
  /** the registered document this one answers or decides on: gives the file and the reference number */
  documentId: string;
  template: string;
  /** template data (the job's `documentData`) */
  data: Record<string, unknown>;
  /** idempotency key: one rendered document per key (the job's process instance and element instance) */
  renderKey: string;
  clerkUsername?: string | null;
}

/**
 * Renders a document template (`templates/<template>.hbs`) to PDF/A-2b with the office, the
 * reference number, the file reference and the JID (text and QR code) on every page, and files it
 * as an outgoing document in the same file under the same reference number. A render key seen
 * before returns the document made then.
 */
export async function renderDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  input: RenderDocumentInput,
): Promise<{ renderedDocumentId: string; created: boolean }> {
  const { db, clock, config } = ports;
  return db.transaction(async (trx) => {
    const existing = await findRendered(trx, input.renderKey);
    if (existing) return { renderedDocumentId: existing.id, created: false };

    const related = await trx('documents').where({ id: input.documentId }).forUpdate().first();
    if (!related) throw new DomainError('DOCUMENT_NOT_FOUND', `document ${input.documentId} does not exist`);
    if (!related.file_id || !related.reference_number) throw new DomainError('DOCUMENT_NOT_REGISTERED', `document ${related.id} has no file or reference number`);
    const file = await trx('files').where({ id: related.file_id }).first();
    const submission = related.submission_id ? await trx('submissions').where({ id: related.submission_id }).first() : undefined;
    const locale = toLocale(input.data.locale ?? submission?.locale);
    const clerk = input.clerkUsername ? await trx('users').where({ username: input.clerkUsername }).first() : undefined;

    const now = clock();
    const jid = await nextJid(trx, config.officeCode);
    const letterhead = { officeName: oneLine(config.officeName), referenceNumber: related.reference_number as string, fileReference: file.file_reference as string, jid };
    const context = {
      date: formatDate(now, locale),
      clerkName: oneLine(clerk?.display_name),
      subject: oneLine(related.subject),
      addresseeName: oneLine(submission?.applicant_name),
      addresseeEmail: oneLine(submission?.applicant_email),
      submittedOn: formatDate(related.created_at, locale),
      ...(toTemplateData(input.data) as Record<string, unknown>),
    };
    const { blocks, marks, title } = layoutDocument(config, { template: input.template, locale, letterhead, context });
    const pdf = await renderPdf(blocks, { title, author: config.officeName, lang: locale, subject: oneLine(related.subject), keywords: `JID ${jid}` }, marks);

    const registrySubject = documentKind(createTranslate(config.localesDir, 'cs'), input.template);
    const renderedDocumentId = await insertOutgoingDocument(trx, {
      jid,
      fileId: related.file_id,
      subject: `${registrySubject} – ${related.subject}`,
      referenceNumber: related.reference_number,
      submissionId: related.submission_id,
      inReplyTo: related.id,
      renderKey: input.renderKey,
      createdBy: input.clerkUsername ? `user:${input.clerkUsername}` : SYSTEM_ACTOR,
      at: now,
    });
    const blob = await putBlob(trx, pdf);
    const fileName = `${input.template}-${related.reference_number.replace(/[^A-Za-z0-9-]+/g, '-')}.pdf`;
    const componentId = await insertPdfComponent(trx, { documentId: renderedDocumentId, sha256: blob.sha256, fileName, size: blob.size, at: now });

    const audit = (eventType: string, objectType: string, objectId: string, details: Record<string, unknown>) =>
      appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType, objectType, objectId, details, occurredAt: now });
    await audit('Zalozeni', 'Dokument', renderedDocumentId, { jid, referenceNumber: related.reference_number, direction: 'outgoing', inReplyTo: related.id, template: input.template });
    await audit('Zalozeni', 'Komponenta', componentId, { documentId: renderedDocumentId, sha256: blob.sha256 });
    await audit('VlozeniDoSpisu', 'Dokument', renderedDocumentId, { fileId: related.file_id });
    return { renderedDocumentId, created: true };
  });
}
