import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { createTranslate, formatDate, toLocale } from '../shared/templating';
import { nextJid } from '../registry/reference-number.service';
import { findReply, getDocument, insertComponent, insertDocument, lockSubmission, putBlob } from '../registry/registry.repository';
import { documentTemplateFile, layoutDocument } from './document-template';
import { renderPdf } from './pdf-renderer';

const oneLine = (v: unknown) => (v == null ? '' : String(v).replace(/\s*\r?\n\s*/g, ' ').trim());

/**
 * Renders the answer to a registered submission as a PDF/A document and files it as an outgoing
 * document in the submission's file, under the same reference number (settlement by reply keeps
 * one journal entry). A reply that already exists is returned as it is.
 */
export async function renderAnswer(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  input: { submissionId: string; answerText: string; template: string; clerkUsername?: string | null },
): Promise<{ answerDocumentId: string; created: boolean }> {
  const { db, clock, config } = ports;
  documentTemplateFile(config, input.template); // bad or unknown template: fail before any work

  return db.transaction(async (trx) => {
    const submission = await lockSubmission(trx, input.submissionId);
    if (!submission) throw new DomainError('SUBMISSION_NOT_FOUND', `submission ${input.submissionId} does not exist`);
    if (!submission.document_id) throw new DomainError('SUBMISSION_NOT_REGISTERED', `submission ${submission.id} has no registered document`);
    const incoming = await getDocument(trx, submission.document_id);
    if (!incoming?.file_id || !incoming.reference_number) throw new DomainError('REGISTRATION_INCONSISTENT', `document ${submission.document_id} has no file or reference number`);

    const existing = await findReply(trx, incoming.id);
    if (existing) return { answerDocumentId: existing.id, created: false };

    const now = clock();
    const locale = toLocale(submission.locale);
    const t = createTranslate(config.localesDir, locale);
    const journal = await trx('journal').where({ document_id: incoming.id }).first();
    const clerkUsername = input.clerkUsername ?? journal?.handled_by ?? null;
    const clerk = clerkUsername ? await trx('users').where({ username: clerkUsername }).first() : undefined;
    const file = await trx('files').where({ id: incoming.file_id }).first();
    const jid = await nextJid(trx, config.officeCode);
    const letterhead = { officeName: oneLine(config.officeName), referenceNumber: incoming.reference_number, fileReference: file.file_reference as string, jid };
    const context = {
      submittedOn: formatDate(submission.created_at, locale),
      date: formatDate(now, locale),
      clerkName: oneLine(clerk?.display_name),
      addresseeName: oneLine(submission.applicant_name),
      addresseeEmail: oneLine(submission.applicant_email),
      subject: oneLine(incoming.subject),
      answerText: input.answerText,
    };
    const { blocks, marks } = layoutDocument(config, { template: input.template, locale, letterhead, context });
    const pdf = await renderPdf(blocks, { title: t('answer.documentTitle', { referenceNumber: incoming.reference_number }), author: config.officeName, lang: locale }, marks);

    const subject = createTranslate(config.localesDir, 'cs')('answer.registrySubject', { subject: incoming.subject });
    const answerDocumentId = await insertDocument(trx, {
      jid,
      fileId: incoming.file_id,
      direction: 'outgoing',
      subject,
      referenceNumber: incoming.reference_number,
      submissionId: submission.id,
      inReplyTo: incoming.id,
      state: 'created',
      createdBy: clerkUsername ? `user:${clerkUsername}` : SYSTEM_ACTOR,
      at: now,
    });
    const blob = await putBlob(trx, pdf);
    const fileName = `odpoved-${incoming.reference_number.replace(/[^A-Za-z0-9-]+/g, '-')}.pdf`;
    const componentId = await insertComponent(trx, { documentId: answerDocumentId, sha256: blob.sha256, fileName, mediaType: 'application/pdf', size: blob.size, at: now });

    const audit = (eventType: string, objectType: string, objectId: string, details: Record<string, unknown>) =>
      appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType, objectType, objectId, details, occurredAt: now });
    await audit('Zalozeni', 'Dokument', answerDocumentId, { jid, referenceNumber: incoming.reference_number, direction: 'outgoing', inReplyTo: incoming.id });
    await audit('Zalozeni', 'Komponenta', componentId, { documentId: answerDocumentId, sha256: blob.sha256 });
    await audit('VlozeniDoSpisu', 'Dokument', answerDocumentId, { fileId: incoming.file_id });
    return { answerDocumentId, created: true };
  });
}
