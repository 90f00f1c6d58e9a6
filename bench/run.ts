import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type ChildServer, startServer } from '../test/support/child-server.js';
import { benchPersons, type IdentityReport, identityTable, runIdentityBench } from './identity.js';
import { loginGroup } from './login.js';
import { judge, type LoadSettings, measureInTurns, type Outcome, type Row, table } from './measure.js';
import { runServicesBench, type ServicesReport } from './services.js';

/**
 * `npm run bench`: each server in its own child process, load from this process over loopback
 * with autocannon, our figure beside a baseline measured in the same run. A report: exits 0 when
 * a target is missed, non-zero only when the benchmark itself could not run.
 *
 * BENCH_SECONDS (default 10) measured per server and case, BENCH_ROUNDS (default 2) turns it is
 * split into (ours, baseline, ours, baseline: background load drifts onto both alike),
 * BENCH_CONNECTIONS (default 50), BENCH_DATABASE_URL or TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test): a server on which a fresh database mmuso_bench_<pid>
 * is created and dropped afterwards.
 *
 * Groups: http (the servers above) and identity (bench/identity.ts: UIN generation, bulk load,
 * duplicate search, registrations and matching quality on PostgreSQL, BENCH_PERSONS people,
 * default 2,300,000; BENCH_KEEP_REGISTER=<database> keeps the loaded register between runs), services (bench/services.ts: submit + first transition of applications on
 * PostgreSQL against raw inserts of the same rows, BENCH_APPLICATIONS, default 2,000) and login
 * (bench/login.ts: code exchanges and userinfo of the national login on PostgreSQL).
 * BENCH_ONLY=http, identity, services or login runs one of them.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const settings: LoadSettings = {
  seconds: positive(process.env.BENCH_SECONDS, 10),
  connections: Math.round(positive(process.env.BENCH_CONNECTIONS, 50)),
  warmupSeconds: 2,
  rounds: Math.round(positive(process.env.BENCH_ROUNDS, 2)),
};
const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
/** Our server as an operator would run it, minus the per-client rate limit the load would trip. */
const OURS_ENV = { NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' };

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp() {
  while (cleanups.length) {
    await cleanups
      .pop()?.()
      .catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
  }
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping servers and dropping the bench database…`);
    cleanUp().finally(() => process.exit(130));
  });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
const redact = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = '*****';
  return u.toString();
};

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server, dropped at the end; undefined when the server cannot be reached. */
async function benchDatabase(): Promise<string | undefined> {
  const name = `mmuso_bench_${process.pid}`;
  try {
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
    });
  } catch (error) {
    console.log(`PostgreSQL at ${redact(serverUrl)} not usable (${(error as Error).message}):`);
    console.log('  the one-row read against PostgreSQL is skipped.\n');
    return undefined;
  }
  cleanups.push(() => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  return withDatabase(serverUrl, name);
}

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mmuso-bench-${label}-`));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(label: string, options: Parameters<typeof startServer>[0]): Promise<ChildServer> {
  const began = Date.now();
  const server = await startServer(options);
  cleanups.push(() => server.stop(10_000));
  console.log(`  started ${label} at ${server.url} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return server;
}

async function stop(server: ChildServer) {
  await server.stop(10_000);
}

/** Publishes one notice through the platform API; returns its id. */
async function seed(server: ChildServer): Promise<string> {
  const token = await server.tokenFor({
    type: 'staff',
    id: 'bench',
    roles: ['administrator'],
    ministry: 'home-affairs',
    office: 'maseru-hq',
    scopes: [],
  });
  const response = await fetch(`${server.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: { en: 'Maseru centre closed on Friday', st: 'Setsi sa Maseru se koetsoe ka Labohlano' },
      body: { en: 'Closed on Friday for maintenance.', st: 'Se koetsoe ka Labohlano bakeng sa tokiso.' },
      district: 'A',
    }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Measures the URLs in turns; prints each round as it ends. */
async function measured(urls: Record<string, string>) {
  const labels = Object.keys(urls);
  const byUrl = new Map(Object.entries(urls).map(([label, url]) => [url, label]));
  const results = await measureInTurns(Object.values(urls), settings, (url, round, rps) =>
    console.log(`  round ${round} ${byUrl.get(url)}: ${Math.round(rps).toLocaleString('en-US')} req/s`),
  );
  return Object.fromEntries(labels.map((label, i) => [label, results[i]]));
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a measurement is missing');
  return value;
}

const only = process.env.BENCH_ONLY?.trim().toLowerCase() || undefined;
const GROUPS = ['http', 'identity', 'services', 'login'];
if (only !== undefined && !GROUPS.includes(only)) {
  console.error(`BENCH_ONLY must be one of ${GROUPS.join(', ')}, not ${process.env.BENCH_ONLY}`);
  process.exit(2);
}

/** The identity group, or undefined when PostgreSQL cannot be reached. */
async function identityGroup(): Promise<IdentityReport | undefined> {
  const persons = benchPersons();
  console.log(
    `\n== identity group: PostgreSQL at ${redact(serverUrl)}, BENCH_PERSONS=${persons.toLocaleString('en-US')}`,
  );
  try {
    await admin(async (c) => c.query('SELECT 1'));
  } catch (error) {
    console.log(`PostgreSQL not usable (${(error as Error).message}): the identity group is skipped.`);
    return undefined;
  }
  return runIdentityBench({
    serverUrl,
    persons,
    keepRegister: process.env.BENCH_KEEP_REGISTER || undefined,
    onCleanup: (fn) => cleanups.push(fn),
  });
}

/** The services group, or undefined when PostgreSQL cannot be reached. */
async function servicesGroup(): Promise<ServicesReport | undefined> {
  console.log(`\n== services group: PostgreSQL at ${redact(serverUrl)}`);
  try {
    await admin(async (c) => c.query('SELECT 1'));
  } catch (error) {
    console.log(`PostgreSQL not usable (${(error as Error).message}): the services group is skipped.`);
    return undefined;
  }
  return runServicesBench({ serverUrl, onCleanup: (fn) => cleanups.push(fn) });
}

async function main() {
  const began = Date.now();
  console.log(`Mmuso benchmark${only ? ` (BENCH_ONLY=${only})` : ''}`);
  console.log(
    `  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()}`,
  );
  const loadBefore = os.loadavg();
  const runs = (group: string) => only === undefined || only === group;
  const http = runs('http') ? await httpGroup() : undefined;
  const identity = runs('identity') ? await identityGroup() : undefined;
  const services = runs('services') ? await servicesGroup() : undefined;
  const login = runs('login') ? await loginGroupOnPostgres() : undefined;
  const loadAfter = os.loadavg();

  if (http) {
    console.log(`\n${table(http.outcomes)}\n`);
    console.log(
      'ratio = ours / baseline req/s; ok = ratio ≥ target. Servers: LOG_LEVEL=warn, RATE_LIMIT_PER_MINUTE=0.',
    );
    console.log(
      'The PGlite row is for information: it has no target (its ratio is against the PostgreSQL baseline).',
    );
  }
  if (login) {
    console.log(`\n${table(login)}\n`);
    console.log(
      'login: ok = our req/s ≥ the target (absolute, issue 5); ratio = ours / baseline (a bare Fastify ' +
        'route doing one ES256 JWT sign, resp. verify), for scale.',
    );
  }
  if (identity) {
    console.log(`\n${identityTable(identity.rows)}\n`);
    console.log(
      'identity: ratio = ours / baseline (rates: higher is better; latencies: lower is better); ' +
        'ok = the target is met (absolute targets).',
    );
  }
  // Before the run nothing of ours was running: a load above the core count is someone else's work.
  if ((loadBefore[0] ?? 0) > os.cpus().length) {
    console.log(
      `WARNING: the machine was busy before the run (1-minute load average ${loadBefore[0]?.toFixed(1)} on ` +
        `${os.cpus().length} CPUs): other work competed with the servers, so these figures are noisy.`,
    );
  }
  const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(', ');
  console.log(`load average (1, 5, 15 min): before ${loads(loadBefore)}; after ${loads(loadAfter)}`);
  for (const o of [...(http?.outcomes ?? []), ...(login ?? [])]) {
    if (o.verdict === 'MISSED' && o.minimum !== undefined) {
      console.log(
        `MISSED: ${o.name}: ${o.ours.requestsPerSecond.toFixed(0)}/s is below the target ${o.minimum}/s`,
      );
    } else if (o.verdict === 'MISSED') {
      console.log(`MISSED: ${o.name}: ratio ${o.ratio?.toFixed(2)} is below the target ${o.target}`);
    }
    if (o.verdict === 'INVALID') console.log(`INVALID: ${o.name}: ${o.invalid}`);
  }
  if (services) {
    console.log(`\n${identityTable(services.rows)}\n`);
    console.log('services: ratio = ours / baseline applications/s; ok = at least 300 applications/s.');
  }
  for (const r of [...(identity?.rows ?? []), ...(services?.rows ?? [])]) {
    if (r.verdict === 'MISSED') console.log(`MISSED: ${r.name}: ${r.ours} is outside the target ${r.target}`);
  }

  const resultsDir = path.join(HERE, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `${stamp}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadAverage: { before: loadBefore, after: loadAfter },
        groups: only ? [only] : GROUPS,
        settings,
        ourServerEnv: OURS_ENV,
        postgres: http?.databaseUrl || identity || services || login ? redact(serverUrl) : null,
        cases: http?.outcomes ?? [],
        login: login ?? null,
        identity: identity ?? null,
        services: services ?? null,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\nresults: ${path.relative(process.cwd(), file)} (${((Date.now() - began) / 1000).toFixed(0)} s)`,
  );
}

/** The login group, or undefined when PostgreSQL cannot be reached (its targets are for PostgreSQL). */
async function loginGroupOnPostgres(): Promise<Outcome[] | undefined> {
  console.log('\n== login group: the national login on PostgreSQL');
  const databaseUrl = await benchDatabase();
  if (!databaseUrl) return undefined;
  const rows = await loginGroup({
    settings,
    databaseUrl,
    start,
    tempDir,
    ourEnv: OURS_ENV,
    onRound: (label, round, rps) =>
      console.log(`  round ${round} ${label}: ${Math.round(rps).toLocaleString('en-US')} req/s`),
  });
  return rows.map(judge);
}

async function httpGroup(): Promise<{ outcomes: Outcome[]; databaseUrl: string | undefined }> {
  console.log('\n== http group');
  console.log(
    `  load: autocannon in this process, ${settings.connections} connections (BENCH_CONNECTIONS), loopback; ` +
      `per server and case ${settings.warmupSeconds} s warm-up, then ${settings.seconds} s (BENCH_SECONDS) ` +
      `measured in ${settings.rounds} rounds (BENCH_ROUNDS) taken in turns with the baseline`,
  );
  console.log(
    `  our server: src/main.ts in its own process with ${Object.entries(OURS_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  console.log('  baseline: bench/baseline-server.ts, bare Fastify + raw pg Pool, in its own process\n');

  const rows: Row[] = [];
  const databaseUrl = await benchDatabase();

  // Our platform on PostgreSQL (or on PGlite when no server is reachable), and the baseline.
  const ours = await start(databaseUrl ? 'platform on PostgreSQL' : 'platform on PGlite', {
    dataDir: tempDir('pg'),
    databaseUrl,
    env: OURS_ENV,
  });
  const baseline = await start('baseline', {
    dataDir: tempDir('baseline'),
    databaseUrl,
    entry: path.join(HERE, 'baseline-server.ts'),
    readyPath: '/health/live',
    env: { NODE_ENV: 'production' },
  });
  const id = databaseUrl ? await seed(ours) : undefined;
  if (id) {
    // Both must do the same work: same row, same document.
    const a = await getJson(`${ours.url}/api/v1/announcements/${id}`);
    const b = await getJson(`${baseline.url}/api/v1/announcements/${id}`);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`our answer and the baseline's differ:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    }
  }

  console.log('\n(a) trivial route GET /health/live');
  const trivial = await measured({
    ours: `${ours.url}/health/live`,
    baseline: `${baseline.url}/health/live`,
  });
  rows.push({
    name: 'trivial route GET /health/live',
    ours: need(trivial.ours),
    baseline: trivial.baseline,
    target: 0.6,
  });

  if (id) {
    console.log('\n(b) one-row read GET /api/v1/announcements/:id on PostgreSQL');
    const read = await measured({
      ours: `${ours.url}/api/v1/announcements/${id}`,
      baseline: `${baseline.url}/api/v1/announcements/${id}`,
    });
    rows.push({
      name: 'one-row read, PostgreSQL',
      ours: need(read.ours),
      baseline: read.baseline,
      target: 0.5,
    });
  }
  await stop(ours);

  console.log('\n(info) one-row read on the embedded database (PGlite)');
  const embedded = await start('platform on PGlite', { dataDir: tempDir('pglite'), env: OURS_ENV });
  const embeddedId = await seed(embedded);
  const embeddedRead = await measured({
    'ours (PGlite)': `${embedded.url}/api/v1/announcements/${embeddedId}`,
  });
  const pgBaseline = rows.find((r) => r.name === 'one-row read, PostgreSQL')?.baseline;
  rows.push({
    name: 'one-row read, PGlite (info: vs pg baseline)',
    ours: need(embeddedRead['ours (PGlite)']),
    baseline: pgBaseline,
    note: 'information only: our server on embedded PGlite against the raw-pg-on-PostgreSQL baseline above',
  });
  await stop(embedded);
  await stop(baseline);

  return { outcomes: rows.map(judge), databaseUrl };
}

try {
  await main();
  await cleanUp();
} catch (error) {
  if (!interrupted) {
    console.error(`\nbench failed: ${(error as Error).stack ?? String(error)}`);
    await cleanUp();
    process.exit(1);
  }
}
