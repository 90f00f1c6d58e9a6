import { type SQL, sql } from 'drizzle-orm';
import { type Actor, actorSummary } from '../actors/index.js';
import { newId } from '../ids/index.js';
import { cutEntry } from './hash.js';

/** Serialises appenders across processes: each entry links to the one committed before it. */
export const AUDIT_CHAIN_LOCK = 7_311_002;

export interface AuditRecord {
  action: string;
  subject: { type: string; id: string };
  /** Why: the stated purpose of a read of personal data, or the reason for a change. */
  purpose?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditContext {
  actor: Actor;
  at: Date;
  requestId?: string;
}

/**
 * The call that appends a change's entries to the chain, for the change's last statement before
 * commit: the chain lock is held from it to the end of the transaction. audit.append
 * (migrations/0050_audit_append.sql) takes the lock, reads the head and links the entries in the
 * database, so the lock is held for that call and the commit only.
 */
export function auditAppend(context: AuditContext, records: readonly AuditRecord[]): SQL | undefined {
  if (records.length === 0) return undefined;
  const entries = records.map((record) => {
    const entry = {
      id: newId(),
      at: context.at.toISOString(),
      actor: actorSummary(context.actor),
      action: record.action,
      subject: record.subject,
      purpose: record.purpose ?? null,
      before: record.before ?? null,
      after: record.after ?? null,
      requestId: context.requestId ?? null,
    };
    return { ...entry, ...cutEntry(entry) };
  });
  return sql`audit.append(${AUDIT_CHAIN_LOCK}, ${JSON.stringify(entries)}::jsonb)`;
}
