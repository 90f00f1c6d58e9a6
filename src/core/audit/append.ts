import { sql } from 'drizzle-orm';
import { type Actor, actorSummary } from '../actors/index.js';
import type { Tx } from '../db/index.js';
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
 * Appends entries to the chain inside the caller's transaction. Call it last before commit: the
 * chain lock is held from here to the end of the transaction. One round trip: audit.append
 * (migrations/0050_audit_append.sql) takes the lock, reads the head and links the entries in the
 * database, so the lock is held for that call and the commit only.
 */
export async function appendAudit(
  tx: Tx,
  context: AuditContext,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return;
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
  await tx.execute(sql`SELECT audit.append(${AUDIT_CHAIN_LOCK}, ${JSON.stringify(entries)}::jsonb)`);
}
