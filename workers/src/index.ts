import type { Knex } from 'knex';
import type pino from 'pino';
import type { JobHandler } from './shared/engine-port';
import type { WorkersConfig } from './config';
import type { WorkerPorts } from './shared/ports';
import { registerDocumentJob } from './registry/register-document.job';
import { settleDocumentJob } from './registry/settle-document.job';
import { sealReceiptConfirmationJob } from './registry/seal-receipt-confirmation.job';
import { renderAnswerJob } from './documents/render-answer.job';
import { renderDocumentJob } from './documents/render-document.job';
import { sealDocumentJob } from './signing/seal-document.job';
import { createSealingPorts, type SealingPorts } from './signing/seal-key-provider';
import { sendEmailJob } from './notify/send-email.job';
import { unpackComponentJob } from './intake/unpack-component.job';
import { verifySignaturesJob } from './verification/verify-signatures.job';
import { convertDocumentJob } from './conversion/convert-document.job';
import { processIncomingJob } from './intake/process-incoming.job';

export { readWorkersConfig, type WorkersConfig } from './config';
export { DomainError, type DomainErrorKind } from './shared/domain-error';
export { toOutcome, retryBackOff } from './shared/job-edge';
export { registerDocument, type RegisterDocumentResult } from './registry/register-document.service';
export { checkServiceFilings } from './registry/service-filing';
export { answerDaysFor, CLASS_CODE, DEFAULT_ANSWER_DAYS, ORG_UNIT_CODE, serviceFilingFor, type ServiceFiling } from './shared/service-catalogue';
export { runPeriodically } from './shared/periodic';
export { settleDocument, SETTLEMENT_METHODS, type SettlementMethod } from './registry/settle-document.service';
export { nextReferenceNumber, formatReferenceNumber, formatJid, nextJid, pragueYear, type ReferenceNumber } from './registry/reference-number.service';
export { computeDeadline, deadlineDay, isCzechPublicHoliday, isWorkingDay, easterSunday, isoDuration, reminderAfter } from './registry/deadline.service';
export { renderAnswer } from './documents/render-answer.service';
export { renderPdf, parseLayout, type Block, type PageMarks } from './documents/pdf-renderer';
export { renderDocument, type RenderDocumentInput } from './documents/render-document.service';
export { listDocumentTemplates, readTemplateFixture } from './documents/document-template';
export { renderTemplatePreview } from './documents/template-preview';
export { checkPdfA, type PdfACheck } from './documents/pdfa-check';
export { sealDocument, type SealDocumentResult } from './signing/seal-document.service';
export { sealReceiptConfirmation, type SealReceiptConfirmationResult } from './records/files/seal-receipt-confirmation.service';
export { renderReceiptConfirmationPdf } from './records/files/receipt-confirmation-pdf';
export { catchUpReceiptConfirmations, scheduleReceiptConfirmationSeals, sealPendingReceiptConfirmations } from './records/files/seal-receipt-confirmations.schedule';
export { sendPendingReceiptConfirmations } from './records/files/send-receipt-confirmations';
export { createSealingPorts, type SealingPorts, type OpenSealKey } from './signing/seal-key-provider';
export { openPkcs11Key, type Pkcs11KeyOptions } from './signing/pkcs11-key';
export { ensureDevSeal, DEV_SEAL_COMMON_NAME } from './signing/dev-seal';
export { sendEmail, EMAIL_TEMPLATES, RECIPIENTS, type EmailTemplate, type Recipient, type SendEmailResult } from './notify/send-email.service';
export { createTestCa, issueCertificate, toPkcs12, createTestPki, type TestCa, type TestCertificate, type TestPki, type IssueOptions, type CertificateKind } from './signing/test-pki';
export { openPkcs12Key } from './signing/pkcs12-key';
export type { SealKey } from './signing/seal-key';
export { httpTimeStamper, parseTimeStampReply, type TimeStamp, type TimeStamper } from './signing/tsa-client';
export { createCadesDetached, type CadesResult } from './signing/cades';
export { sealPdf, type PadesLevel, type SealPdfResult } from './signing/pades';
export { extractPdfSignatures, signatureValueAndTimeStamp, type PdfSignatureField } from './signing/pdf-signature';
export { detectFormat, type DetectedFormat, type FormatCode } from './intake/format-detection';
export { unpackComponent, type UnpackResult } from './intake/unpack-component.service';
export { processIncomingDocument, type ProcessIncomingResult } from './intake/process-incoming.service';
export { verifySignatures, type VerifyResult } from './verification/verify-signatures.service';
export { loadTrustAnchors } from './verification/certificates';
export { convertDocument, type ConvertResult } from './conversion/convert-document.service';
export { convertToPdfA, libreOfficeVersion } from './conversion/libreoffice-converter';
export { createMailTransport, type MailTransport, type OutgoingMail } from './notify/mail-transport';

/** All job handlers of this workspace, ready to be polled by either engine adapter. */
export function createJobHandlers(deps: { db: Knex; config: WorkersConfig; log: pino.Logger; clock?: () => Date; sealing?: SealingPorts }): JobHandler[] {
  const ports: WorkerPorts = { db: deps.db, config: deps.config, log: deps.log, clock: deps.clock ?? (() => new Date()) };
  // the seal key is opened on the first signing.seal job, not here
  const sealing = deps.sealing ?? createSealingPorts(deps.config);
  return [
    registerDocumentJob(ports),
    settleDocumentJob(ports),
    renderAnswerJob(ports),
    renderDocumentJob(ports),
    sealDocumentJob({ ...ports, sealing }),
    sealReceiptConfirmationJob({ ...ports, sealing }),
    sendEmailJob(ports),
    unpackComponentJob(ports),
    verifySignaturesJob(ports),
    convertDocumentJob(ports),
    processIncomingJob(ports),
  ];
}

// records management (NSESSS 2023)
export * from './records/records.model';
export { type RecordsPorts, pragueDay } from './records/records.ports';
export { isIsoDay } from './records/transaction-log/prague-day';
export { mostSevereRetention, disposalYear, formatRetention, assertNewDisposalCode } from './records/retention.service';
export { normalizeSearchText } from './records/search-text';
export { registerRecord, type RegisterRecordInput, type RegisterRecordResult } from './records/files/register-record.service';
export { moveDocument } from './records/files/move-document.service';
export { mayShareFile, shareFile, unshareFile, type FileShareInput } from './records/files/file-share.service';
export { classificationDay, mayReclassifyFile, reclassifyFile, RECLASSIFIERS, RECLASSIFY_REASON_MAX, type ReclassifyFileInput, type ReclassifyFileResult } from './records/files/reclassify-file.service';
export { assignHandler, mayAssignHandler, HANDLER_REASON_MAX, type AssignHandlerInput, type AssignHandlerResult } from './records/files/handler-assignment.service';
export { eligibleHandlers, HANDLER_ROLES, type EligibleHandler } from './records/files/handler-assignment.repository';
export { createTypedFile, openVolume, type PartInput } from './records/files/typed-file.service';
export { openVolumeFile, volumeHoldsDocuments, VOLUMES_HOLD_FILES_FROM } from './records/files/volume-file.service';
export { canAccessFile, assertFileAccess, assertRole, hasRole, scopeFilesToActor, whereOwnUnit } from './records/files/file-access';
export { findOrCreateParty, searchParties, mergeParties, partyDisplayName, PARTY_MERGERS, type PartyInput } from './records/parties/parties.service';
export { importFilePlan, exportFilePlan, storeFilePlan } from './records/file-plan/file-plan.service';
export { findClassByCode, findPlanValidOn, listClasses, listPlans } from './records/file-plan/file-plan.repository';
export { exportTransactionLog } from './records/transaction-log/transaction-log-export.service';
export { validateNsesssXml, NSESSS_SCHEMA_DIR, type NsesssSchema } from './records/xml/nsesss-schemas';
export { xmlEscape, el, elx, clip } from './records/xml/xml-writer';
export { seedRecordsDemo, DEMO_ORG_UNITS } from './records/demo/seed-records-demo';
export { type CliCommand, type CliContext, UsageError } from './cli/cli-command';
export { searchJournal, searchFiles, type JournalSearch, type FileSearch, type FileListRow, type Page } from './records/search/records-search.service';
export { sealTransactionLogDay, TRANSACTION_LOG_ACTOR, type SealLogDayResult, type SealLogDayPorts } from './records/transaction-log/seal-log-day.service';
export { scheduleLogDaySeals, sealPendingLogDays } from './records/transaction-log/seal-log-days.schedule';
export { closeJournalYear, JOURNAL_YEAR_ACTOR, type CloseJournalYearResult } from './records/journal-year/close-journal-year.service';
export { scheduleJournalYearClosures, closePendingJournalYears } from './records/journal-year/close-journal-years.schedule';
export { handOverFiles } from './records/disposal/hand-over-files';
export { createDisposalProposal, listDueFiles } from './records/disposal/disposal-proposal';
export { importArchiveDecision, type DecisionOutcome, type ImportResult } from './records/disposal/import-archive-decision';
export { HOLDABLE_STATES, setDisposalHold } from './records/disposal/disposal-hold';
export { recordTriggerEvent } from './records/disposal/record-trigger-event';
export { settleRecordDocument } from './records/disposal/settle-record-document';
export { closeFile, type CloseFileProblems } from './records/disposal/close-file';
export { reopenFile } from './records/disposal/reopen-file';
export { closeVolume, reopenVolume } from './records/disposal/close-volume';
export { closePart, closeTypedFile, reopenPart, reopenTypedFile } from './records/disposal/close-typed-file';
export { cancelDocument } from './records/disposal/cancel-document';
export { requireFileAccess, isCreator } from './records/disposal/access';
export { recordDispatch } from './records/dispatch/record-dispatch';
export { recordDelivery } from './records/dispatch/record-delivery';
export { addDispatchAddressee, removeDispatchAddressee } from './records/dispatch/dispatch-addressees';
export { dispatchesOfDocuments, ensureDispatches, listDocumentDispatches, summariseDispatches, type DocumentDispatchRow } from './records/dispatch/document-dispatches.repository';
export { scheduleDataBoxDeliveries, takeOverDataBoxDeliveries, ISDS_ACTOR, type DataBoxRunResult } from './records/dispatch/data-box-deliveries';
export { requestDataBoxSend, DATA_BOX_SENDERS } from './records/dispatch/request-data-box-send';
export { scheduleDataBoxSends, sendPendingDataBoxMessages, type DataBoxSendRunResult } from './records/dispatch/send-data-box-messages';
export { createIsdsClient, type IsdsClient, type DeliveryInfo } from './clients/isds/isds-client';
export { listDispatchQueue, listFileUnits, type DispatchFilter, type DispatchRow } from './records/dispatch/dispatch-queue.repository';
export { isClosureTrigger } from './records/retention.service';
export { downloadProposalSips, downloadFileSip } from './records/disposal/sip-download';
export { listCentreFiles, listProposals, findProposal, listProposalFiles, listArchiveLists, type CentreFileRow, type CentreFilter, type ProposalRow, type ProposalFileRow, type ArchiveListRow } from './records/disposal/records-centre.repository';
