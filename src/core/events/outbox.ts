import { sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../db/index.js';
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

/** Written in the same transaction as the change it announces: no change without its event. */
export async function enqueueEvents(tx: Tx, events: readonly OutgoingEvent[]): Promise<void> {
  if (events.length === 0) return;
  // One statement: ids are UUIDv7 made in order, so the dispatcher still sees them in order.
  const values = events.map(
    (event) => sql`(${newId()}, ${event.topic}, ${JSON.stringify(event.payload)}::jsonb)`,
  );
  await tx.execute(sql`INSERT INTO core.outbox (id, topic, payload) VALUES ${sql.join(values, sql`, `)}`);
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
    const claimed = await this.db.transaction((tx) =>
      rows<OutboxRow>(
        tx,
        // RETURNING comes in no particular order: sort so events go out in the order they were written.
        sql`WITH claimed AS (
            UPDATE core.outbox SET locked_until = now() + make_interval(secs => ${this.leaseSeconds}), attempts = attempts + 1
            WHERE id IN (
              SELECT id FROM core.outbox
              WHERE status = 'pending' AND available_at <= now() AND (locked_until IS NULL OR locked_until < now())
              ORDER BY available_at, id LIMIT ${this.batchSize}
              FOR UPDATE SKIP LOCKED)
            RETURNING id, topic, payload, created_at, attempts, delivered_to, available_at)
            SELECT id, topic, payload, created_at, attempts, delivered_to FROM claimed ORDER BY available_at, id`,
      ),
    );
    for (const row of claimed) await this.deliver(row);
    return claimed.length;
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const event: DomainEvent = {
      id: row.id,
      topic: row.topic,
      payload: row.payload,
      createdAt: new Date(row.created_at).toISOString(),
    };
    const delivered = [...row.delivered_to];
    let lastError: string | undefined;
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
    await this.db.transaction(async (tx) => {
      if (lastError === undefined) {
        await tx.execute(sql`UPDATE core.outbox SET status = 'delivered', delivered_to = ${JSON.stringify(delivered)}::jsonb,
          locked_until = NULL, last_error = NULL, finished_at = now() WHERE id = ${row.id}`);
      } else if (row.attempts >= this.maxAttempts) {
        await tx.execute(sql`UPDATE core.outbox SET status = 'dead', delivered_to = ${JSON.stringify(delivered)}::jsonb,
          locked_until = NULL, last_error = ${lastError}, finished_at = now() WHERE id = ${row.id}`);
      } else {
        // Exponential backoff: 2 s, 4 s, 8 s … capped at one hour.
        const delay = Math.min(2 ** row.attempts, 3600);
        await tx.execute(sql`UPDATE core.outbox SET delivered_to = ${JSON.stringify(delivered)}::jsonb, locked_until = NULL,
          last_error = ${lastError}, available_at = now() + make_interval(secs => ${delay}) WHERE id = ${row.id}`);
      }
    });
  }
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
