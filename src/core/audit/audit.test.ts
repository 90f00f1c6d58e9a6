import fs from 'node:fs';
import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { CompactSign, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actors, createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { rows, type Tx } from '../db/index.js';
import { newId } from '../ids/index.js';
import { change } from '../kernel/index.js';
import { checkpointFile, hashStoredEntry, type StoredEntry, verifyAudit, writeCheckpoint } from './index.js';

interface EntryRow extends StoredEntry {
  seq: string;
  hash: string;
}

let t: TestKernel;

beforeAll(async () => {
  t = await createTestKernel();
});

afterAll(async () => {
  await t?.close();
});

/** Runs statements as a superuser would, with the append-only triggers switched off. */
async function tamper(fn: (tx: Tx) => Promise<void>): Promise<void> {
  await t.kernel.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await fn(tx);
  });
}

async function exec(tx: Tx, ...statements: SQL[]): Promise<void> {
  for (const statement of statements) await tx.execute(statement);
}

async function entry(tx: Tx, seq: number): Promise<EntryRow> {
  const [row] = await rows<EntryRow>(tx, sql`SELECT * FROM audit.entries WHERE seq = ${seq}`);
  if (!row) throw new Error(`no entry ${seq}`);
  return row;
}

async function insertRow(tx: Tx, seq: number, row: EntryRow): Promise<void> {
  await tx.execute(sql`
    INSERT INTO audit.entries (seq, id, at, actor, action, subject, purpose, before, after, request_id, prev_hash, hash)
    VALUES (${seq}, ${row.id}, ${new Date(row.at).toISOString()}, ${JSON.stringify(row.actor)}::jsonb, ${row.action},
            ${JSON.stringify(row.subject)}::jsonb, ${row.purpose}, ${JSON.stringify(row.before)}::jsonb,
            ${JSON.stringify(row.after)}::jsonb, ${row.request_id}, ${row.prev_hash}, ${row.hash})`);
}

const rehash = (row: EntryRow): string => hashStoredEntry(row);

/** Records `count` entries, one change each, as an application would. */
async function record(count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await change(t.kernel, { actor: actors.staff(['registrar']), requestId: `req-${i}` }, async (c) => {
      c.audit({
        action: 'person.updated',
        subject: { type: 'person', id: `p-${i}` },
        purpose: 'correction',
        before: { name: `Old ${i}` },
        after: { name: `New ${i}` },
      });
    });
  }
}

function verify() {
  return verifyAudit(t.kernel.db, { dataDir: t.dataDir, publicKeys: [t.kernel.keys.audit.publicJwk] });
}

/** Kind and seq of each problem: what an auditor acts on. */
async function problems() {
  const result = await verify();
  return result.problems.map(({ kind, seq }) => ({ kind, seq }));
}

async function count(): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>('SELECT count(*) AS n FROM audit.entries');
  return Number(row?.n);
}

beforeEach(async () => {
  await tamper(async (tx) => {
    await exec(tx, sql`DELETE FROM audit.entries`, sql`DELETE FROM audit.checkpoints`);
  });
  fs.rmSync(checkpointFile(t.dataDir), { force: true });
});

describe('the audit chain', () => {
  it('links entries recorded through change() into a chain that verifies', async () => {
    await record(5);
    const result = await verify();
    expect(result).toEqual({ ok: true, entries: 5, checkpoints: 0, problems: [] });
    const stored = await rows<EntryRow>(t.kernel.db.orm, sql`SELECT * FROM audit.entries ORDER BY seq`);
    expect(stored.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(stored[0]?.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < stored.length; i++) expect(stored[i]?.prev_hash).toBe(stored[i - 1]?.hash);
    for (const row of stored) expect(rehash(row)).toBe(row.hash);
    expect(stored[2]).toMatchObject({
      action: 'person.updated',
      subject: { type: 'person', id: 'p-3' },
      purpose: 'correction',
      before: { name: 'Old 3' },
      after: { name: 'New 3' },
      request_id: 'req-3',
      actor: { type: 'staff', id: 'staff-1', roles: ['registrar'] },
    });
    expect(new Date(stored[2]?.at ?? 0).toISOString()).toBe(t.clock.now().toISOString());
  });

  it('verifies an empty log', async () => {
    expect(await verify()).toEqual({ ok: true, entries: 0, checkpoints: 0, problems: [] });
  });

  it('verifies any JSON content after its round trip through jsonb', async () => {
    // Any Unicode text except NUL, which PostgreSQL does not store in jsonb.
    const json = fc
      .jsonValue({ maxDepth: 3, stringUnit: 'grapheme' })
      .filter((v) => !JSON.stringify(v).includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(json, json, async (before, after) => {
        await change(t.kernel, { actor: actors.citizen() }, async (c) => {
          c.audit({ action: 'probe', subject: { type: 'probe', id: newId() }, before, after });
        });
        const result = await verify();
        expect(result.problems).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

describe('tampering is detected and named', () => {
  it('an edited field: edited at that entry', async () => {
    await record(5);
    await tamper(async (tx) => {
      await tx.execute(sql`UPDATE audit.entries SET after = '{"name":"Forged"}'::jsonb WHERE seq = 3`);
    });
    expect(await problems()).toEqual([{ kind: 'edited', seq: 3 }]);
  });

  it('an edited actor on the first entry: edited at 1', async () => {
    await record(3);
    await tamper(async (tx) => {
      await tx.execute(
        sql`UPDATE audit.entries SET actor = '{"type":"system","id":"nobody"}'::jsonb WHERE seq = 1`,
      );
    });
    expect(await problems()).toEqual([{ kind: 'edited', seq: 1 }]);
  });

  it('a removed middle entry: removed at its seq', async () => {
    await record(5);
    await tamper(async (tx) => {
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq = 3`);
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'removed', seq: 3 }]);
    expect(result.problems[0]?.detail).toContain('entry 3');
    expect(result.ok).toBe(false);
    expect(result.entries).toBe(4);
  });

  it('several removed entries: one problem naming the range', async () => {
    await record(6);
    await tamper(async (tx) => {
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq IN (2, 3, 4)`);
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'removed', seq: 2 }]);
    expect(result.problems[0]?.detail).toContain('2-4');
  });

  it('two adjacent entries swapped (seq kept): reordered at the first', async () => {
    await record(5);
    await tamper(async (tx) => {
      const third = await entry(tx, 3);
      const fourth = await entry(tx, 4);
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq IN (3, 4)`);
      await insertRow(tx, 3, fourth);
      await insertRow(tx, 4, third);
    });
    expect(await problems()).toEqual([{ kind: 'reordered', seq: 3 }]);
  });

  /** Rewrites the log so that position i holds the original entry order[i] (1-based seqs). */
  async function permute(order: number[]): Promise<void> {
    await tamper(async (tx) => {
      const original = new Map<number, EntryRow>();
      for (const seq of order) original.set(seq, await entry(tx, seq));
      await tx.execute(sql`DELETE FROM audit.entries`);
      for (const [i, seq] of order.entries()) await insertRow(tx, i + 1, original.get(seq) as EntryRow);
    });
  }

  it('an entry moved earlier: reordered where it now stands', async () => {
    await record(6);
    await permute([1, 5, 2, 3, 4, 6]);
    expect(await problems()).toEqual([{ kind: 'reordered', seq: 2 }]);
  });

  it('an entry moved later: reordered where the order first breaks', async () => {
    await record(5);
    await permute([1, 3, 4, 2, 5]);
    expect(await problems()).toEqual([{ kind: 'reordered', seq: 2 }]);
  });

  it('a forged entry inserted with a valid hash (tail renumbered): inserted at its seq', async () => {
    await record(5);
    await tamper(async (tx) => {
      const third = await entry(tx, 3);
      // Renumber 4, 5 → 5, 6 in two steps (a unique key is checked row by row).
      await exec(
        tx,
        sql`UPDATE audit.entries SET seq = -seq WHERE seq > 3`,
        sql`UPDATE audit.entries SET seq = -seq + 1 WHERE seq < 0`,
      );
      const forged: EntryRow = {
        ...third,
        id: newId(),
        action: 'person.deleted',
        subject: { type: 'person', id: 'p-99' },
        before: null,
        after: null,
        request_id: null,
        prev_hash: third.hash,
        hash: '',
      };
      forged.hash = rehash(forged);
      await insertRow(tx, 4, forged);
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'inserted', seq: 4 }]);
    expect(result.entries).toBe(6);
  });

  it('an edited entry whose hash was recomputed: the break shows at the next entry', async () => {
    await record(5);
    await tamper(async (tx) => {
      const third = await entry(tx, 3);
      const edited = { ...third, after: { name: 'Forged' } };
      await tx.execute(
        sql`UPDATE audit.entries SET after = ${JSON.stringify(edited.after)}::jsonb, hash = ${rehash(edited)} WHERE seq = 3`,
      );
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'removed', seq: 4 }]);
    expect(result.problems[0]?.detail).toContain('entry 3 was rewritten');
  });

  it('the newest entries cut off after a checkpoint: truncated', async () => {
    await record(5);
    const checkpoint = await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
    expect(checkpoint).toMatchObject({ seq: 5 });
    expect(await verify()).toMatchObject({ ok: true, entries: 5, checkpoints: 2, problems: [] });
    await tamper(async (tx) => {
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq >= 4`);
    });
    const result = await verify();
    expect(result.ok).toBe(false);
    // The checkpoint is in the database and in the file: each reports the cut.
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([
      { kind: 'truncated', seq: 4 },
      { kind: 'truncated', seq: 4 },
    ]);
    expect(result.problems.map((p) => p.detail).join('\n')).toMatch(/database[\s\S]*file/);
  });

  it('a cut-off tail is still detected when the database checkpoints are removed too (the file remains)', async () => {
    await record(4);
    await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
    await tamper(async (tx) => {
      await exec(tx, sql`DELETE FROM audit.entries WHERE seq = 4`, sql`DELETE FROM audit.checkpoints`);
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'truncated', seq: 4 }]);
    expect(result.problems[0]?.detail).toContain('file');
  });

  it('a checkpointed head entry edited and rehashed: checkpoint mismatch', async () => {
    await record(3);
    await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
    await tamper(async (tx) => {
      const head = await entry(tx, 3);
      const edited = { ...head, purpose: 'forged' };
      await tx.execute(
        sql`UPDATE audit.entries SET purpose = 'forged', hash = ${rehash(edited)} WHERE seq = 3`,
      );
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([
      { kind: 'checkpoint', seq: 3 },
      { kind: 'checkpoint', seq: 3 },
    ]);
  });

  it('a checkpoint with a forged signature: checkpoint', async () => {
    await record(3);
    const [head] = await t.kernel.db.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit.entries ORDER BY seq DESC LIMIT 1',
    );
    // Signed with another key but claiming the platform's key id.
    const forger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const claim = { seq: Number(head?.seq), hash: head?.hash, at: t.clock.now().toISOString() };
    const signature = await new CompactSign(new TextEncoder().encode(JSON.stringify(claim)))
      .setProtectedHeader({ alg: 'EdDSA', kid: t.kernel.keys.audit.kid })
      .sign(forger.privateKey);
    await t.kernel.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature)
        VALUES (${claim.seq}, ${claim.hash}, ${claim.at}, ${t.kernel.keys.audit.kid}, ${signature})`);
    });
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'checkpoint', seq: 3 }]);
    expect(result.problems[0]?.detail).toContain('invalid signature');
  });

  it('a genuine checkpoint whose signature was altered in the file: checkpoint', async () => {
    await record(2);
    await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
    const file = checkpointFile(t.dataDir);
    const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as { signature: string };
    const tail = line.signature.slice(-4);
    line.signature = `${line.signature.slice(0, -4)}${tail === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    fs.writeFileSync(file, `${JSON.stringify(line)}\n`);
    const result = await verify();
    expect(result.problems.map(({ kind, seq }) => ({ kind, seq }))).toEqual([{ kind: 'checkpoint', seq: 2 }]);
    expect(result.problems[0]?.detail).toContain('file');
  });
});

describe('the database keeps the log append-only', () => {
  it.each([
    ['UPDATE', `UPDATE audit.entries SET action = 'forged' WHERE seq = 1`],
    ['DELETE', 'DELETE FROM audit.entries WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit.entries'],
  ])('refuses %s', async (_op, statement) => {
    await record(2);
    const before = await rows<EntryRow>(t.kernel.db.orm, sql`SELECT * FROM audit.entries ORDER BY seq`);
    await expect(t.kernel.db.query(statement)).rejects.toThrow(/append-only/);
    await expect(t.kernel.db.transaction((tx) => tx.execute(sql.raw(statement)))).rejects.toThrow();
    expect(await rows<EntryRow>(t.kernel.db.orm, sql`SELECT * FROM audit.entries ORDER BY seq`)).toEqual(
      before,
    );
    expect((await verify()).ok).toBe(true);
  });

  it('refuses to change or remove a checkpoint', async () => {
    await record(1);
    await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
    await expect(t.kernel.db.query(`UPDATE audit.checkpoints SET hash = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.kernel.db.query('DELETE FROM audit.checkpoints')).rejects.toThrow(/append-only/);
    await expect(t.kernel.db.query('TRUNCATE audit.checkpoints')).rejects.toThrow(/append-only/);
    expect(await verify()).toMatchObject({ ok: true, checkpoints: 2 });
  });
});

describe('concurrent appends', () => {
  it('30 concurrent changes produce one unbroken chain 1..30', async () => {
    const n = 30;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        change(t.kernel, { actor: actors.citizen(`c-${i}`) }, async (c) => {
          c.audit({ action: 'application.submitted', subject: { type: 'application', id: `a-${i}` } });
        }),
      ),
    );
    const result = await verify();
    expect(result).toMatchObject({ ok: true, entries: n, problems: [] });
    const seqs = await t.kernel.db.query<{ seq: string }>('SELECT seq FROM audit.entries ORDER BY seq');
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await count()).toBe(n);
  });

  it('the entries of concurrent changes of several entries each stay together, in the order recorded', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        change(t.kernel, { actor: actors.citizen(`c-${i}`) }, async (c) => {
          for (const step of ['one', 'two', 'three']) {
            c.audit({ action: `step.${step}`, subject: { type: 'case', id: `case-${i}` } });
          }
        }),
      ),
    );
    expect(await verify()).toMatchObject({ ok: true, entries: 30, problems: [] });
    const stored = await t.kernel.db.query<{ action: string; case: string }>(
      `SELECT action, subject->>'id' AS case FROM audit.entries ORDER BY seq`,
    );
    for (let at = 0; at < stored.length; at += 3) {
      const change = stored.slice(at, at + 3);
      expect(change.map((e) => e.action)).toEqual(['step.one', 'step.two', 'step.three']);
      expect(new Set(change.map((e) => e.case)).size).toBe(1);
    }
  });
});
