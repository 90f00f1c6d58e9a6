import { sql } from 'drizzle-orm';
import { type Actor, actorSummary } from '../actors/index.js';
import { rows, type Tx } from '../db/index.js';
import { newId } from '../ids/index.js';
import { type ChainedEntry, GENESIS_HASH, hashEntry } from './hash.js';

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
 * chain lock is held from here to the end of the transaction.
 */
export async function appendAudit(
  tx: Tx,
  context: AuditContext,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [head] = await rows<{ seq: string; hash: string }>(
    tx,
    sql`SELECT seq, hash FROM audit.entries ORDER BY seq DESC LIMIT 1`,
  );
  let seq = head ? Number(head.seq) : 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const values = records.map((record) => {
    seq += 1;
    const entry: ChainedEntry = {
      id: newId(),
      at: context.at.toISOString(),
      actor: actorSummary(context.actor),
      action: record.action,
      subject: record.subject,
      purpose: record.purpose ?? null,
      before: record.before ?? null,
      after: record.after ?? null,
      requestId: context.requestId ?? null,
      prevHash,
    };
    const hash = hashEntry(entry);
    const row = sql`(${seq}, ${entry.id}, ${entry.at}, ${JSON.stringify(entry.actor)}::jsonb, ${entry.action},
              ${JSON.stringify(entry.subject)}::jsonb, ${entry.purpose}, ${JSON.stringify(entry.before)}::jsonb,
              ${JSON.stringify(entry.after)}::jsonb, ${entry.requestId}, ${prevHash}, ${hash})`;
    prevHash = hash;
    return row;
  });
  // One statement for all of a change's entries: the chain lock is held for one round trip, not N.
  await tx.execute(sql`
    INSERT INTO audit.entries (seq, id, at, actor, action, subject, purpose, before, after, request_id, prev_hash, hash)
    VALUES ${sql.join(values, sql`, `)}`);
}
