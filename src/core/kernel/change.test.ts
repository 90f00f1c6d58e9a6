import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { verifyAudit } from '../audit/index.js';
import { type Database, rows } from '../db/index.js';
import type { DomainEvent } from '../events/index.js';
import { change } from './index.js';

let t: TestKernel;
let db: Database;
const received: DomainEvent[] = [];

beforeAll(async () => {
  t = await createTestKernel();
  db = t.kernel.db;
  await db.execScript('CREATE TABLE public.change_probe (id text PRIMARY KEY, value text NOT NULL)');
  t.kernel.events.subscribe('probe.saved', 'recorder', async (event) => {
    received.push(event);
  });
});

afterAll(async () => {
  await t?.close();
});

beforeEach(() => {
  received.length = 0;
});

async function snapshot() {
  const [probe] = await db.query<{ n: string }>('SELECT count(*) AS n FROM public.change_probe');
  const [audit] = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit.entries');
  const [outbox] = await db.query<{ n: string }>('SELECT count(*) AS n FROM core.outbox');
  return { probe: Number(probe?.n), audit: Number(audit?.n), outbox: Number(outbox?.n) };
}

async function insertIdempotencyRecord(actorKey: string, key: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO core.idempotency (actor_key, key, method, path, body_hash, expires_at)
      VALUES (${actorKey}, ${key}, 'POST', '/probe', 'abc', now() + interval '1 day')`);
  });
}

async function committedMark(actorKey: string, key: string): Promise<boolean | undefined> {
  const [row] = await db.query<{ committed: boolean }>(
    'SELECT committed FROM core.idempotency WHERE actor_key = $1 AND key = $2',
    [actorKey, key],
  );
  return row?.committed;
}

describe('change()', () => {
  it('commits the state, its audit entry and its event together, and returns the result', async () => {
    const before = await snapshot();
    const result = await change(
      t.kernel,
      { actor: actors.staff(['registrar']), requestId: 'req-commit' },
      async (c) => {
        expect(c.now.toISOString()).toBe(t.clock.now().toISOString());
        expect(c.actor.id).toBe('staff-1');
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('a', 'one')`);
        c.audit({ action: 'probe.saved', subject: { type: 'probe', id: 'a' }, after: { value: 'one' } });
        c.publish({ topic: 'probe.saved', payload: { id: 'a' } });
        return { id: 'a' };
      },
    );
    expect(result).toEqual({ id: 'a' });
    expect(await snapshot()).toEqual({
      probe: before.probe + 1,
      audit: before.audit + 1,
      outbox: before.outbox + 1,
    });
    const [entry] = await rows<{
      action: string;
      actor: unknown;
      request_id: string;
      at: Date;
      after: unknown;
    }>(db.orm, sql`SELECT action, actor, request_id, at, after FROM audit.entries ORDER BY seq DESC LIMIT 1`);
    expect(entry).toMatchObject({
      action: 'probe.saved',
      actor: { type: 'staff', id: 'staff-1', roles: ['registrar'] },
      request_id: 'req-commit',
      after: { value: 'one' },
    });
    expect(new Date(entry?.at ?? 0).toISOString()).toBe(t.clock.now().toISOString());
    const [event] = await db.query<{ topic: string; payload: unknown }>(
      'SELECT topic, payload FROM core.outbox ORDER BY created_at DESC, id DESC LIMIT 1',
    );
    expect(event).toEqual({ topic: 'probe.saved', payload: { id: 'a' } });
    // After the commit the kernel's dispatcher was started; join its pass.
    await t.kernel.events.dispatchOnce();
    expect(received.map((e) => e.payload)).toEqual([{ id: 'a' }]);
    expect(
      (await verifyAudit(db, { dataDir: t.dataDir, publicKeys: [t.kernel.keys.audit.publicJwk] })).ok,
    ).toBe(true);
  });

  it('rolls back the state, the audit entries and the events when the change throws', async () => {
    const before = await snapshot();
    const failure = new Error('the registrar cancelled');
    await expect(
      change(t.kernel, { actor: actors.citizen() }, async (c) => {
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('b', 'two')`);
        c.audit({ action: 'probe.saved', subject: { type: 'probe', id: 'b' } });
        c.publish({ topic: 'probe.saved', payload: { id: 'b' } });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await snapshot()).toEqual(before);
    await t.kernel.events.dispatchOnce();
    expect(received).toEqual([]);
  });

  it('rolls back everything when a statement of the change fails', async () => {
    await change(t.kernel, { actor: actors.citizen() }, async (c) => {
      await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('dup', 'first')`);
    });
    const before = await snapshot();
    await expect(
      change(t.kernel, { actor: actors.citizen() }, async (c) => {
        c.audit({ action: 'probe.saved', subject: { type: 'probe', id: 'dup' } });
        c.publish({ topic: 'probe.saved', payload: { id: 'dup' } });
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('c', 'three')`);
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('dup', 'again')`);
      }),
    ).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });

  it('writes several audit entries and events of one change in order', async () => {
    const before = await snapshot();
    await change(t.kernel, { actor: actors.citizen() }, async (c) => {
      for (const id of ['m1', 'm2', 'm3']) {
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES (${id}, 'x')`);
        c.audit({ action: 'probe.saved', subject: { type: 'probe', id } });
        c.publish({ topic: 'probe.saved', payload: { id } });
      }
    });
    const entries = await rows<{ subject: { id: string } }>(
      db.orm,
      sql`SELECT subject FROM audit.entries ORDER BY seq DESC LIMIT 3`,
    );
    expect(entries.map((e) => e.subject.id).reverse()).toEqual(['m1', 'm2', 'm3']);
    expect((await snapshot()).outbox).toBe(before.outbox + 3);
    await t.kernel.events.dispatchOnce();
    expect(received.map((e) => (e.payload as { id: string }).id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('a change with no audit entry and no event writes neither', async () => {
    const before = await snapshot();
    await change(t.kernel, { actor: actors.citizen() }, async (c) => {
      await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('quiet', 'x')`);
    });
    expect(await snapshot()).toEqual({ ...before, probe: before.probe + 1 });
  });
});

describe('change() and the idempotency mark', () => {
  it('marks the Idempotency-Key record committed in the same transaction', async () => {
    await insertIdempotencyRecord('citizen:c-1', 'key-ok');
    await insertIdempotencyRecord('citizen:c-1', 'key-other');
    expect(await committedMark('citizen:c-1', 'key-ok')).toBe(false);
    await change(
      t.kernel,
      { actor: actors.citizen('c-1'), idempotency: { actorKey: 'citizen:c-1', key: 'key-ok' } },
      async (c) => {
        await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('idem', 'x')`);
      },
    );
    expect(await committedMark('citizen:c-1', 'key-ok')).toBe(true);
    // Only the record named.
    expect(await committedMark('citizen:c-1', 'key-other')).toBe(false);
  });

  it('leaves the mark unset when the change throws', async () => {
    await insertIdempotencyRecord('citizen:c-2', 'key-fail');
    await expect(
      change(
        t.kernel,
        { actor: actors.citizen('c-2'), idempotency: { actorKey: 'citizen:c-2', key: 'key-fail' } },
        async (c) => {
          await c.tx.execute(sql`INSERT INTO public.change_probe (id, value) VALUES ('idem-fail', 'x')`);
          throw new Error('refused');
        },
      ),
    ).rejects.toThrow('refused');
    expect(await committedMark('citizen:c-2', 'key-fail')).toBe(false);
    const [probe] = await db.query('SELECT id FROM public.change_probe WHERE id = $1', ['idem-fail']);
    expect(probe).toBeUndefined();
  });
});
