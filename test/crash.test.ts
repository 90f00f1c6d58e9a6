import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../src/core/audit/index.js';
import { type Database, openDatabase } from '../src/core/db/index.js';
import { keyFromJwk } from '../src/core/keys/index.js';
import { type ChildServer, startServer } from './support/child-server.js';
import { createEmptyDatabase, type TestDatabase } from './support/database.js';
import { actors } from './support/kernel.js';

/**
 * Crash safety: every write the server acknowledged survives a SIGKILL of the server process
 * while other writes are in flight, and the server starts again on the same data by itself.
 * On embedded PGlite always; on a PostgreSQL server too when TEST_DATABASE_URL is set.
 */
const onServer = Boolean(process.env.TEST_DATABASE_URL);
const KILL_AFTER = 150;
const IN_FLIGHT = 4;
/** The stream stops by itself if the server never gets to KILL_AFTER acknowledgements. */
const STREAM_LIMIT_MS = 30_000;

const notice = (n: number) => ({
  title: { en: `Crash test notice ${n}`, st: `Tsebiso ea teko ${n}` },
  body: { en: 'Written while the server is killed.', st: 'E ngotsoe ha seva e bolaoa.' },
  district: 'A',
});

interface Stream {
  acknowledged: string[];
  /** Requests sent but not answered when the server was killed. */
  inFlightAtKill: number;
  failedAfterKill: number;
  unexpected: string[];
}

/** IN_FLIGHT writers post notices until the server dies; the KILL_AFTER-th 2xx triggers SIGKILL. */
async function writeUntilKilled(server: ChildServer, authorization: string): Promise<Stream> {
  const stream: Stream = { acknowledged: [], inFlightAtKill: 0, failedAfterKill: 0, unexpected: [] };
  let killed = false;
  let inFlight = 0;
  let sent = 0;
  const deadline = Date.now() + STREAM_LIMIT_MS;
  const writer = async () => {
    while (!killed && Date.now() < deadline && stream.unexpected.length === 0) {
      sent += 1;
      inFlight += 1;
      try {
        const response = await fetch(`${server.url}/api/v1/announcements`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(notice(sent)),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status === 201) {
          stream.acknowledged.push((JSON.parse(text) as { id: string }).id);
          if (stream.acknowledged.length === KILL_AFTER && !killed) {
            killed = true;
            // Count the others: this writer's own request is answered already.
            stream.inFlightAtKill = inFlight - 1;
            server.kill('SIGKILL');
          }
        } else if (!killed) {
          stream.unexpected.push(`${response.status} ${text.slice(0, 300)}`);
        }
      } catch (error) {
        if (killed) stream.failedAfterKill += 1;
        else stream.unexpected.push(String(error));
      } finally {
        inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
  return stream;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return out;
}

describe(`crash safety on ${onServer ? 'PostgreSQL' : 'embedded PGlite'}`, () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  const servers: ChildServer[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-crash-'));
    if (onServer) database = await createEmptyDatabase();
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop(5_000)));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps every acknowledged write through a SIGKILL mid-stream and restarts on the same data', async () => {
    const start = async () => {
      const server = await startServer({ dataDir, databaseUrl: database?.url });
      servers.push(server);
      return server;
    };

    // 1. A stream of writes, SIGKILL while some are in flight.
    const first = await start();
    const authorization = `Bearer ${await first.tokenFor(actors.staff(['supervisor']))}`;
    const killedPid = first.serverPid();
    const stream = await writeUntilKilled(first, authorization);
    if (process.platform === 'linux') expect(killedPid).toBeTypeOf('number');
    expect(stream.unexpected).toEqual([]);
    // Answers the server wrote just before it died still arrive and count: they were acknowledged.
    expect(stream.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(stream.acknowledged.length).toBeLessThan(KILL_AFTER + IN_FLIGHT);
    expect(stream.inFlightAtKill).toBeGreaterThan(0);
    const exit = await first.waitForExit();
    expect(exit.signal).toBe('SIGKILL');

    // 2. The killed process left its lock behind (PGlite); the new one takes it over by itself.
    const lockFile = path.join(dataDir, 'mmuso.lock');
    if (!onServer) {
      expect(fs.existsSync(lockFile)).toBe(true);
      if (killedPid !== undefined) expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(killedPid));
    }
    const second = await start();
    const ready = await fetch(`${second.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });

    // 3. Every acknowledged notice is served by the restarted server.
    const statuses = await mapLimit(stream.acknowledged, 8, async (id) => {
      const response = await fetch(`${second.url}/api/v1/announcements/${id}`);
      const body = (await response.json()) as { id?: string };
      return response.status === 200 && body.id === id ? 'ok' : `${id}: ${response.status}`;
    });
    expect(statuses.filter((s) => s !== 'ok')).toEqual([]);

    // 4. A graceful stop, then the stored data checked directly.
    second.kill('SIGTERM');
    expect(await second.waitForExit()).toEqual({ code: 0, signal: null });
    if (!onServer) expect(fs.existsSync(lockFile)).toBe(false);

    const db: Database = database ? database.db : await openDatabase({ dataDir });
    try {
      const found = await db.query<{ id: string }>(
        'SELECT id FROM messaging.announcements WHERE id = ANY($1::uuid[])',
        [stream.acknowledged],
      );
      expect(new Set(found.map((r) => r.id))).toEqual(new Set(stream.acknowledged));

      // Each committed notice came with its audit entry in the same transaction, no more, no less.
      const [counts] = await db.query<{ notices: string; audited: string }>(
        `SELECT (SELECT count(*) FROM messaging.announcements) AS notices,
                (SELECT count(*) FROM audit.entries WHERE action = 'messaging.announcement.published') AS audited`,
      );
      expect(Number(counts?.notices)).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(Number(counts?.audited)).toBe(Number(counts?.notices));

      const file = path.join(dataDir, 'keys', 'audit-checkpoint.jwk.json');
      const auditKey = await keyFromJwk(JSON.parse(fs.readFileSync(file, 'utf8')) as JWK);
      const verification = await verifyAudit(db, { dataDir, publicKeys: [auditKey.publicJwk] });
      expect(verification.problems).toEqual([]);
      expect(verification.ok).toBe(true);
      expect(verification.entries).toBe(Number(counts?.audited));
      // The graceful stop signed the head of the chain.
      expect(verification.checkpoints).toBeGreaterThanOrEqual(1);
    } finally {
      if (!database) await db.close();
    }
  }, 180_000);
});
