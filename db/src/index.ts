export { readDbConfig, type DbConfig } from './config';
export { createDb, migrate, closeDb, dbKind, MIGRATIONS_DIR, type Db } from './connection';
export { appendAuditLog, type AuditEntry } from './audit-log';
export { loadAppSecret, mintTrackingToken, verifyTrackingToken } from './tracking-token';
export { createTestDb } from './testing';
export type { SubmissionRow } from './rows';
