export { readDbConfig, type DbConfig } from './config';
export { createDb, migrate, closeDb, dbKind, MIGRATIONS_DIR, PG_SESSION_OPTIONS, type Db } from './connection';
export { appendAuditLog, auditContent, appendAuditLogBatch, auditLogWrites, chainAuditEntries, deferAuditLog, lockAuditHead, takeDeferredAuditLog, verifyAuditLog, auditHash, auditHashSuffix, GENESIS_HASH, NSESSS_EVENT_TYPES, NSESSS_OBJECT_TYPES, isNsesssEventType, isNsesssObjectType, type AuditEntry, type AuditRow, type ChainedAuditRow, type AuditVerification, type NsesssEventType, type NsesssObjectType } from './audit-log';
export { loadAppSecret, mintTrackingToken, verifyTrackingToken } from './tracking-token';
export { createTestDb, tamperWithAuditLog } from './testing';
export type { SubmissionRow } from './rows';
