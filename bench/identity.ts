import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { type Actor, systemActor } from '../src/core/actors/index.js';
import { loadConfig } from '../src/core/config/index.js';
import { newId } from '../src/core/ids/index.js';
import { change, type Kernel } from '../src/core/kernel/index.js';
import { createLogger } from '../src/core/log/index.js';
import { bulkLoadPersons, rememberedNormalise, syntheticLegacyId } from '../src/modules/identity/bulk.js';
import { candidateQuery, findCandidates } from '../src/modules/identity/candidates.js';
import {
  fillUinPool,
  identitySettings,
  type PersonInput,
  registerPerson,
} from '../src/modules/identity/index.js';
import { type MatchKeys, type MatchPerson, matchKeys } from '../src/modules/identity/matching/index.js';
import { formatBirthDate } from '../src/modules/identity/person.js';
import {
  type SyntheticPerson,
  type SyntheticRecord,
  synthesisePopulation,
} from '../src/modules/identity/synth/index.js';
import { cryptoDigit, generateUin } from '../src/modules/identity/uin/index.js';
import { openKernel } from '../src/platform.js';

/**
 * The identity benchmarks, all on PostgreSQL, each figure beside a baseline measured in the same
 * run (see bench/run.ts; BENCH_ONLY=identity runs this group alone, `npx tsx bench/identity.ts`
 * runs it without the HTTP group):
 *
 *   a. UIN generation: generateUin (every rule, Verhoeff check digit) against plain CSPRNG digits.
 *   b. Bulk load of BENCH_PERSONS (default 2,300,000) synthetic people with bulkLoadPersons against
 *      raw INSERT … SELECT FROM unnest() of the same rows into a plain table without indexes.
 *   c. Duplicate search at that size: 500 re-registrations through findCandidates (candidate SQL
 *      through Drizzle + scoring) against the bare pg_trgm query through raw pg; the candidate SQL
 *      alone through raw pg for reference; EXPLAIN ANALYZE of a few probes.
 *   d. Registrations/s at that size: registerPerson through change(), 8 workers, against raw
 *      single-row INSERTs of the same person rows (8 workers).
 *   e. Matching quality through the database at 100,000 people (its own database).
 *
 * A fresh database mmuso_bench_identity_<pid> (and …_quality) is created on BENCH_DATABASE_URL or
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and dropped at the end,
 * also when something fails.
 *
 * Loading 2.3 million people takes many minutes, so BENCH_KEEP_REGISTER=<database> keeps the register
 * (b) loads in that database between runs: a run with it makes its database as a file copy of the
 * kept one (migrations added since are then applied to the copy, as on a real register) and skips
 * (b); c and d still run on a database of their own, so what they write never reaches the next run.
 */

export interface IdentityRow {
  name: string;
  ours: number;
  unit: string;
  baseline?: number | undefined;
  baselineLabel?: string;
  /** ours ÷ baseline. Higher is better for rates, lower for latencies (see `lowerIsBetter`). */
  ratio?: number | undefined;
  lowerIsBetter?: boolean;
  /** Human-readable target, e.g. "≥ 50,000/s"; absent for information-only rows. */
  target?: string;
  verdict: 'ok' | 'MISSED' | 'info';
  note?: string;
}

export interface IdentityReport {
  persons: number;
  rows: IdentityRow[];
  details: Record<string, unknown>;
  seconds: number;
}

export interface IdentityBenchOptions {
  /** A PostgreSQL server; databases are created and dropped on it. */
  serverUrl: string;
  /** People in the register for b–d. */
  persons: number;
  /**
   * A database that keeps the loaded register of (b) between runs (made and loaded when missing);
   * the run's database is copied from it.
   */
  keepRegister?: string | undefined;
  /** Registers a clean-up for when the process is interrupted (the run's own finally runs it too). */
  onCleanup?: (fn: () => Promise<unknown>) => void;
  log?: (line: string) => void;
}

const LOAD_SEED = 20_261_123;
const QUALITY_SEED = 2026;
const DUPLICATE_SHARE = 0.02;
const PROBES = 500;
const WARMUP_PROBES = 20;
const REGISTRATIONS = 1000;
const REGISTER_WORKERS = 8;
const QUALITY_PERSONS = 100_000;
const QUALITY_HELD_OUT = 2000;
const BATCH = 5000;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs fn on a client of the server's maintenance database (creating and dropping bench databases). */
export async function admin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Nearest-rank percentiles of a list of milliseconds. */
function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0, mean };
}

/** Calls fn in blocks of 1,000 for about `ms` milliseconds; returns calls per second. */
function rate(fn: () => number, ms: number): { perSecond: number; sink: number } {
  let calls = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) sink += fn();
    calls += 1000;
    now = performance.now();
  }
  return { perSecond: calls / ((now - start) / 1000), sink };
}

/**
 * Runs work(0 … count-1) with `workers` of them in flight at a time; returns the milliseconds taken.
 * Every concurrent measurement here goes through it, so they all mean the same.
 */
export async function inParallel(
  workers: number,
  count: number,
  work: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
  return performance.now() - started;
}

/** The registrar every bench acts as: Home Affairs, Maseru head office. */
export const BENCH_REGISTRAR: Actor = {
  type: 'staff',
  id: 'bench-registrar',
  roles: ['registrar'],
  ministry: 'home-affairs',
  office: 'maseru-hq',
  scopes: [],
};

export const perSecond = (count: number, ms: number) => (count * 1000) / ms;

/**
 * CPU time so far of this process and of the PostgreSQL backends serving the bench database, in
 * milliseconds: what a registration costs whatever else the machine runs. The backends' time is
 * read from /proc, so it is null when the server runs on another machine.
 */
export async function cpuMilliseconds(kernel: Kernel): Promise<{ node: number; postgres: number | null }> {
  const usage = process.cpuUsage();
  const node = (usage.user + usage.system) / 1000;
  const backends = await kernel.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  let postgres = 0;
  try {
    for (const { pid } of backends) {
      // Fields 14 and 15 of /proc/<pid>/stat, after the command in parentheses: utime, stime.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      postgres += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    }
  } catch {
    return { node, postgres: null };
  }
  return { node, postgres };
}

/** USER_HZ, 100 on Linux everywhere that matters. */
const CLOCK_TICKS = 100;

/** What every step of the group writes to. */
interface Step {
  kernel: Kernel;
  url: string;
  log: (line: string) => void;
  rows: IdentityRow[];
  details: Record<string, unknown>;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** The registration form a registrar would send for a synthetic person. */
function personInput(p: SyntheticPerson): PersonInput {
  return {
    givenNames: p.givenNames,
    surname: p.surname,
    ...(p.otherNames ? { otherNames: p.otherNames } : {}),
    sex: p.sex ?? 'F',
    dateOfBirth: formatBirthDate(p.birth),
    placeOfBirth: {
      district: p.birthDistrict ?? 'A',
      ...(p.birthVillage ? { village: p.birthVillage } : {}),
    },
    ...(p.fatherName ? { father: { name: p.fatherName } } : {}),
    ...(p.motherName ? { mother: { name: p.motherName } } : {}),
    ...(p.phone ? { phones: [p.phone] } : {}),
  };
}

/** Evenly spaced picks from a list, so the choice does not depend on registration order effects. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)] as T);
}

/** The persons columns the raw baselines write, with their SQL types. */
const PERSON_COLUMN_TYPES = [
  ['id', 'uuid'],
  ['uin', 'text'],
  ['register_state', 'text'],
  ['version', 'int'],
  ['given_names', 'text'],
  ['surname', 'text'],
  ['other_names', 'text'],
  ['sex', 'text'],
  ['birth_year', 'int'],
  ['birth_month', 'int'],
  ['birth_day', 'int'],
  ['birth_district', 'text'],
  ['birth_village', 'text'],
  ['father_name', 'text'],
  ['mother_name', 'text'],
  ['citizenship', 'text'],
  ['vital_status', 'text'],
  ['phones', 'jsonb'],
  ['legacy_id', 'text'],
  ['norm_given', 'text'],
  ['norm_surname', 'text'],
  ['surname_key', 'text'],
  ['norm_other', 'text'],
  ['norm_village', 'text'],
  ['norm_father', 'text'],
  ['norm_mother', 'text'],
  ['registered_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
] as const;
const PERSON_COLUMNS = PERSON_COLUMN_TYPES.map(([column]) => column);
const PERSON_TYPES = PERSON_COLUMN_TYPES.map(([, type]) => type);

/** A persons row as raw values in PERSON_COLUMNS order. */
function rawPersonRow(
  p: MatchPerson,
  legacyId: string | null,
  uin: string,
  keys: MatchKeys,
  at: string,
): unknown[] {
  return [
    newId(),
    uin,
    'registered',
    1,
    p.givenNames,
    p.surname,
    p.otherNames ?? null,
    p.sex,
    p.birth.year,
    p.birth.month ?? null,
    p.birth.day ?? null,
    p.birthDistrict ?? null,
    p.birthVillage ?? null,
    p.fatherName ?? null,
    p.motherName ?? null,
    'LSO',
    'alive',
    JSON.stringify(p.phone ? [p.phone] : []),
    legacyId,
    keys.normGiven,
    keys.normSurname,
    keys.surnameKey,
    keys.normOther,
    keys.normVillage,
    keys.normFather,
    keys.normMother,
    at,
    at,
  ];
}

// ---------------------------------------------------------------------------------------------

function uinGeneration({ log, rows, details }: Pick<Step, 'log' | 'rows' | 'details'>) {
  log('\n(a) UIN generation: generateUin (every rule + Verhoeff) vs plain CSPRNG 10-digit numbers');
  const digits = new Uint8Array(10);
  const plain = () => {
    for (let i = 0; i < 10; i++) digits[i] = cryptoDigit();
    return String.fromCharCode(...digits.map((d) => d + 0x30)).length;
  };
  const ours = () => generateUin().length;
  rate(ours, 300);
  rate(plain, 300);
  const oursRates: number[] = [];
  const plainRates: number[] = [];
  for (let round = 1; round <= 2; round++) {
    oursRates.push(rate(ours, 1000).perSecond);
    plainRates.push(rate(plain, 1000).perSecond);
    log(
      `  round ${round}: generateUin ${fmt(oursRates.at(-1) ?? 0)}/s, plain ${fmt(plainRates.at(-1) ?? 0)}/s`,
    );
  }
  const oursRate = oursRates.reduce((a, b) => a + b, 0) / oursRates.length;
  const plainRate = plainRates.reduce((a, b) => a + b, 0) / plainRates.length;
  details.uinGeneration = { oursPerSecond: oursRates, plainPerSecond: plainRates };
  rows.push({
    name: 'UIN generation (generateUin, all rules + check digit)',
    ours: oursRate,
    unit: '/s',
    baseline: plainRate,
    baselineLabel: 'plain CSPRNG 10 digits, no rules',
    ratio: oursRate / plainRate,
    target: '≥ 50,000/s',
    verdict: oursRate >= 50_000 ? 'ok' : 'MISSED',
    note: 'one core, 2 × 1 s each, in turns; about 1 candidate in 13 passes the rules',
  });
}

/** What (c) and (d) need of the population: kept when the millions of records are let go. */
interface Work {
  /** People in the register searched and registered against. */
  registered: number;
  /** Re-registrations searched in (c) (the first WARMUP_PROBES warm up), with their original's legacy ID. */
  searches: { record: SyntheticRecord; originalLegacyId: string }[];
  /** Originals kept out of the load (no re-registrations), registered in (d). */
  fresh: SyntheticRecord[];
}

interface Population {
  records: number;
  toLoad: SyntheticRecord[];
  work: Work;
}

function population(persons: number, today: Date): Population {
  const count = Math.round((persons + REGISTRATIONS) / (1 - DUPLICATE_SHARE));
  const records = synthesisePopulation({
    count,
    seed: LOAD_SEED,
    duplicateShare: DUPLICATE_SHARE,
    bornBy: today.toISOString().slice(0, 10),
  });
  const duplicated = new Set<string>();
  const duplicates: SyntheticRecord[] = [];
  for (const r of records) {
    if (r.duplicateOf !== undefined) {
      duplicated.add(r.duplicateOf);
      duplicates.push(r);
    }
  }
  const candidates = records.filter(
    (r) => r.duplicateOf === undefined && !duplicated.has(r.id) && r.person.birthDistrict !== undefined,
  );
  const fresh = spread(candidates, REGISTRATIONS);
  const freshIds = new Set(fresh.map((r) => r.id));
  const toLoad = records.filter((r) => r.duplicateOf === undefined && !freshIds.has(r.id));
  const searched = spread(duplicates, PROBES + WARMUP_PROBES);
  const wanted = new Set(searched.map((r) => r.duplicateOf));
  const originals = new Map(records.filter((r) => wanted.has(r.id)).map((r) => [r.id, r]));
  const searches = searched.map((record) => ({
    record,
    originalLegacyId: syntheticLegacyId(originals.get(record.duplicateOf ?? '') as SyntheticRecord),
  }));
  return { records: records.length, toLoad, work: { registered: toLoad.length, searches, fresh } };
}

async function baselineLoad(url: string, records: readonly SyntheticRecord[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  try {
    await pool.query('DROP TABLE IF EXISTS bench_plain_persons');
    // The same columns as identity.persons, NOT NULL included; no keys, no indexes, no checks.
    await pool.query('CREATE TABLE bench_plain_persons (LIKE identity.persons)');
    // Remembered names, as the bulk loader has them: the baseline's rows are data, not work to time.
    const normalise = rememberedNormalise();
    const at = new Date().toISOString();
    const seen = new Set<string>();
    const insert = `INSERT INTO bench_plain_persons (${PERSON_COLUMNS.join(', ')})
      SELECT * FROM unnest(${PERSON_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    const batches = Math.ceil(records.length / BATCH);
    const ms = await inParallel(2, batches, (b) => {
      const columns: unknown[][] = PERSON_COLUMNS.map(() => []);
      for (const record of records.slice(b * BATCH, (b + 1) * BATCH)) {
        let uin = generateUin();
        while (seen.has(uin)) uin = generateUin();
        seen.add(uin);
        const keys = matchKeys(record.person, normalise);
        const row = rawPersonRow(record.person, syntheticLegacyId(record), uin, keys, at);
        for (let c = 0; c < row.length; c++) columns[c]?.push(row[c]);
      }
      return pool.query(insert, columns);
    });
    return perSecond(records.length, ms);
  } finally {
    await pool.query('DROP TABLE IF EXISTS bench_plain_persons').catch(() => {});
    await pool.end();
  }
}

async function load({ kernel, url, log, rows, details }: Step, toLoad: readonly SyntheticRecord[]) {
  const n = toLoad.length;
  log(`\n(b) bulk load of ${fmt(n)} synthetic people vs raw unnest INSERTs into a plain table`);
  let began = performance.now();
  const baseline = await baselineLoad(url, toLoad);
  log(`  baseline: ${fmt(baseline)} rows/s (${seconds(began)} with the rows' preparation)`);
  await kernel.db.query('CHECKPOINT').catch(() => {});
  began = performance.now();
  const every = Math.max(1, Math.round(n / BATCH / 10));
  const result = await bulkLoadPersons(kernel, toLoad, {
    actor: systemActor('bench'),
    batchSize: BATCH,
    reason: 'benchmark',
    onBatch: (p) => {
      if (p.batches % every === 0)
        log(`  loaded ${fmt(p.persons)}: ${fmt((p.persons * 1000) / p.milliseconds)} rows/s so far`);
    },
  });
  log(`  bulkLoadPersons: ${fmt(result.rowsPerSecond)} rows/s (${seconds(began)})`);
  began = performance.now();
  await kernel.db.query('ANALYZE identity.persons');
  await kernel.db.query('ANALYZE identity.person_versions');
  await kernel.db.query('ANALYZE identity.issued_uins');
  const analyzeSeconds = (performance.now() - began) / 1000;
  const [size] = await kernel.db.query<{ persons: string; versions: string; uins: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('identity.persons')) AS persons,
            pg_size_pretty(pg_total_relation_size('identity.person_versions')) AS versions,
            pg_size_pretty(pg_total_relation_size('identity.issued_uins')) AS uins`,
  );
  log(
    `  ANALYZE ${analyzeSeconds.toFixed(1)} s; sizes: persons ${size?.persons}, versions ${size?.versions}, ` +
      `issued_uins ${size?.uins}`,
  );
  details.load = { ...result, baselineRowsPerSecond: baseline, analyzeSeconds, sizes: size };
  rows.push({
    name: `bulk load ${fmt(result.persons)} people (bulkLoadPersons)`,
    ours: result.rowsPerSecond,
    unit: 'rows/s',
    baseline,
    baselineLabel: 'raw INSERT…unnest, plain table, no indexes',
    ratio: result.rowsPerSecond / baseline,
    verdict: 'info',
    note:
      'ours: persons (6 indexes incl. trigram GIN) + versions + issued UINs + 1 audit entry per 5,000; ' +
      'both 2 batches in flight',
  });
}

interface Probe {
  record: SyntheticRecord;
  keys: MatchKeys;
  originalLegacyId: string;
}

async function search({ kernel, url, log, rows, details }: Step, work: Work) {
  log(
    `\n(c) duplicate search at ${fmt(work.registered)} people: ${PROBES} re-registrations, ` +
      'findCandidates vs the bare pg_trgm query',
  );
  const threshold = identitySettings(kernel.config).reviewThreshold;
  const probes: Probe[] = work.searches.map(({ record, originalLegacyId }) => ({
    record,
    keys: matchKeys(record.person),
    originalLegacyId,
  }));
  const dialect = new PgDialect();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const bare = `SELECT id FROM identity.persons WHERE norm_surname % $1 AND birth_year BETWEEN $2 AND $3`;
  const ours: number[] = [];
  const baseline: number[] = [];
  const rawSql: number[] = [];
  const candidateRows: number[] = [];
  const bareRows: number[] = [];
  let topIsOriginal = 0;
  let flagged = 0;
  const began = performance.now();
  try {
    const originals = await client.query<{ id: string; legacy_id: string }>(
      'SELECT id, legacy_id FROM identity.persons WHERE legacy_id = ANY($1::text[])',
      [probes.map((p) => p.originalLegacyId)],
    );
    const idOfLegacy = new Map(originals.rows.map((r) => [r.legacy_id, r.id]));
    for (const [i, probe] of probes.entries()) {
      const p = probe.record.person;
      const query = dialect.sqlToQuery(candidateQuery(p, probe.keys));
      // In turns, so drift in the machine's load hits all three alike.
      let t = performance.now();
      const keys = matchKeys(p);
      const found = await findCandidates(kernel.db.orm, p, keys, threshold);
      const oursMs = performance.now() - t;
      t = performance.now();
      const b = await client.query(bare, [probe.keys.normSurname, p.birth.year - 1, p.birth.year + 1]);
      const baseMs = performance.now() - t;
      t = performance.now();
      const r = await client.query(query.sql, query.params);
      const rawMs = performance.now() - t;
      if (i < WARMUP_PROBES) continue;
      ours.push(oursMs);
      baseline.push(baseMs);
      rawSql.push(rawMs);
      candidateRows.push(r.rowCount ?? 0);
      bareRows.push(b.rowCount ?? 0);
      if (found.length > 0) flagged++;
      if (found[0] && found[0].personId === idOfLegacy.get(probe.originalLegacyId)) topIsOriginal++;
    }
    const o = percentiles(ours);
    const base = percentiles(baseline);
    const raw = percentiles(rawSql);
    const cand = percentiles(candidateRows);
    const bareCount = percentiles(bareRows);
    log(
      `  ours (findCandidates): p50 ${fmt(o.p50, 1)} ms, p95 ${fmt(o.p95, 1)} ms, p99 ${fmt(o.p99, 1)} ms, max ${fmt(o.max, 1)} ms`,
    );
    log(
      `  baseline (bare %):     p50 ${fmt(base.p50, 1)} ms, p95 ${fmt(base.p95, 1)} ms, p99 ${fmt(base.p99, 1)} ms`,
    );
    log(
      `  candidate SQL alone:   p50 ${fmt(raw.p50, 1)} ms, p95 ${fmt(raw.p95, 1)} ms, p99 ${fmt(raw.p99, 1)} ms (raw pg, no scoring)`,
    );
    log(
      `  rows per probe: candidate SQL p50 ${cand.p50}, p95 ${cand.p95}, max ${cand.max}; ` +
        `bare % p50 ${bareCount.p50}, p95 ${bareCount.p95}, max ${bareCount.max}`,
    );
    log(
      `  at this size: ${flagged} of ${ours.length} probes flagged, top candidate is the original for ` +
        `${topIsOriginal} (${((100 * topIsOriginal) / Math.max(1, ours.length)).toFixed(1)}%) (${seconds(began)})`,
    );

    // EXPLAIN ANALYZE of the probes at the median, the 95th percentile and the slowest (candidate SQL).
    const order = rawSql.map((ms, i) => ({ ms, i })).sort((a, b) => a.ms - b.ms);
    const chosen = [
      ['median', order[Math.floor(order.length / 2)]],
      ['p95', order[Math.ceil(order.length * 0.95) - 1]],
      ['slowest', order[order.length - 1]],
    ] as const;
    const explains: Record<string, unknown> = {};
    for (const [label, pick] of chosen) {
      if (!pick) continue;
      const probe = probes[pick.i + WARMUP_PROBES] as Probe;
      const q = dialect.sqlToQuery(candidateQuery(probe.record.person, probe.keys));
      const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
      const lines = plan.rows.map((row) => String(Object.values(row)[0]));
      const p = probe.record.person;
      explains[label] = {
        probe: `${p.givenNames} ${p.surname}, ${p.sex} ${p.birth.year} ${p.birthDistrict ?? '-'}`,
        ms: pick.ms,
        plan: lines,
      };
      if (label !== 'median') {
        log(`  EXPLAIN ANALYZE of the candidate SQL, ${label} probe (${fmt(pick.ms, 1)} ms):`);
        for (const line of lines) log(`    ${line}`);
      }
    }
    details.search = {
      probes: ours.length,
      threshold,
      ours: o,
      bare: base,
      candidateSql: raw,
      candidateRows: cand,
      bareRows: bareCount,
      flagged,
      topIsOriginal,
      explain: explains,
      bareQuery: bare,
    };
    rows.push(
      {
        name: 'duplicate search p50 (findCandidates)',
        ours: o.p50,
        unit: 'ms',
        baseline: base.p50,
        baselineLabel: 'bare % trigram query, raw pg',
        ratio: o.p50 / base.p50,
        lowerIsBetter: true,
        verdict: 'info',
      },
      {
        name: 'duplicate search p95 (findCandidates)',
        ours: o.p95,
        unit: 'ms',
        baseline: base.p95,
        baselineLabel: 'bare % trigram query, raw pg',
        ratio: o.p95 / base.p95,
        lowerIsBetter: true,
        target: '≤ 30 ms',
        verdict: o.p95 <= 30 ? 'ok' : 'MISSED',
        note: `${ours.length} re-registrations; candidate SQL through Drizzle + scoring`,
      },
      {
        name: 'duplicate search p99 (findCandidates)',
        ours: o.p99,
        unit: 'ms',
        baseline: base.p99,
        baselineLabel: 'bare % trigram query, raw pg',
        ratio: o.p99 / base.p99,
        lowerIsBetter: true,
        verdict: 'info',
      },
      {
        name: `search recall @${fmt(work.registered)}: top candidate is the original (info)`,
        ours: topIsOriginal / Math.max(1, ours.length),
        unit: '',
        verdict: 'info',
        note: `${topIsOriginal}/${ours.length}; every row of the blocks is scored (no LIMIT)`,
      },
      {
        name: 'candidate SQL alone, raw pg p95 (info)',
        ours: raw.p95,
        unit: 'ms',
        baseline: base.p95,
        baselineLabel: 'bare % trigram query, raw pg',
        ratio: raw.p95 / base.p95,
        lowerIsBetter: true,
        verdict: 'info',
        note: `p50 ${fmt(raw.p50, 1)} ms; rows returned p50 ${cand.p50}, p95 ${cand.p95}`,
      },
    );
  } finally {
    await client.end();
  }
}

async function register({ kernel, url, log, rows, details }: Step, work: Work) {
  log(
    `\n(d) registrations at ${fmt(work.registered)} people: registerPerson through change(), ` +
      `${REGISTER_WORKERS} workers, vs raw single-row INSERTs`,
  );
  const settings = identitySettings(kernel.config);
  // A running server keeps the UIN pool topped up in the background.
  await fillUinPool(kernel.db, settings.uinPolicy, REGISTRATIONS * 2);
  const registrar = BENCH_REGISTRAR;
  const inputs = work.fresh.map((r) => personInput(r.person));
  const outcomes = { registered: 0, pending: 0 };
  const runWorkers = async (work: (i: number) => Promise<unknown>) =>
    perSecond(inputs.length, await inParallel(REGISTER_WORKERS, inputs.length, work));
  const cpuBefore = await cpuMilliseconds(kernel);
  const ours = await runWorkers(async (i) => {
    const result = await change(kernel, { actor: registrar }, (c) =>
      // As the births route registers: alone in its change.
      registerPerson(c, settings, inputs[i] as PersonInput, 'benchmark', { alone: true }),
    );
    outcomes[result.outcome]++;
  });
  const cpuAfter = await cpuMilliseconds(kernel);
  const nodeMs = (cpuAfter.node - cpuBefore.node) / inputs.length;
  const pgMs =
    cpuAfter.postgres === null || cpuBefore.postgres === null
      ? null
      : (cpuAfter.postgres - cpuBefore.postgres) / inputs.length;
  // One Node process uses one core; PostgreSQL's backends may use the other.
  const capacity = pgMs === null ? null : Math.min(1000 / nodeMs, 2000 / (nodeMs + pgMs));
  log(
    `  registerPerson: ${fmt(ours, 1)} registrations/s (${outcomes.registered} registered, ` +
      `${outcomes.pending} held for adjudication); CPU per registration: Node ${fmt(nodeMs, 2)} ms, ` +
      `PostgreSQL ${pgMs === null ? 'not measurable (server not on this machine)' : `${fmt(pgMs, 2)} ms`}`,
  );

  // The baseline stores the same people's rows, one autocommit INSERT each, into the same table.
  const pool = new pg.Pool({ connectionString: url, max: REGISTER_WORKERS });
  pool.on('error', () => {});
  try {
    const at = new Date().toISOString();
    const candidates = Array.from({ length: inputs.length * 2 }, () => generateUin());
    const taken = await pool.query<{ uin: string }>(
      `SELECT uin FROM identity.issued_uins WHERE uin = ANY($1::text[])
       UNION SELECT uin FROM identity.uin_pool WHERE uin = ANY($1::text[])`,
      [candidates],
    );
    const takenSet = new Set(taken.rows.map((r) => r.uin));
    const uins = [...new Set(candidates.filter((u) => !takenSet.has(u)))];
    const raw = work.fresh.map((r, i) =>
      rawPersonRow(r.person, null, uins[i] as string, matchKeys(r.person), at),
    );
    const insert = `INSERT INTO identity.persons (${PERSON_COLUMNS.join(', ')})
      VALUES (${PERSON_TYPES.map((t, i) => `$${i + 1}::${t}`).join(', ')})`;
    const baseline = await runWorkers((i) => pool.query(insert, raw[i]));
    log(`  baseline: ${fmt(baseline, 1)} inserts/s`);
    details.register = {
      registrations: inputs.length,
      workers: REGISTER_WORKERS,
      ours,
      outcomes,
      baseline,
      cpuMsPerRegistration: { node: nodeMs, postgres: pgMs },
      capacityOnTwoIdleCores: capacity,
      loadAverage: os.loadavg(),
    };
    rows.push({
      name: `registrations/s (registerPerson, ${REGISTER_WORKERS} workers)`,
      ours,
      unit: '/s',
      baseline,
      baselineLabel: 'raw single-row INSERT into identity.persons',
      ratio: ours / baseline,
      target: '≥ 200/s',
      verdict: ours >= 200 ? 'ok' : 'MISSED',
      note: `${inputs.length} people not yet registered; ${outcomes.pending} held for adjudication`,
    });
    if (capacity !== null && pgMs !== null) {
      rows.push({
        name: 'registrations/s two idle cores could carry (CPU per registration)',
        ours: capacity,
        unit: '/s',
        verdict: 'info',
        note:
          `Node ${fmt(nodeMs, 2)} ms + PostgreSQL ${fmt(pgMs, 2)} ms of CPU per registration; ` +
          `min(1000/Node, 2000/(Node+PostgreSQL)); load average at the end ${os.loadavg()[0]?.toFixed(1)}`,
      });
    }
  } finally {
    await pool.end();
  }
}

async function quality({ kernel, log, rows, details }: Step) {
  log(
    `\n(e) matching quality through the database at ${fmt(QUALITY_PERSONS)} people ` +
      `(${DUPLICATE_SHARE * 100}% re-registrations, seed ${QUALITY_SEED})`,
  );
  const began = performance.now();
  const threshold = identitySettings(kernel.config).reviewThreshold;
  const records = synthesisePopulation({
    count: QUALITY_PERSONS,
    seed: QUALITY_SEED,
    duplicateShare: DUPLICATE_SHARE,
    bornBy: new Date().toISOString().slice(0, 10),
  });
  const duplicates = records.filter((r) => r.duplicateOf !== undefined);
  const duplicated = new Set(duplicates.map((r) => r.duplicateOf));
  const heldOut = spread(
    records.filter((r) => r.duplicateOf === undefined && !duplicated.has(r.id)),
    QUALITY_HELD_OUT,
  );
  const heldOutIds = new Set(heldOut.map((r) => r.id));
  const toLoad = records.filter((r) => r.duplicateOf === undefined && !heldOutIds.has(r.id));
  const loaded = await bulkLoadPersons(kernel, toLoad, { actor: systemActor('bench'), batchSize: BATCH });
  await kernel.db.query('ANALYZE identity.persons');
  const idOfLegacy = new Map(
    (
      await kernel.db.query<{ id: string; legacy_id: string }>('SELECT id, legacy_id FROM identity.persons')
    ).map((r) => [r.legacy_id, r.id]),
  );
  const byId = new Map(records.map((r) => [r.id, r]));
  let recalled = 0;
  let duplicatesFlagged = 0;
  let flaggedWrongTop = 0;
  let heldOutFlagged = 0;
  const lookups: (() => Promise<void>)[] = [
    ...duplicates.map((record) => async () => {
      const p = record.person;
      const found = await findCandidates(kernel.db.orm, p, matchKeys(p), threshold);
      const original = byId.get(record.duplicateOf ?? '') as SyntheticRecord;
      if (found.length > 0) duplicatesFlagged++;
      if (found[0]?.personId === idOfLegacy.get(syntheticLegacyId(original))) recalled++;
      else if (found.length > 0) flaggedWrongTop++;
    }),
    ...heldOut.map((record) => async () => {
      const p = record.person;
      const found = await findCandidates(kernel.db.orm, p, matchKeys(p), threshold);
      if (found.length > 0) heldOutFlagged++;
    }),
  ];
  await inParallel(4, lookups.length, (i) => (lookups[i] as () => Promise<void>)());
  const recall = recalled / duplicates.length;
  const fpr = heldOutFlagged / heldOut.length;
  // Flags whose top candidate is the right person, over all flags.
  const flags = duplicatesFlagged + heldOutFlagged;
  const measuredPrecision = flags === 0 ? 1 : recalled / flags;
  const projected = (recall * 0.02) / (recall * 0.02 + fpr * 0.98);
  log(
    `  loaded ${fmt(loaded.persons)} (all originals but ${heldOut.length} held out); ` +
      `${duplicates.length} re-registrations and ${heldOut.length} new people searched (threshold ${threshold})`,
  );
  log(
    `  recall ${recall.toFixed(4)} (${recalled} of ${duplicates.length} re-registrations have their original ` +
      `as top candidate; ${duplicatesFlagged} flagged at all, ${flaggedWrongTop} with someone else on top)`,
  );
  log(`  false-positive rate ${fpr.toFixed(4)} (${heldOutFlagged} of ${heldOut.length} new people flagged)`);
  log(
    `  precision on this 50/50 mix ${measuredPrecision.toFixed(4)}; projected to a 2% mix ${projected.toFixed(4)} ` +
      `(R·0.02 / (R·0.02 + FPR·0.98)) (${seconds(began)})`,
  );
  details.quality = {
    persons: QUALITY_PERSONS,
    seed: QUALITY_SEED,
    loaded: loaded.persons,
    duplicates: duplicates.length,
    heldOut: heldOut.length,
    threshold,
    recalled,
    duplicatesFlagged,
    flaggedWrongTop,
    heldOutFlagged,
    recall,
    falsePositiveRate: fpr,
    precisionMeasured: measuredPrecision,
    precisionProjected: projected,
  };
  rows.push(
    {
      name: `matching recall @${fmt(QUALITY_PERSONS)} (database path)`,
      ours: recall,
      unit: '',
      target: '≥ 0.90',
      verdict: recall >= 0.9 ? 'ok' : 'MISSED',
      note: `top candidate is the original, ${recalled}/${duplicates.length}`,
    },
    {
      name: 'matching precision, projected to 2% re-registrations',
      ours: projected,
      unit: '',
      target: '≥ 0.95',
      verdict: projected >= 0.95 ? 'ok' : 'MISSED',
      note: `R·0.02/(R·0.02+FPR·0.98); FPR ${fpr.toFixed(4)} (${heldOutFlagged}/${heldOut.length} new people flagged)`,
    },
    {
      name: 'matching precision on the 50/50 probe mix (info)',
      ours: measuredPrecision,
      unit: '',
      verdict: 'info',
      note: `${recalled} right / (${recalled} + ${heldOutFlagged} new flagged + ${flaggedWrongTop} wrong top)`,
    },
  );
}

// ---------------------------------------------------------------------------------------------

/** What the kept register's COMMENT says it holds: a copy serves only a run of the same people. */
const keptRegisterMark = (persons: number) =>
  `mmuso identity bench register: ${persons} people, seed ${LOAD_SEED}`;

async function keptRegisterReady(serverUrl: string, kept: string, persons: number): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(kept))
    throw new Error(`BENCH_KEEP_REGISTER: not a plain database name: ${kept}`);
  const found = await admin(serverUrl, (c) =>
    c.query<{ mark: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = $1`,
      [kept],
    ),
  );
  const mark = found.rows[0]?.mark;
  if (mark === undefined) return false;
  if (mark === keptRegisterMark(persons)) return true;
  throw new Error(
    `BENCH_KEEP_REGISTER: ${kept} ${mark === null ? 'was not finished loading' : `holds "${mark}"`}, ` +
      `not ${persons} people of seed ${LOAD_SEED}: drop it or name another`,
  );
}

async function openBenchKernel(url: string, dataDir: string): Promise<Kernel> {
  const config = loadConfig({
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    DATABASE_POOL_SIZE: '10',
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'false',
    NODE_ENV: 'production',
  });
  return openKernel(config, { log: createLogger('silent') });
}

export async function runIdentityBench(options: IdentityBenchOptions): Promise<IdentityReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const began = performance.now();
  const rows: IdentityRow[] = [];
  const details: Record<string, unknown> = { persons: options.persons };
  const name = `mmuso_bench_identity_${process.pid}`;
  const qualityName = `${name}_quality`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-bench-identity-'));
  const drop = async () => {
    await admin(options.serverUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${qualityName} WITH (FORCE)`);
    });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  options.onCleanup?.(drop);
  const kernels: Kernel[] = [];
  try {
    await admin(options.serverUrl, async (c) => {
      for (const db of [name, qualityName]) {
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${db}`);
      }
    });
    const timings: Record<string, number> = {};
    const timed = async (label: string, fn: () => unknown) => {
      const t = performance.now();
      await fn();
      timings[label] = Math.round((performance.now() - t) / 100) / 10;
    };

    await timed('a-uin', () => uinGeneration({ log, rows, details }));

    // (e) first, on its own small database: its figures do not depend on the big one.
    await timed('e-quality', async () => {
      const qualityUrl = withDatabase(options.serverUrl, qualityName);
      const kernel = await openBenchKernel(qualityUrl, dataDir);
      kernels.push(kernel);
      await quality({ kernel, url: qualityUrl, log, rows, details });
      await kernel.db.close();
      kernels.pop();
      await admin(options.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${qualityName} WITH (FORCE)`));
    });

    let pop: Population | undefined;
    await timed('synthesis', () => {
      log(
        `\nsynthesising ${fmt(options.persons)} people (+ ${REGISTRATIONS} kept for (d), 2% re-registrations)…`,
      );
      const t = performance.now();
      pop = population(options.persons, new Date());
      log(`  ${fmt(pop.records)} records in ${seconds(t)}`);
    });
    if (!pop) throw new Error('no population');
    const { toLoad, work } = pop;
    const url = withDatabase(options.serverUrl, name);
    const loadInto = async (target: string) => {
      const targetUrl = withDatabase(options.serverUrl, target);
      const kernel = await openBenchKernel(targetUrl, dataDir);
      kernels.push(kernel);
      await timed('b-load', () => load({ kernel, url: targetUrl, log, rows, details }, toLoad));
      return kernel;
    };
    let kernel: Kernel;
    if (options.keepRegister === undefined) {
      kernel = await loadInto(name);
    } else {
      const kept = options.keepRegister;
      if (!(await keptRegisterReady(options.serverUrl, kept, options.persons))) {
        await admin(options.serverUrl, (c) => c.query(`CREATE DATABASE ${kept}`));
        await (await loadInto(kept)).db.close();
        kernels.pop();
        await admin(options.serverUrl, (c) =>
          c.query(`COMMENT ON DATABASE ${kept} IS '${keptRegisterMark(options.persons)}'`),
        );
      } else {
        log(`\n(b) bulk load skipped: the register is copied from ${kept} (BENCH_KEEP_REGISTER)`);
      }
      await timed('b-copy', () =>
        admin(options.serverUrl, async (c) => {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.query(`CREATE DATABASE ${name} TEMPLATE ${kept} STRATEGY FILE_COPY`);
        }),
      );
      kernel = await openBenchKernel(url, dataDir);
      kernels.push(kernel);
      // Statistics come with the copy; indexes a newer migration just built need their own.
      await kernel.db.query('ANALYZE identity.persons');
    }
    // The millions of synthetic records go before (c) and (d): a server holds no such heap, and
    // collecting it made Node's CPU per registration vary from 2 to 9 ms between runs of one code.
    pop = undefined;
    toLoad.length = 0;
    const step: Step = { kernel, url, log, rows, details };
    await timed('c-search', () => search(step, work));
    await timed('d-register', () => register(step, work));
    details.timingsSeconds = timings;
  } finally {
    for (const kernel of kernels) await kernel.db.close().catch(() => {});
    await drop().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
  }
  const total = (performance.now() - began) / 1000;
  log(`\nidentity group: ${total.toFixed(0)} s`);
  return { persons: options.persons, rows, details, seconds: total };
}

const cell = (value: number, unit: string) => {
  if (unit === 'ms') return `${fmt(value, 1)} ms`;
  if (unit === '') return fmt(value, 4);
  return `${fmt(value)} ${unit}`.replace(' /s', '/s');
};

export function identityTable(rows: readonly IdentityRow[]): string {
  const head = ['case', 'ours', 'baseline', 'ratio', 'target', 'ok', 'notes'];
  const body = rows.map((r) => [
    r.name,
    cell(r.ours, r.unit),
    r.baseline === undefined ? '—' : `${cell(r.baseline, r.unit)} (${r.baselineLabel ?? 'baseline'})`,
    r.ratio === undefined ? '—' : `${fmt(r.ratio, 2)}${r.lowerIsBetter ? ' (lower is better)' : ''}`,
    r.target ?? '—',
    r.verdict,
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 || i >= 6 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** BENCH_PERSONS, default 2,300,000 (underscores and commas allowed). */
export function benchPersons(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number((env.BENCH_PERSONS ?? '').replace(/[_,]/g, ''));
  return Number.isInteger(n) && n > 0 ? n : 2_300_000;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const serverUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  const cleanups: (() => Promise<unknown>)[] = [];
  process.once('SIGINT', () => {
    console.error('\nSIGINT: dropping the bench databases…');
    Promise.allSettled(cleanups.map((fn) => fn())).finally(() => process.exit(130));
  });
  const report = await runIdentityBench({
    serverUrl,
    persons: benchPersons(),
    keepRegister: process.env.BENCH_KEEP_REGISTER || undefined,
    onCleanup: (fn) => cleanups.push(fn),
  });
  console.log(`\n${identityTable(report.rows)}`);
}
