export { AUDIT_CHAIN_LOCK, type AuditContext, type AuditRecord, auditAppend } from './append.js';
export { type Checkpoint, checkpointFile, loadCheckpoints, writeCheckpoint } from './checkpoint.js';
export { canonicalJson, GENESIS_HASH, hashEntry, hashStoredEntry, type StoredEntry } from './hash.js';
export { type AuditProblem, type AuditProblemKind, type AuditVerification, verifyAudit } from './verify.js';
