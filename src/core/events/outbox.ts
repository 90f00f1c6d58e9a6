import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/index.js';
import { newId } from '../ids/index.js';

export interface DomainEvent<Payload = unknown> {
  id: string;
  topic: string;
  payload: Payload;
  createdAt: string;
}

export interface OutgoingEvent {
  topic: string;
  payload: unknown;
}

/**
 * The INSERT of a change's events, for the change's last statement: written in the same
 * transaction as the change they announce, so there is no change without its events. Ids are
 * UUIDv7 made in order, so the dispatcher sees them in order.
 */
export function outboxInsert(events: readonly OutgoingEvent[]): SQL | undefined {
  if (events.length === 0) return undefined;
  // Columns as arrays: one text whatever the number of events, so it can be a prepared statement.
  const ids = events.map(() => newId());
  const topics = events.map((e) => e.topic);
  const payloads = events.map((e) => JSON.stringify(e.payload));
  return sql`INSERT INTO core.outbox (id, topic, payload)
    SELECT id, topic, payload::jsonb
    FROM unnest(${sql.param(ids)}::uuid[], ${sql.param(topics)}::text[], ${sql.param(payloads)}::text[])
      AS e (id, topic, payload)`;
}

export type EventHandler = (event: DomainEvent) => Promise<void>;

interface Subscription {
  topic: string;
  name: string;
  handler: EventHandler;
}

interface OutboxRow {
  id: string;
  topic: string;
  payload: unknown;
  created_at: Date;
  attempts: number;
  delivered_to: string[];
}

export interface DispatcherOptions {
  batchSize?: number;
  /** A claimed event is free for another process to take after this long. */
  leaseSeconds?: number;
  /** After this many failed attempts the event moves to the dead-letter list. */
  maxAttempts?: number;
  onError?: (error: unknown, event: DomainEvent, subscriber: string) => void;
  /** A polling pass failed (the database is unreachable, say); polling goes on. */
  onPassError?: (error: unknown) => void;
}

/**
 * Delivers outbox events at least once to in-process subscribers. Each subscriber is recorded
 * when it succeeds, so a retry reaches only the ones that failed; handlers must still be
 * idempotent (a crash between handling and recording repeats the delivery).
 */
export class EventDispatcher {
  private readonly subscriptions: Subscription[] = [];
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private readonly maxAttempts: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly options: DispatcherOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.leaseSeconds = options.leaseSeconds ?? 30;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  subscribe(topic: string, name: string, handler: EventHandler): void {
    if (this.subscriptions.some((s) => s.topic === topic && s.name === name)) {
      throw new Error(`subscriber ${name} is already registered for ${topic}`);
    }
    this.subscriptions.push({ topic, name, handler });
  }

  /** Runs one pass now (or joins the pass in progress); resolves with the events handled. */
  dispatchOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(pollMs: number): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        while ((await this.dispatchOnce()) === this.batchSize && !this.stopped);
      } catch (error) {
        // Unhandled, it would end the process; the next poll tries again.
        this.options.onPassError?.(error);
      } finally {
        if (!this.stopped) this.timer = setTimeout(tick, pollMs);
      }
    };
    this.timer = setTimeout(tick, pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A failure of that pass goes to whoever started it (the poller reports it).
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<number> {
    // One statement each to claim and to record, so neither needs a transaction around it. An
    // event of a topic no subscriber here listens to has nothing to call: the claim finishes it,
    // and a pass of only such events (a register's identity.person.registered) records nothing.
    const heard = [...new Set(this.subscriptions.map((s) => s.topic))];
    const claimed = await this.db.query<OutboxRow & { heard: boolean }>(
      // RETURNING comes in no particular order: sort so events go out in the order they were written.
      `WITH claimed AS (
         UPDATE core.outbox SET attempts = attempts + 1,
           locked_until = CASE WHEN topic = ANY($1::text[]) THEN now() + make_interval(secs => $2) END,
           status = CASE WHEN topic = ANY($1::text[]) THEN status ELSE 'delivered' END,
           finished_at = CASE WHEN topic = ANY($1::text[]) THEN NULL ELSE now() END
         WHERE id IN (
           SELECT id FROM core.outbox
           WHERE status = 'pending' AND available_at <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY available_at, id LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING id, topic, payload, created_at, attempts, delivered_to, available_at, status = 'pending' AS heard)
       SELECT id, topic, payload, created_at, attempts, delivered_to, heard FROM claimed ORDER BY available_at, id`,
      [heard, this.leaseSeconds, this.batchSize],
    );
    const outcomes: Outcome[] = [];
    for (const row of claimed) if (row.heard) outcomes.push(await this.deliver(row));
    await this.record(outcomes);
    return claimed.length;
  }

  private async deliver(row: OutboxRow): Promise<Outcome> {
    const event: DomainEvent = {
      id: row.id,
      topic: row.topic,
      payload: row.payload,
      createdAt: new Date(row.created_at).toISOString(),
    };
    const delivered = [...row.delivered_to];
    let lastError: string | null = null;
    for (const subscription of this.subscriptions) {
      if (subscription.topic !== row.topic || delivered.includes(subscription.name)) continue;
      try {
        await subscription.handler(event);
        delivered.push(subscription.name);
      } catch (error) {
        lastError = `${subscription.name}: ${(error as Error).message ?? String(error)}`;
        this.options.onError?.(error, event, subscription.name);
      }
    }
    const outcome = { id: row.id, delivered, lastError, retryIn: null };
    if (lastError === null) return { ...outcome, status: 'delivered' };
    if (row.attempts >= this.maxAttempts) return { ...outcome, status: 'dead' };
    // Exponential backoff: 2 s, 4 s, 8 s … capped at one hour.
    return { ...outcome, status: 'pending', retryIn: Math.min(2 ** row.attempts, 3600) };
  }

  /**
   * What became of a pass's events, in one statement. Until it commits they stay leased; a crash
   * before it delivers them again once the lease runs out (at least once, as ever).
   */
  private async record(outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.query(
      `UPDATE core.outbox o SET status = r.status, delivered_to = r.delivered_to::jsonb, locked_until = NULL,
         last_error = r.last_error,
         available_at = CASE WHEN r.retry_in IS NULL THEN o.available_at ELSE now() + make_interval(secs => r.retry_in) END,
         finished_at = CASE WHEN r.status = 'pending' THEN NULL ELSE now() END
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[])
         AS r(id, status, delivered_to, last_error, retry_in)
       WHERE o.id = r.id`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => JSON.stringify(o.delivered)),
        outcomes.map((o) => o.lastError),
        outcomes.map((o) => o.retryIn),
      ],
    );
  }
}

/** How one claimed event came out of its delivery. */
interface Outcome {
  id: string;
  status: 'delivered' | 'dead' | 'pending';
  delivered: string[];
  lastError: string | null;
  /** Seconds until the next attempt; null when there is none. */
  retryIn: number | null;
}

export interface OutboxStatus {
  pending: number;
  dead: number;
  /** Age in seconds of the oldest event still waiting, 0 when none. */
  lagSeconds: number;
}

export async function outboxStatus(db: Database): Promise<OutboxStatus> {
  // Both use partial indexes: a scrape must not scan delivered history.
  const [pending] = await db.query<{ count: string; lag: number | null }>(
    `SELECT count(*) AS count, extract(epoch FROM now() - min(created_at))::float8 AS lag
     FROM core.outbox WHERE status = 'pending'`,
  );
  const [dead] = await db.query<{ count: string }>(
    `SELECT count(*) AS count FROM core.outbox WHERE status = 'dead'`,
  );
  return {
    pending: Number(pending?.count ?? 0),
    dead: Number(dead?.count ?? 0),
    lagSeconds: Number(pending?.lag ?? 0),
  };
}
