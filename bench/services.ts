import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { Actor } from '../src/core/actors/index.js';
import { loadConfig } from '../src/core/config/index.js';
import { newId } from '../src/core/ids/index.js';
import { change, type Kernel } from '../src/core/kernel/index.js';
import { createLogger } from '../src/core/log/index.js';
import { createReference } from '../src/core/reference/index.js';
import { takeAction } from '../src/modules/services/act.js';
import { loadCatalogue, SHIPPED_CATALOGUE } from '../src/modules/services/index.js';
import { submitApplication } from '../src/modules/services/submit.js';
import { openKernel } from '../src/platform.js';
import {
  admin,
  BENCH_REGISTRAR,
  cpuMilliseconds,
  type IdentityRow,
  identityTable,
  inParallel,
  perSecond,
} from './identity.js';

/**
 * The services benchmark (BENCH_ONLY=services, or `npx tsx bench/services.ts`), on PostgreSQL:
 * applications of the change-of-address service submitted and taken through their first
 * transition (a registrar's "verify"), each a change() of its own — form check, reference, history,
 * task queue, audit chain, outbox, notification — by BENCH_WORKERS (default 8) at a time. The
 * baseline writes the same application, history and task rows with raw pg in as many
 * transactions (two per application), with as many workers.
 *
 * A fresh database mmuso_bench_services_<pid> on BENCH_DATABASE_URL or TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), dropped at the end.
 */
const TARGET = 300;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export interface ServicesReport {
  rows: IdentityRow[];
  details: Record<string, unknown>;
  seconds: number;
}

export interface ServicesBenchOptions {
  serverUrl: string;
  applications?: number;
  workers?: number;
  onCleanup?: (fn: () => Promise<unknown>) => void;
  log?: (line: string) => void;
}

/** Runs work(0 … count-1) with `workers` in flight; returns items per second. */
const rate = async (workers: number, count: number, work: (i: number) => Promise<unknown>) =>
  perSecond(count, await inParallel(workers, count, work));

const address = (i: number) => ({
  address: { district: 'ABCDEFGHJK'[i % 10], village: `Motse ${i}` },
  since: '2026-10-01',
});

async function ours(kernel: Kernel, count: number, workers: number, offset: number): Promise<number> {
  const catalogue = loadCatalogue(SHIPPED_CATALOGUE);
  const registrar = BENCH_REGISTRAR;
  return rate(workers, count, async (i) => {
    const actor: Actor = { type: 'citizen', id: `bench-citizen-${offset + i}`, roles: [], scopes: [] };
    const caller = { actor, personId: null, phone: '+26658000000' };
    const { reference } = await change(kernel, { actor }, (c) =>
      submitApplication(c, catalogue, caller, 'change-of-address', { form: address(offset + i) }, 'st'),
    );
    await change(kernel, { actor: registrar }, (c) =>
      takeAction(c, catalogue, { actor: registrar, personId: null }, reference, 'verify', {}, 'en'),
    );
  });
}

/** Runs statements in one raw transaction on a pooled connection. */
async function inTransaction(pool: pg.Pool, statements: [string, unknown[]][]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const [text, params] of statements) await client.query(text, params);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function retryOnTakenReference(write: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if ((error as { constraint?: string }).constraint !== 'applications_reference_key') throw error;
    }
  }
}

const HISTORY = `INSERT INTO services.history (application_id, seq, action, from_state, to_state, actor_id, actor, at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
const TASK = `INSERT INTO services.tasks (id, application_id, state, roles, office, created_at, due_at)
  VALUES ($1, $2, $3, ARRAY['registrar','supervisor'], 'maseru-hq', $4, $4)`;

/**
 * The rows the engine writes for one application, with raw pg and as many transactions: the
 * submission (application, first step, task), then the transition (state, step, tasks).
 */
async function baseline(pool: pg.Pool, count: number, workers: number, offset: number): Promise<number> {
  return rate(workers, count, async (i) => {
    const id = newId();
    const now = new Date();
    const who = `raw-${offset + i}`;
    const actor = JSON.stringify({ type: 'citizen', id: who });
    // A reference already taken is drawn again, as the engine does (a few thousand draws make a
    // collision likely enough to break a run).
    await retryOnTakenReference(() =>
      inTransaction(pool, [
        [
          `INSERT INTO services.applications (id, reference, service_id, service_version, state, form, fee_lisente,
             applicant_kind, applicant_account, office, created_at, updated_at, locale, notify_account, notify_phone)
           VALUES ($1, $2, 'change-of-address', 1, 'submitted', $3, 0, 'citizen', $4, 'maseru-hq', $5, $5, 'st', $4,
             '+26658000000')`,
          [id, createReference('RW', 2026), JSON.stringify(address(offset + i)), who, now],
        ],
        [HISTORY, [id, 1, 'apply', null, 'submitted', who, actor, now]],
        [TASK, [newId(), id, 'submitted', now]],
      ]),
    );
    await inTransaction(pool, [
      [`UPDATE services.applications SET state = 'verified', updated_at = $2 WHERE id = $1`, [id, now]],
      [HISTORY, [id, 2, 'verify', 'submitted', 'verified', 'bench-registrar', actor, now]],
      [`UPDATE services.tasks SET closed_at = $2 WHERE application_id = $1 AND closed_at IS NULL`, [id, now]],
      [TASK, [newId(), id, 'verified', now]],
    ]);
  });
}

interface Round {
  rate: number;
  /** CPU milliseconds per application: this process, and the bench database's backends. */
  node: number;
  postgres: number | null;
}

/**
 * One measured round and the CPU it took, the outbox's deliveries included (they are part of what
 * an application costs): CPU time does not depend on what else the machine runs, throughput does.
 */
async function measured(kernel: Kernel, count: number, run: () => Promise<number>): Promise<Round> {
  const before = await cpuMilliseconds(kernel);
  const perSecond = await run();
  while ((await kernel.events.dispatchOnce()) > 0);
  const after = await cpuMilliseconds(kernel);
  return {
    rate: perSecond,
    node: (after.node - before.node) / count,
    postgres:
      after.postgres === null || before.postgres === null ? null : (after.postgres - before.postgres) / count,
  };
}

export async function runServicesBench(options: ServicesBenchOptions): Promise<ServicesReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const count = options.applications ?? positive(process.env.BENCH_APPLICATIONS, 2000);
  const workers = options.workers ?? positive(process.env.BENCH_WORKERS, 8);
  const began = performance.now();
  const name = `mmuso_bench_services_${process.pid}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-bench-services-'));
  const drop = async () => {
    await admin(options.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  options.onCleanup?.(drop);
  const url = new URL(options.serverUrl);
  url.pathname = `/${name}`;
  let kernel: Kernel | undefined;
  let pool: pg.Pool | undefined;
  try {
    await admin(options.serverUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
    });
    const config = loadConfig({
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      DATABASE_POOL_SIZE: String(workers + 2),
      LOG_LEVEL: 'silent',
      SEED_DEMO_DATA: 'false',
      NODE_ENV: 'production',
    });
    const k = await openKernel(config, { log: createLogger('silent') });
    kernel = k;
    // The baseline's connections stay open across its rounds, so their backends' CPU can be read.
    const raw = new pg.Pool({ connectionString: url.toString(), max: workers });
    pool = raw;
    raw.on('error', () => {});
    log(
      `\n(services) ${fmt(count)} applications, submit + first transition, ${workers} workers, vs raw inserts`,
    );
    // Warm-up: prepared plans, pool connections, JIT.
    await ours(k, 100, workers, 0);
    await baseline(raw, 100, workers, 0);
    // Two turns each, alternating, so drift in background load falls on both alike.
    const half = Math.floor(count / 2);
    const turns = [
      { n: half, offset: 1000 },
      { n: count - half, offset: 1000 + half },
    ];
    const oursRounds: Round[] = [];
    const baseRounds: Round[] = [];
    for (const { n, offset } of turns) {
      oursRounds.push(await measured(k, n, () => ours(k, n, workers, offset)));
      baseRounds.push(await measured(k, n, () => baseline(raw, n, workers, offset)));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const cpu = (rounds: Round[]) => {
      const pgMs = rounds.map((r) => r.postgres);
      return {
        node: mean(rounds.map((r) => r.node)),
        postgres: pgMs.includes(null) ? null : mean(pgMs as number[]),
      };
    };
    const oursRate = mean(oursRounds.map((r) => r.rate));
    const baseRate = mean(baseRounds.map((r) => r.rate));
    const oursCpu = cpu(oursRounds);
    const baseCpu = cpu(baseRounds);
    const ms = (c: { node: number; postgres: number | null }) =>
      `Node ${fmt(c.node, 2)} ms + PostgreSQL ${c.postgres === null ? 'not measurable (another machine)' : `${fmt(c.postgres, 2)} ms`}`;
    log(
      `  ours: ${oursRounds.map((r) => fmt(r.rate, 1)).join(', ')} applications/s; CPU per application: ${ms(oursCpu)}`,
    );
    log(
      `  baseline: ${baseRounds.map((r) => fmt(r.rate, 1)).join(', ')} applications/s; CPU per application: ${ms(baseCpu)}`,
    );
    const rows: IdentityRow[] = [
      {
        name: `applications/s (submit + first transition, ${workers} workers)`,
        ours: oursRate,
        unit: '/s',
        baseline: baseRate,
        baselineLabel: 'raw pg: the same rows, two transactions per application',
        ratio: oursRate / baseRate,
        target: `≥ ${TARGET}/s`,
        verdict: oursRate >= TARGET ? 'ok' : 'MISSED',
        note: 'ours adds the form check, audit chain, outbox event and notification rows',
      },
    ];
    return {
      rows,
      details: {
        applications: count,
        workers,
        ours: oursRounds.map((r) => r.rate),
        baseline: baseRounds.map((r) => r.rate),
        cpuMillisecondsPerApplication: { ours: oursCpu, baseline: baseCpu },
      },
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    await pool?.end().catch(() => {});
    await kernel?.db.close().catch(() => {});
    await drop().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const serverUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  const report = await runServicesBench({ serverUrl });
  console.log(`\n${identityTable(report.rows)}\n`);
  console.log(`ratio = ours / baseline (higher is better); ok = at least ${TARGET} applications/s.`);
}
