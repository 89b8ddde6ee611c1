import { appendAuditLog } from '@openspis/db';
import { DomainError } from '../shared/domain-error';
import { SYSTEM_ACTOR, type WorkerPorts } from '../shared/ports';
import { settleJournalRow } from './journal.repository';
import { addSubmissionEvent, findReply, getDocument, lockSubmission, settleDocumentRow, updateSubmission } from './registry.repository';

export const SETTLEMENT_METHODS = ['answered', 'withdrawn'] as const;
export type SettlementMethod = (typeof SETTLEMENT_METHODS)[number];

/**
 * Settles (vyřízení) the submission's incoming document: by the reply (`answered`) or because the
 * applicant withdrew it (`withdrawn`). Document, journal, transaction log, submission status and
 * timeline change in one transaction; an already settled document is left as it is.
 */
export async function settleDocument(
  ports: Pick<WorkerPorts, 'db' | 'clock'>,
  input: { submissionId: string; method: SettlementMethod; answerDocumentId?: string | null; settledBy?: string | null },
): Promise<{ documentId: string; settled: boolean }> {
  const { db, clock } = ports;
  return db.transaction(async (trx) => {
    const submission = await lockSubmission(trx, input.submissionId);
    if (!submission) throw new DomainError('SUBMISSION_NOT_FOUND', `submission ${input.submissionId} does not exist`);
    if (!submission.document_id) throw new DomainError('SUBMISSION_NOT_REGISTERED', `submission ${submission.id} has no registered document`);
    const doc = await getDocument(trx, submission.document_id);
    if (!doc) throw new DomainError('REGISTRATION_INCONSISTENT', `document ${submission.document_id} is missing`);
    if (doc.state === 'settled') return { documentId: doc.id, settled: false };

    let answerDocumentId: string | null = null;
    if (input.method === 'answered') {
      answerDocumentId = input.answerDocumentId ?? (await findReply(trx, doc.id))?.id ?? null;
      if (!answerDocumentId) throw new DomainError('ANSWER_MISSING', `submission ${submission.id} has no answer document to settle with`);
    }

    const now = clock();
    const settledBy = input.settledBy ? `user:${input.settledBy}` : SYSTEM_ACTOR;
    await settleDocumentRow(trx, doc.id, { at: now, by: settledBy, method: input.method });
    await settleJournalRow(trx, doc.id, now, input.method, settledBy);
    await appendAuditLog(trx, {
      actor: SYSTEM_ACTOR,
      eventType: 'Vyrizeni',
      objectType: 'Dokument',
      objectId: doc.id,
      details: { referenceNumber: doc.reference_number, method: input.method, ...(answerDocumentId ? { answerDocumentId } : {}) },
      occurredAt: now,
    });
    await updateSubmission(trx, submission.id, { status: input.method, ...(answerDocumentId ? { answer_document_id: answerDocumentId } : {}) }, now);
    await addSubmissionEvent(trx, submission.id, input.method, now);
    return { documentId: doc.id, settled: true };
  });
}
