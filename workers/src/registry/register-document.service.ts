import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { answerDaysFor } from '../shared/service-catalogue';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { computeDeadline, reminderAfter } from './deadline.service';
import { insertJournalRow } from './journal.repository';
import { nextJid, nextReferenceNumber } from './reference-number.service';
import {
  addSubmissionEvent,
  getDocument,
  getFile,
  insertComponent,
  insertDocument,
  insertFile,
  listSubmissionAttachments,
  markInitiatingDocument,
  lockSubmission,
  putBlob,
  updateSubmission,
} from './registry.repository';

export interface RegisterDocumentResult {
  documentId: string;
  jid: string;
  referenceNumber: string;
  fileId: string;
  fileReference: string;
  /** ISO 8601 date-time: end of the statutory deadline */
  answerDueDate: string;
  /** ISO 8601 duration until the reminder, 5 days before the deadline */
  reminderAfter: string;
}


/**
 * Registers a submission as an incoming document: reference number, JID, a new file (spis) whose
 * reference is the document's reference number, components, journal row, transaction log, the
 * submission's new status and timeline event — all in one transaction. A submission already
 * registered returns its existing numbers and nothing is written.
 */
export async function registerDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  /** `answerDays` overrides the service's `deadline.days` from its catalogue entry */
  input: { submissionId: string; answerDays?: number },
): Promise<RegisterDocumentResult> {
  const { db, clock, config } = ports;
  return db.transaction(async (trx) => {
    const submission = await lockSubmission(trx, input.submissionId);
    if (!submission) throw new DomainError('SUBMISSION_NOT_FOUND', `submission ${input.submissionId} does not exist`);
    const days = input.answerDays ?? answerDaysFor(config.processesDir, submission.service_code);
    const receivedAt = new Date(submission.created_at);
    const answerDueDate = computeDeadline(receivedAt, days);
    const now = clock();

    if (submission.document_id) {
      const doc = await getDocument(trx, submission.document_id);
      const file = doc?.file_id ? await getFile(trx, doc.file_id) : undefined;
      if (!doc || !file) throw new DomainError('REGISTRATION_INCONSISTENT', `submission ${submission.id} points at a missing document or file`);
      return {
        documentId: doc.id,
        jid: doc.jid,
        referenceNumber: doc.reference_number ?? file.file_reference,
        fileId: file.id,
        fileReference: file.file_reference,
        answerDueDate,
        reminderAfter: reminderAfter(now, answerDueDate),
      };
    }

    const subject = String(submission.form_data.subject ?? '').trim() || '(bez předmětu)';
    const { referenceNumber, office, year, seq } = await nextReferenceNumber(trx, { office: config.officeCode, mask: config.referenceNumberMask, at: now });
    const jid = await nextJid(trx, config.officeCode);
    const fileId = await insertFile(trx, { fileReference: referenceNumber, subject, at: now, office, year, seq, createdBy: SYSTEM_ACTOR });
    const documentId = await insertDocument(trx, {
      jid,
      fileId,
      direction: 'incoming',
      subject,
      senderName: submission.applicant_name,
      senderEmail: submission.applicant_email,
      referenceNumber,
      submissionId: submission.id,
      state: 'registered',
      createdBy: SYSTEM_ACTOR,
      at: now,
      channel: 'portal',
    });

    // the original digital submission: the form data as the citizen sent it
    const podani = Buffer.from(JSON.stringify({ serviceCode: submission.service_code, locale: submission.locale, submittedAt: receivedAt.toISOString(), formData: submission.form_data }, null, 2), 'utf8');
    const podaniBlob = await putBlob(trx, podani);
    const componentIds = [await insertComponent(trx, { documentId, sha256: podaniBlob.sha256, fileName: 'podani.json', mediaType: 'application/json', size: podaniBlob.size, at: now })];
    for (const a of await listSubmissionAttachments(trx, submission.id)) {
      componentIds.push(await insertComponent(trx, { documentId, sha256: a.blob_sha256, fileName: a.file_name, mediaType: a.media_type, size: a.size, at: now }));
    }

    await insertJournalRow(trx, {
      office,
      year,
      seq,
      reference_number: referenceNumber,
      jid,
      document_id: documentId,
      file_id: fileId,
      received_at: receivedAt,
      subject,
      sender: submission.applicant_name || submission.applicant_email || '(neuvedeno)',
      file_reference: referenceNumber,
      channel: 'portal',
      attachments_count: componentIds.length - 1,
      components_count: componentIds.length,
    });
    await markInitiatingDocument(trx, fileId, documentId);

    const audit = (eventType: string, objectType: string, objectId: string, details: Record<string, unknown>) =>
      appendAuditLog(trx, { actor: SYSTEM_ACTOR, eventType, objectType, objectId, details, occurredAt: now });
    await audit('Zalozeni', 'Spis', fileId, { fileReference: referenceNumber });
    await audit('Zalozeni', 'Dokument', documentId, { jid, referenceNumber, direction: 'incoming', submissionId: submission.id });
    for (const componentId of componentIds) await audit('Zalozeni', 'Komponenta', componentId, { documentId });
    await audit('VlozeniDoSpisu', 'Dokument', documentId, { fileId, fileReference: referenceNumber });

    await updateSubmission(trx, submission.id, { status: 'registered', reference_number: referenceNumber, document_id: documentId }, now);
    await addSubmissionEvent(trx, submission.id, 'registered', now);

    return {
      documentId,
      jid,
      referenceNumber,
      fileId,
      fileReference: referenceNumber,
      answerDueDate,
      reminderAfter: reminderAfter(now, answerDueDate),
    };
  });
}
