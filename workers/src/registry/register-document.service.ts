import { randomUUID } from 'node:crypto';
import { deferAuditLog } from '@openspis/db';
import { newFileRow } from '../records/files/register-record.service';
import { receiptConfirmationWrite } from '../records/files/receipt-confirmation';
import { findSameParty, isPartyIdentityConflict, newParty } from '../records/parties/parties.service';
import type { Actor } from '../records/records.model';
import { pragueDay } from '../records/records.ports';
import { DomainError } from '../shared/domain-error';
import { answerDaysFor, serviceFilingFor } from '../shared/service-catalogue';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { computeDeadline, reminderAfter } from './deadline.service';
import { journalRow } from './journal.repository';
import { nextJid, pragueYear } from './reference-number.service';
import { numberAndLog, type RegistrationWrite } from './registration-commit';
import { addSubmissionEvent, getDocument, getFile, listSubmissionAttachments, lockSubmission, putBlob } from './registry.repository';
import { resolveServiceFiling } from './service-filing';
import { submitterParty } from './submitter-party';

/** The workers registering portal submissions act as the registry office (podatelna). */
const REGISTRY_OFFICE: Actor = { username: SYSTEM_ACTOR, roles: ['podatelna'], orgUnit: null };

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
 * reference is the document's reference number, filed in the class the service's catalogue entry
 * names (`filing.classCode`, with the class's retention) and handled by its unit
 * (`filing.orgUnit`), the submitter as the sender in the register of parties, components, journal
 * row, the confirmation of receipt, transaction log, the submission's new status and timeline
 * event — all in one transaction; the counter and the log head are locked only for its last
 * statement (`numberAndLog`). A submission already registered returns its existing numbers and
 * nothing is written (at-least-once delivery). A service with no valid filing, a class missing
 * from the plan valid on the day of receipt or an unknown unit fails with a coded `input` error:
 * the job becomes an incident, nothing is written.
 */
export async function registerDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  /** `answerDays` overrides the service's `deadline.days` from its catalogue entry */
  input: { submissionId: string; answerDays?: number },
): Promise<RegisterDocumentResult> {
  // a new submitter another process recorded at the same moment: the second attempt finds them
  try {
    return await registerOnce(ports, input);
  } catch (err) {
    if (!isPartyIdentityConflict(err)) throw err;
    return registerOnce(ports, input);
  }
}

async function registerOnce(
  ports: Pick<WorkerPorts, 'db' | 'clock' | 'config'>,
  input: { submissionId: string; answerDays?: number },
): Promise<RegisterDocumentResult> {
  const { db, clock, config } = ports;
  return db.transaction(async (trx) => {
    deferAuditLog(trx);
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

    const filing = serviceFilingFor(config.processesDir, submission.service_code);
    const day = pragueDay(receivedAt);
    const fileClass = await resolveServiceFiling(trx, submission.service_code, filing, day);

    const subject = String(submission.form_data.subject ?? '').trim() || '(bez předmětu)';
    const office = config.officeCode;
    const year = pragueYear(now);
    const fileId = randomUUID();
    const documentId = randomUUID();

    // the original digital submission: the form data as the citizen sent it
    const podani = Buffer.from(JSON.stringify({ serviceCode: submission.service_code, locale: submission.locale, submittedAt: receivedAt.toISOString(), formData: submission.form_data }, null, 2), 'utf8');
    const podaniBlob = await putBlob(trx, podani);
    const component = (sha256: string, fileName: string, mediaType: string, size: number) =>
      ({ id: randomUUID(), document_id: documentId, blob_sha256: sha256, file_name: fileName, media_type: mediaType, size, version: 1, created_at: now });
    const components = [component(podaniBlob.sha256, 'podani.json', 'application/json', podaniBlob.size)];
    for (const a of await listSubmissionAttachments(trx, submission.id)) components.push(component(a.blob_sha256, a.file_name, a.media_type, Number(a.size)));
    await addSubmissionEvent(trx, submission.id, 'registered', now);
    // the submitter as a party of the register: the one already there, or a new one written with the
    // registration (no lock is taken before the numbering statement, which takes counter then log head)
    const submitter = submitterParty(submission);
    const known = await findSameParty(trx, submitter);
    const recorded = known ? undefined : newParty(REGISTRY_OFFICE, submitter, now);
    const party = known ?? (recorded?.row as NonNullable<typeof known>);
    const sender = party.display_name;

    // the number and the log last: the counter and log head stay locked only from here to commit
    const jid = await nextJid(trx, office);
    let template = '';
    const numbered = await numberAndLog(trx, { office, year, mask: config.referenceNumberMask, newNumber: true }, ({ seq, referenceNumber }) => {
      const ref = (template = referenceNumber as string);
      const audit = (eventType: string, objectType: string, objectId: string, details: Record<string, unknown>) =>
        ({ actor: SYSTEM_ACTOR, eventType, objectType, objectId, details, occurredAt: now });
      const file = newFileRow(REGISTRY_OFFICE, { subject, orgUnit: filing.orgUnit, handler: null }, fileClass,
        { id: fileId, office, year, seq: seq as string, referenceNumber: ref, initiatingDocumentId: documentId }, now);
      const retention = { disposal_code: file.disposal_code, retention_years: file.retention_years };
      const receipt = receiptConfirmationWrite(SYSTEM_ACTOR, {
        documentId, jid, referenceNumber: ref, receivedAt, channel: 'portal', officeName: config.officeName,
        recipient: party.email ?? party.display_name, components: components.map((c) => c.file_name), at: now,
      });
      const writes: RegistrationWrite[] = [
          ...(recorded ? [{ insert: 'parties', rows: { ...recorded.row } }] : []),
          { insert: 'files', rows: file },
          { insert: 'documents', rows: {
            id: documentId, jid, file_id: fileId, direction: 'incoming', subject, sender_name: party.display_name,
            sender_email: party.email, sender_party_id: party.id, reference_number: ref, order_in_file: 1, submission_id: submission.id,
            in_reply_to: null, state: 'registered', created_by: SYSTEM_ACTOR, created_at: now, channel: 'portal', form: 'electronic',
            attachments_count: components.length - 1, org_unit: filing.orgUnit, ...retention, trigger_event: file.trigger_event,
          } },
          { insert: 'components', rows: components },
          { insert: 'journal', rows: { ...journalRow({
            office, year, seq: seq as string, reference_number: ref, jid, document_id: documentId, file_id: fileId, received_at: receivedAt,
            subject, sender, file_reference: ref, channel: 'portal', attachments_count: components.length - 1, components_count: components.length,
          }), sender_party_id: party.id, form: 'electronic', org_unit: filing.orgUnit, class_code: file.class_code, ...retention } },
          receipt.write,
          { update: 'submissions', where: { id: submission.id }, set: { status: 'registered', reference_number: ref, document_id: documentId, updated_at: now } },
      ];
      return {
        writes,
        audit: [
          ...(recorded ? [recorded.audit] : []),
          audit('Zalozeni', 'Spis', fileId, { fileReference: ref, classCode: file.class_code }),
          audit('Zalozeni', 'Dokument', documentId, { jid, referenceNumber: ref, direction: 'incoming', submissionId: submission.id }),
          ...components.map((c) => audit('Zalozeni', 'Komponenta', c.id, { documentId })),
          audit('VlozeniDoSpisu', 'Dokument', documentId, { fileId, fileReference: ref }),
          receipt.audit,
        ],
      };
    });
    const referenceNumber = numbered.fill(template);

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
