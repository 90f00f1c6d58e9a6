import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Actor } from '../actors/index.js';
import { type AuditRecord, auditAppend } from '../audit/index.js';
import type { BlobStore } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { type Database, type Tx, writeTogether } from '../db/index.js';
import { type EventDispatcher, type OutgoingEvent, outboxInsert } from '../events/index.js';
import type { SigningKey } from '../keys/index.js';

/** What every module is given: the shared mechanisms, no domain. */
export interface Kernel {
  config: Config;
  db: Database;
  clock: Clock;
  events: EventDispatcher;
  blobs: BlobStore;
  log: Logger;
  keys: { audit: SigningKey; tokens: SigningKey };
}

/** Who acts and on whose request; carried from the HTTP layer (or the CLI) into every change. */
export interface ActionContext {
  actor: Actor;
  requestId?: string;
  /** The Idempotency-Key record this change completes, marked in the same transaction. */
  idempotency?: { actorKey: string; key: string };
}

export interface Change {
  tx: Tx;
  actor: Actor;
  now: Date;
  audit(record: AuditRecord): void;
  publish(event: OutgoingEvent): void;
  /**
   * Queues a write (an INSERT or UPDATE) that nothing later in the change reads back: it goes in
   * the change's last statement, a round trip fewer. The change's own queries do not see its
   * rows, and queued writes do not see one another's (a foreign key between them is checked at
   * the end of that statement, so it holds).
   */
  write(statement: SQL): void;
}

/**
 * The one way state changes: the change, its audit entries, its outgoing events and the
 * idempotency mark commit together or not at all. A request is acknowledged only after this
 * resolves.
 */
export async function change<T>(
  kernel: Kernel,
  context: ActionContext,
  fn: (change: Change) => Promise<T>,
): Promise<T> {
  const records: AuditRecord[] = [];
  const events: OutgoingEvent[] = [];
  const writes: SQL[] = [];
  const result = await kernel.db.transaction(async (tx) => {
    const now = kernel.clock.now();
    const value = await fn({
      tx,
      actor: context.actor,
      now,
      audit: (record) => records.push(record),
      publish: (event) => events.push(event),
      write: (statement) => writes.push(statement),
    });
    const { idempotency } = context;
    // Last, and in one statement: the audit chain lock is taken after the writes, and held
    // from there until commit.
    await writeTogether(
      tx,
      [
        ...writes,
        outboxInsert(events),
        idempotency &&
          sql`UPDATE core.idempotency SET committed = true
            WHERE actor_key = ${idempotency.actorKey} AND key = ${idempotency.key}`,
      ],
      auditAppend({ actor: context.actor, at: now, requestId: context.requestId }, records),
    );
    return value;
  });
  if (events.length > 0) {
    kernel.events.dispatchOnce().catch((error) => kernel.log.error({ err: error }, 'event dispatch failed'));
  }
  return result;
}
