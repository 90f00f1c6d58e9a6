import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { type Database, writeTogether } from '../db/index.js';
import { change } from '../kernel/index.js';
import {
  type DomainEvent,
  EventDispatcher,
  type OutgoingEvent,
  outboxInsert,
  outboxStatus,
} from './index.js';

interface OutboxRow {
  id: string;
  topic: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  delivered_to: string[];
  last_error: string | null;
  locked_until: Date | null;
  finished_at: Date | null;
  /** Seconds from now until the event may be tried again. */
  wait: number;
  /** Seconds from the event's creation to when it may be tried again. */
  due_after_creation: number;
}

let t: TestKernel;
let db: Database;

beforeAll(async () => {
  t = await createTestKernel();
  db = t.kernel.db;
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM core.outbox`);
  });
});

async function outbox(): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `SELECT id, topic, payload, status, attempts, delivered_to, last_error, locked_until, finished_at,
            extract(epoch FROM available_at - now())::float8 AS wait,
            extract(epoch FROM available_at - created_at)::float8 AS due_after_creation
     FROM core.outbox ORDER BY created_at, id`,
  );
}

async function only(): Promise<OutboxRow> {
  const all = await outbox();
  expect(all).toHaveLength(1);
  return all[0] as OutboxRow;
}

async function enqueue(...events: OutgoingEvent[]): Promise<void> {
  await db.transaction((tx) => writeTogether(tx, [outboxInsert(events)]));
}

/** Instead of sleeping through the backoff: the event is due again now. */
async function makeDue(): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE core.outbox SET available_at = now() - interval '1 second'`);
  });
}

async function count(table: string): Promise<number> {
  const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

describe('writing events with the change', () => {
  it('a change that throws leaves no outbox row and no audit entry', async () => {
    const auditBefore = await count('audit.entries');
    await expect(
      change(t.kernel, { actor: actors.citizen() }, async (c) => {
        c.publish({ topic: 'probe.created', payload: { n: 1 } });
        c.audit({ action: 'probe.created', subject: { type: 'probe', id: '1' } });
        throw new Error('validation failed late');
      }),
    ).rejects.toThrow('validation failed late');
    expect(await outbox()).toEqual([]);
    expect(await count('audit.entries')).toBe(auditBefore);
  });

  it('a change that commits writes its events and hands them to the dispatcher', async () => {
    const dispatcher = new EventDispatcher(db);
    const received: DomainEvent[] = [];
    dispatcher.subscribe('probe.created', 'recorder', async (event) => {
      received.push(event);
    });
    const kernel = { ...t.kernel, events: dispatcher };
    await change(kernel, { actor: actors.citizen() }, async (c) => {
      c.publish({ topic: 'probe.created', payload: { n: 1 } });
      c.publish({ topic: 'probe.created', payload: { n: 2 } });
    });
    // change() started a pass after commit; this joins it (or finds nothing left).
    await dispatcher.dispatchOnce();
    expect(received.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    const rows = await outbox();
    expect(rows.map((r) => [r.topic, r.payload, r.status, r.delivered_to])).toEqual([
      ['probe.created', { n: 1 }, 'delivered', ['recorder']],
      ['probe.created', { n: 2 }, 'delivered', ['recorder']],
    ]);
    expect(received[0]?.id).toBe(rows[0]?.id);
    expect(Number.isNaN(Date.parse(received[0]?.createdAt ?? ''))).toBe(false);
  });
});

describe('EventDispatcher', () => {
  it('delivers an event to the subscribers of its topic only', async () => {
    const dispatcher = new EventDispatcher(db);
    const calls: string[] = [];
    dispatcher.subscribe('person.registered', 'welcome', async (e) => {
      calls.push(`welcome:${(e.payload as { id: string }).id}`);
    });
    dispatcher.subscribe('person.registered', 'index', async (e) => {
      calls.push(`index:${(e.payload as { id: string }).id}`);
    });
    dispatcher.subscribe('licence.issued', 'licence-mail', async () => {
      calls.push('licence-mail');
    });
    await enqueue({ topic: 'person.registered', payload: { id: 'p1' } });
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(calls).toEqual(['welcome:p1', 'index:p1']);
    expect(await only()).toMatchObject({
      status: 'delivered',
      attempts: 1,
      delivered_to: ['welcome', 'index'],
      last_error: null,
      locked_until: null,
    });
    expect((await only()).finished_at).not.toBeNull();
    // Delivered events are not delivered again.
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it('finishes in its claim the events nobody here subscribes to, beside those it delivers', async () => {
    const dispatcher = new EventDispatcher(db);
    const calls: number[] = [];
    dispatcher.subscribe('heard.topic', 'sub', async (e) => {
      calls.push((e.payload as { n: number }).n);
    });
    await enqueue(
      { topic: 'unheard.topic', payload: { n: 1 } },
      { topic: 'heard.topic', payload: { n: 2 } },
      { topic: 'unheard.topic', payload: { n: 3 } },
    );
    expect(await dispatcher.dispatchOnce()).toBe(3);
    expect(calls).toEqual([2]);
    const rows = await outbox();
    expect(rows.map((r) => [r.topic, r.status, r.attempts, r.delivered_to, r.locked_until])).toEqual([
      ['unheard.topic', 'delivered', 1, [], null],
      ['heard.topic', 'delivered', 1, ['sub'], null],
      ['unheard.topic', 'delivered', 1, [], null],
    ]);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(await dispatcher.dispatchOnce()).toBe(0);
  });

  it('delivers the events of a batch in the order they were written', async () => {
    const dispatcher = new EventDispatcher(db, { batchSize: 50 });
    const order: number[] = [];
    dispatcher.subscribe('seq.topic', 'sub', async (e) => {
      order.push((e.payload as { n: number }).n);
    });
    await enqueue(...Array.from({ length: 12 }, (_, n) => ({ topic: 'seq.topic', payload: { n } })));
    await enqueue(...Array.from({ length: 12 }, (_, n) => ({ topic: 'seq.topic', payload: { n: n + 12 } })));
    expect(await dispatcher.dispatchOnce()).toBe(24);
    expect(order).toEqual(Array.from({ length: 24 }, (_, n) => n));
  });

  it('refuses a second subscriber with the same name on a topic', () => {
    const dispatcher = new EventDispatcher(db);
    dispatcher.subscribe('a', 'x', async () => {});
    expect(() => dispatcher.subscribe('a', 'x', async () => {})).toThrow(/already registered/);
    expect(() => dispatcher.subscribe('b', 'x', async () => {})).not.toThrow();
  });

  it('retries a failing subscriber with growing backoff, without calling the succeeding one again', async () => {
    const errors: string[] = [];
    const dispatcher = new EventDispatcher(db, {
      onError: (error, event, subscriber) =>
        errors.push(`${subscriber}:${event.topic}:${(error as Error).message}`),
    });
    let okCalls = 0;
    let flakyCalls = 0;
    dispatcher.subscribe('fee.paid', 'receipt', async () => {
      okCalls += 1;
    });
    dispatcher.subscribe('fee.paid', 'ledger', async () => {
      flakyCalls += 1;
      if (flakyCalls < 3) throw new Error(`ledger down (${flakyCalls})`);
    });
    await enqueue({ topic: 'fee.paid', payload: { amount: 5000 } });

    await dispatcher.dispatchOnce();
    let row = await only();
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      delivered_to: ['receipt'],
      last_error: 'ledger: ledger down (1)',
      locked_until: null,
    });
    // Due 2 s after the failure: not before 2 s after creation, and at most 2 s from now.
    expect(row.due_after_creation).toBeGreaterThanOrEqual(1.99);
    expect(row.wait).toBeGreaterThan(0);
    expect(row.wait).toBeLessThanOrEqual(2.05);
    expect(errors).toEqual(['ledger:fee.paid:ledger down (1)']);
    // Not due yet: nothing happens.
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect([okCalls, flakyCalls]).toEqual([1, 1]);

    await makeDue();
    await dispatcher.dispatchOnce();
    row = await only();
    expect(row).toMatchObject({ status: 'pending', attempts: 2, delivered_to: ['receipt'] });
    expect(row.last_error).toBe('ledger: ledger down (2)');
    // The second backoff is twice as long (4 s).
    expect(row.wait).toBeGreaterThan(2.05);
    expect(row.wait).toBeLessThanOrEqual(4.05);

    await makeDue();
    await dispatcher.dispatchOnce();
    row = await only();
    expect(row).toMatchObject({
      status: 'delivered',
      attempts: 3,
      delivered_to: ['receipt', 'ledger'],
      last_error: null,
    });
    expect([okCalls, flakyCalls]).toEqual([1, 3]);
  });

  it('moves an event that keeps failing to the dead letters after maxAttempts', async () => {
    const dispatcher = new EventDispatcher(db, { maxAttempts: 3 });
    let okCalls = 0;
    let badCalls = 0;
    dispatcher.subscribe('permit.expired', 'notify', async () => {
      okCalls += 1;
    });
    dispatcher.subscribe('permit.expired', 'sms', async () => {
      badCalls += 1;
      throw new Error('gateway refused');
    });
    await enqueue({ topic: 'permit.expired', payload: {} });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await makeDue();
      expect(await dispatcher.dispatchOnce()).toBe(1);
    }
    const row = await only();
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 3,
      delivered_to: ['notify'],
      last_error: 'sms: gateway refused',
      locked_until: null,
    });
    expect(row.finished_at).not.toBeNull();
    expect([okCalls, badCalls]).toEqual([1, 3]);
    await makeDue();
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect(badCalls).toBe(3);
    expect(await outboxStatus(db)).toMatchObject({ pending: 0, dead: 1 });
  });

  it('does not take an event another dispatcher holds, and takes it back when that lease runs out', async () => {
    const dispatcher = new EventDispatcher(db);
    const seen: string[] = [];
    dispatcher.subscribe('x.happened', 'sub', async (e) => {
      seen.push(e.id);
    });
    await enqueue({ topic: 'x.happened', payload: {} });
    // Claimed by a process that then died mid-delivery.
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`UPDATE core.outbox SET locked_until = now() + interval '30 seconds', attempts = attempts + 1`,
      );
    });
    expect(await dispatcher.dispatchOnce()).toBe(0);
    expect(seen).toEqual([]);
    await db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE core.outbox SET locked_until = now() - interval '1 second'`);
    });
    expect(await dispatcher.dispatchOnce()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(await only()).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('while one dispatcher is delivering an event, another does not take it', async () => {
    const first = new EventDispatcher(db);
    const second = new EventDispatcher(db);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const calls: string[] = [];
    first.subscribe('slow.topic', 'sub', async () => {
      calls.push('first');
      entered();
      await gate;
    });
    second.subscribe('slow.topic', 'sub', async () => {
      calls.push('second');
    });
    await enqueue({ topic: 'slow.topic', payload: {} });
    const firstPass = first.dispatchOnce();
    await inHandler;
    expect(await second.dispatchOnce()).toBe(0);
    release();
    expect(await firstPass).toBe(1);
    expect(await second.dispatchOnce()).toBe(0);
    expect(calls).toEqual(['first']);
    expect(await only()).toMatchObject({ status: 'delivered', attempts: 1, delivered_to: ['sub'] });
  });

  it('two dispatchers on one database never deliver an event twice to the same subscriber', async () => {
    const delivered: string[] = [];
    const make = () => {
      const dispatcher = new EventDispatcher(db, { batchSize: 4 });
      dispatcher.subscribe('bulk.topic', 'sub', async (e) => {
        delivered.push(e.id);
        await sleep(1);
      });
      return dispatcher;
    };
    const [a, b] = [make(), make()];
    await enqueue(...Array.from({ length: 20 }, (_, i) => ({ topic: 'bulk.topic', payload: { i } })));
    const ids = (await outbox()).map((r) => r.id);
    // One round: each takes a batch; the batches are disjoint.
    const [na, nb] = await Promise.all([a.dispatchOnce(), b.dispatchOnce()]);
    expect(na + nb).toBeGreaterThanOrEqual(4);
    expect(na + nb).toBeLessThanOrEqual(8);
    expect(new Set(delivered).size).toBe(delivered.length);
    // Until the outbox is empty, still no event reaches the subscriber twice.
    for (let round = 0; round < 10; round++) {
      const [x, y] = await Promise.all([a.dispatchOnce(), b.dispatchOnce()]);
      if (x + y === 0) break;
    }
    expect([...delivered].sort()).toEqual([...ids].sort());
    expect((await outbox()).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('dispatchOnce joins the pass already running instead of starting another', async () => {
    const dispatcher = new EventDispatcher(db);
    let calls = 0;
    dispatcher.subscribe('join.topic', 'sub', async () => {
      calls += 1;
      await sleep(5);
    });
    await enqueue({ topic: 'join.topic', payload: {} }, { topic: 'join.topic', payload: {} });
    const [x, y] = await Promise.all([dispatcher.dispatchOnce(), dispatcher.dispatchOnce()]);
    expect([x, y]).toEqual([2, 2]);
    expect(calls).toBe(2);
  });

  it('start() polls until stopped', async () => {
    const dispatcher = new EventDispatcher(db);
    const seen: unknown[] = [];
    dispatcher.subscribe('poll.topic', 'sub', async (e) => {
      seen.push(e.payload);
    });
    dispatcher.start(10);
    try {
      await enqueue({ topic: 'poll.topic', payload: { n: 1 } });
      for (let i = 0; i < 500 && seen.length === 0; i++) await sleep(10);
      expect(seen).toEqual([{ n: 1 }]);
    } finally {
      await dispatcher.stop();
    }
    await enqueue({ topic: 'poll.topic', payload: { n: 2 } });
    await sleep(50);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('a pass that fails (database unavailable) does not stop polling or crash the process', async () => {
    let failing = true;
    let passes = 0;
    const flaky: Database = {
      ...db,
      query: (text, params) => {
        passes += 1;
        return failing ? Promise.reject(new Error('connection refused')) : db.query(text, params);
      },
    };
    const failures: unknown[] = [];
    const dispatcher = new EventDispatcher(flaky, { onPassError: (error) => failures.push(error) });
    const seen: unknown[] = [];
    dispatcher.subscribe('flaky.topic', 'sub', async (e) => {
      seen.push(e.payload);
    });
    await enqueue({ topic: 'flaky.topic', payload: { n: 1 } });
    dispatcher.start(10);
    try {
      for (let i = 0; i < 1000 && passes < 3; i++) await sleep(5);
      expect(passes).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual([]);
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect((failures[0] as Error).message).toBe('connection refused');
      failing = false;
      for (let i = 0; i < 1000 && seen.length === 0; i++) await sleep(5);
      expect(seen).toEqual([{ n: 1 }]);
    } finally {
      await dispatcher.stop();
    }
  });
});

describe('outboxStatus', () => {
  it('is all zero for an empty outbox', async () => {
    expect(await outboxStatus(db)).toEqual({ pending: 0, dead: 0, lagSeconds: 0 });
  });

  it('counts pending and dead events and reports the age of the oldest pending one', async () => {
    await enqueue(
      { topic: 'a', payload: 1 },
      { topic: 'a', payload: 2 },
      { topic: 'a', payload: 3 },
      { topic: 'a', payload: 4 },
    );
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`UPDATE core.outbox SET created_at = now() - interval '90 seconds' WHERE payload = '1'`,
      );
      await tx.execute(
        sql`UPDATE core.outbox SET status = 'dead', created_at = now() - interval '1 hour' WHERE payload = '2'`,
      );
      await tx.execute(
        sql`UPDATE core.outbox SET status = 'delivered', created_at = now() - interval '2 hours' WHERE payload = '3'`,
      );
    });
    const status = await outboxStatus(db);
    expect(status.pending).toBe(2);
    expect(status.dead).toBe(1);
    // The dead and delivered events are older but do not count as lag.
    expect(status.lagSeconds).toBeGreaterThanOrEqual(90);
    expect(status.lagSeconds).toBeLessThan(100);
  });
});
