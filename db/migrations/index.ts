import type { Knex } from 'knex';
import * as createCoreTables from './20261129000000_create_core_tables';
import * as createEngineTables from './20261129000100_create_engine_tables';
import * as createRecordsTables from './20261130020000_create_records_tables';
import * as addFilePlanIssuer from './20261130020100_add_file_plan_issuer';
import * as addRecordsSearchIndexes from './20261130020200_add_records_search_indexes';
import * as extendEngineTables from './20261130010000_extend_engine_tables';
import * as createDisposalTables from './20261130025000_create_disposal_tables';
import * as addComponentDerivationAndVerification from './20261130035000_add_component_derivation_and_verification';
import * as addRenderKeyAndComponentSeals from './20261130030000_add_render_key_and_component_seals';
import * as submissionIdempotencyKey from './20261130050000_submission_idempotency_key';
import * as createTransactionLogDays from './20261201030000_create_transaction_log_days';
import * as addDisposalHoldDetails from './20261201030100_add_disposal_hold_details';
import * as journalSearchGin from './20261201020000_journal_search_gin';
import * as addEngineInstanceRevision from './20261202010000_add_engine_instance_revision';
import * as addDisposalProposalWithdrawal from './20261202040000_add_disposal_proposal_withdrawal';
import * as addInstanceStartCorrelationKey from './20261202030000_add_instance_start_correlation_key';
import * as dropRedundantRecordIndexes from './20261203000000_drop_redundant_record_indexes';
import * as slimRegistrationIndexes from './20261203000100_slim_registration_indexes';
import * as assignPortalFilesToServiceUnits from './20261204400000_assign_portal_files_to_service_units';
import * as addDocumentDataBoxMessage from './20261203100000_add_document_data_box_message';
import * as addUniqueLivePartyIdentifiers from './20261204000000_add_unique_live_party_identifiers';
import * as createDataBoxSends from './20261204100000_create_data_box_sends';
import * as createRegistrationFormKeys from './20261204200000_create_registration_form_keys';
import * as indexDocumentAddressees from './20261204300000_index_document_addressees';
import * as makeAuditLogAppendOnly from './20261204500000_make_audit_log_append_only';
import * as createJournalYearClosures from './20261204600000_create_journal_year_closures';
import * as addReceiptConfirmationPdf from './20261205300000_add_receipt_confirmation_pdf';
import * as addDataBoxSendOptions from './20261205500000_add_data_box_send_options';
import * as addReceiptConfirmationSending from './20261205600000_add_receipt_confirmation_sending';
import * as createDocumentDispatches from './20261206100000_create_document_dispatches';
import * as addFilesInVolumes from './20261206200000_add_files_in_volumes';
import * as addUserLocale from './20261206400000_add_user_locale';

/**
 * Every migration, in order. Listed statically (not read from the folder) so the same source works
 * under tsx, vitest and a bundler; add each new migration file here.
 */
export const migrations: Record<string, Knex.Migration> = {
  '20261129000000_create_core_tables': createCoreTables,
  '20261129000100_create_engine_tables': createEngineTables,
  '20261130020000_create_records_tables': createRecordsTables,
  '20261130020100_add_file_plan_issuer': addFilePlanIssuer,
  '20261130020200_add_records_search_indexes': addRecordsSearchIndexes,
  '20261130010000_extend_engine_tables': extendEngineTables,
  '20261130025000_create_disposal_tables': createDisposalTables,
  '20261130030000_add_render_key_and_component_seals': addRenderKeyAndComponentSeals,
  '20261130035000_add_component_derivation_and_verification': addComponentDerivationAndVerification,
  '20261130050000_submission_idempotency_key': submissionIdempotencyKey,
  '20261201030000_create_transaction_log_days': createTransactionLogDays,
  '20261201030100_add_disposal_hold_details': addDisposalHoldDetails,
  '20261201020000_journal_search_gin': journalSearchGin,
  '20261202010000_add_engine_instance_revision': addEngineInstanceRevision,
  '20261202040000_add_disposal_proposal_withdrawal': addDisposalProposalWithdrawal,
  '20261202030000_add_instance_start_correlation_key': addInstanceStartCorrelationKey,
  '20261203000000_drop_redundant_record_indexes': dropRedundantRecordIndexes,
  '20261203000100_slim_registration_indexes': slimRegistrationIndexes,
  '20261203100000_add_document_data_box_message': addDocumentDataBoxMessage,
  '20261204000000_add_unique_live_party_identifiers': addUniqueLivePartyIdentifiers,
  '20261204100000_create_data_box_sends': createDataBoxSends,
  '20261204200000_create_registration_form_keys': createRegistrationFormKeys,
  '20261204300000_index_document_addressees': indexDocumentAddressees,
  '20261204400000_assign_portal_files_to_service_units': assignPortalFilesToServiceUnits,
  '20261204500000_make_audit_log_append_only': makeAuditLogAppendOnly,
  '20261204600000_create_journal_year_closures': createJournalYearClosures,
  '20261205300000_add_receipt_confirmation_pdf': addReceiptConfirmationPdf,
  '20261205500000_add_data_box_send_options': addDataBoxSendOptions,
  '20261205600000_add_receipt_confirmation_sending': addReceiptConfirmationSending,
  '20261206100000_create_document_dispatches': createDocumentDispatches,
  '20261206200000_add_files_in_volumes': addFilesInVolumes,
  '20261206400000_add_user_locale': addUserLocale,
};
