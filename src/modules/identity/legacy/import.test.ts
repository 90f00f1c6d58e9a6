import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { validateUinInput } from '../uin/index.js';
import {
  compileMapping,
  type ImportSummary,
  importLegacyFile,
  loadMapping,
  type PreparedRow,
} from './index.js';

/** shared/ stands beside the checkout: beside /work/main, or two levels up from a worktree. */
function sharedSample(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'shared/data/legacy-civil-registry-sample.csv');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('shared/data/legacy-civil-registry-sample.csv not found above the tests');
    dir = parent;
  }
}
const SAMPLE = sharedSample();
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sampleMapping = loadMapping(here('./mappings/civil-registry-legacy.json'));
const SAMPLE_LINES = fs.readFileSync(SAMPLE, 'utf8').split(/\r?\n/);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-import-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let made = 0;
const folder = () => fs.mkdtempSync(path.join(work, 'run-'));
/** The sample's header and its data rows from line `from` to line `to` (header = line 1). */
function sampleLines(from: number, to: number): string {
  const file = path.join(work, `part-${++made}.csv`);
  fs.writeFileSync(file, `${[SAMPLE_LINES[0], ...SAMPLE_LINES.slice(from - 1, to)].join('\n')}\n`);
  return file;
}

interface ProblemRow {
  row: string;
  legacy_id: string;
  field: string;
  column: string;
  severity: string;
  code: string;
  message: string;
  raw_value: string;
  twin_row: string;
  twin_legacy_id: string;
  twin_person_id: string;
  twin_uin: string;
}
const problemsOf = (summary: ImportSummary): ProblemRow[] =>
  parse(fs.readFileSync(summary.problemsFile as string), { bom: true, columns: true }) as ProblemRow[];

let kernels: TestKernel[] = [];
async function kernel(): Promise<TestKernel> {
  const t = await createTestKernel();
  kernels.push(t);
  return t;
}
afterEach(async () => {
  for (const t of kernels) await t.close();
  kernels = [];
});

async function count(t: TestKernel, table: string, where = 'true'): Promise<number> {
  const [row] = await t.kernel.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`);
  return Number(row?.n);
}
/** Every table an import may write to, counted. */
async function footprint(t: TestKernel) {
  const tables = [
    'identity.persons',
    'identity.person_versions',
    'identity.adjudications',
    'identity.issued_uins',
    'identity.uin_pool',
    'identity.import_runs',
    'audit.entries',
    'core.outbox',
  ];
  return Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await count(t, table)])));
}
/** File row → how many people carry it in their first version's reason. */
async function peopleByRow(t: TestKernel): Promise<Map<number, number>> {
  const found = await t.kernel.db.query<{ reason: string }>(
    'SELECT reason FROM identity.person_versions WHERE version = 1',
  );
  const byRow = new Map<number, number>();
  for (const { reason } of found) {
    const row = Number(/ row (\d+) \[run /.exec(reason)?.[1]);
    byRow.set(row, (byRow.get(row) ?? 0) + 1);
  }
  return byRow;
}
const totals = (s: ImportSummary) => ({
  rows: s.rows,
  registered: s.registered,
  pending: s.pending,
  duplicates: s.duplicates,
  rejected: s.rejected,
  deathsRecorded: s.deathsRecorded,
  problemCounts: Object.fromEntries(s.problemCounts),
});
/** A report's problems without what differs between databases (person ids, UINs). */
const portable = (problems: ProblemRow[]) =>
  problems.map((p) => [p.row, p.code, p.field, p.twin_row, p.twin_legacy_id, p.raw_value].join('|')).sort();

describe('importing the shared legacy sample', () => {
  it('registers the good rows, names every kind of defect and links each duplicate to its twin', {
    timeout: 180_000,
  }, async () => {
    const t = await kernel();
    const progress: number[] = [];
    const summary = await importLegacyFile(t.kernel, {
      file: SAMPLE,
      mapping: sampleMapping,
      reportDir: folder(),
      progress: (p) => progress.push(p.rowsDone),
    });
    expect(summary.outcome).toBe('completed');
    expect(summary.rows).toBe(3000);
    expect(summary.registered + summary.pending + summary.duplicates + summary.rejected).toBe(3000);
    expect(progress).toEqual([500, 1000, 1500, 2000, 2500, 3000]);

    const problems = problemsOf(summary);
    const found = new Set(problems.map((p) => p.code));
    // Each kind shared/data/README.md says the sample holds, and the report code that names it.
    const readme = {
      'impossible dates (31 February)': 'date-impossible',
      'born in the future': 'birth-future',
      'over 120 years old': 'too-old',
      'death before birth': 'death-before-birth',
      'values that are no district at all': 'district-unknown',
      'phone numbers a digit short': 'phone-invalid',
      'stray spaces': 'name-spaces',
      'recorded twice exactly': 'duplicate-exact',
      're-registered without their old number': 'legacy-id-missing',
      're-registered with a typo, names swapped, another apostrophe, a year off': 'possible-duplicate',
      'missing names (the brief)': 'name-missing',
    };
    for (const [kind, code] of Object.entries(readme)) expect(found, kind).toContain(code);
    // Counts of what needs no judgement pin the checks down.
    expect(Object.fromEntries(summary.problemCounts)).toMatchObject({
      'date-impossible': 19,
      'birth-future': 38,
      'death-before-birth': 24,
      'district-unknown': 26,
      'phone-invalid': 100,
      'duplicate-exact': 24,
      'legacy-id-missing': 43,
      'name-missing': 53,
    });
    // The variations of a re-registration are all recognised.
    const duplicates = problems.filter((p) => p.code === 'possible-duplicate');
    for (const variation of ['names swapped', 'off-by-one-year', 'surname similar', 'givenNames similar']) {
      expect(
        duplicates.some((p) => p.message.includes(variation)),
        variation,
      ).toBe(true);
    }

    // Every duplicate names an earlier row, its legacy ID and the person it became.
    const linked = problems.filter((p) => p.code === 'duplicate-exact' || p.code === 'possible-duplicate');
    expect(linked.length).toBe(summary.duplicates + duplicates.length);
    for (const p of linked) {
      const twin = Number(p.twin_row);
      expect(twin, `row ${p.row}`).toBeGreaterThan(1);
      expect(twin).toBeLessThan(Number(p.row));
      expect(p.twin_legacy_id).toBe(SAMPLE_LINES[twin - 1]?.split(',')[0]);
      expect(p.twin_person_id).toMatch(/^[0-9a-f-]{36}$/);
      if (p.message.startsWith('identical'))
        expect(SAMPLE_LINES[Number(p.row) - 1]).toBe(SAMPLE_LINES[twin - 1]);
    }
    expect(problems.find((p) => p.row === '15' && p.code === 'duplicate-exact')).toMatchObject({
      twin_row: '14',
      twin_legacy_id: 'C5155992',
      message: 'identical to row 14: not imported again',
    });
    expect(problems.find((p) => p.row === '29' && p.code === 'possible-duplicate')).toMatchObject({
      twin_row: '28',
      twin_legacy_id: 'G4606594',
    });
    // Every row that lost its legacy ID waits for a registrar beside the row it repeats.
    const pendingRows = new Set(duplicates.map((p) => p.row));
    for (const p of problems.filter((q) => q.code === 'legacy-id-missing'))
      expect(pendingRows).toContain(p.row);

    // The register: good rows have UINs, possible duplicates wait without one, defects are absent.
    const persons = await t.kernel.db.query<{
      uin: string | null;
      register_state: string;
      legacy_id: string | null;
      vital_status: string;
    }>('SELECT uin, register_state, legacy_id, vital_status FROM identity.persons');
    expect(persons).toHaveLength(summary.registered + summary.pending);
    const registered = persons.filter((p) => p.register_state === 'registered');
    expect(registered).toHaveLength(summary.registered);
    for (const p of registered) expect(validateUinInput(p.uin as string).ok).toBe(true);
    expect(new Set(registered.map((p) => p.uin)).size).toBe(registered.length);
    expect(persons.filter((p) => p.register_state === 'pending' && p.uin === null)).toHaveLength(
      summary.pending,
    );
    expect(await count(t, 'identity.adjudications', "state = 'open'")).toBe(summary.pending);
    expect(persons.filter((p) => p.vital_status === 'deceased')).toHaveLength(summary.deathsRecorded);
    const ids = new Set(persons.map((p) => p.legacy_id));
    expect(ids).toContain('A1978347'); // line 2, a good row
    for (const p of problems.filter((q) => q.severity === 'error' && q.legacy_id)) {
      expect(ids, `rejected row ${p.row}`).not.toContain(p.legacy_id);
    }
    // One audit entry per registration and per death, all through change().
    expect(await count(t, 'audit.entries')).toBe(persons.length + summary.deathsRecorded);
    expect(await count(t, 'identity.import_runs', "state = 'finished' AND rows_done = 3000")).toBe(1);

    const text = fs.readFileSync(summary.summaryFile as string, 'utf8');
    for (const code of found) expect(text).toContain(code);
    expect(text).toMatch(/registered with a UIN\s+2,7\d\d/);
  });
});

describe('a file with broken rows', () => {
  it('imports the good rows and reports the rest, never crashing', { timeout: 60_000 }, async () => {
    const t = await kernel();
    const good = (line: number) => Buffer.from(`${SAMPLE_LINES[line - 1]}\n`);
    const file = path.join(work, 'broken.csv');
    fs.writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${SAMPLE_LINES[0]}\n`), // line 1
        good(2), // line 2
        Buffer.from('X1,Only,Three\n'), // line 3: wrong column count
        Buffer.from([0x00, 0x01, 0x1b, 0xff, 0xfe, 0x7f, 0x80, 0x9c, 0x0a]), // line 4: binary junk
        Buffer.from(`A0000001,Mo\u0000koena,Thabo,M,1985-03-12,Roma,Maseru,,,,1990-01-01,ALIVE,\n`), // line 5
        Buffer.from('A0000002,Mokoena,Th'),
        Buffer.from([0xc3, 0x28]), // not UTF-8
        Buffer.from('abo,M,1985-03-12,Roma,Maseru,,,,1990-01-01,ALIVE,\n'), // line 6
        good(3), // line 7
        Buffer.from('A0000003,"Mokoena,Thabo,M,1985-03-12,Roma,Maseru,,,,1990-01-01,ALIVE,\n'), // line 8: stray quote
        good(4), // line 9
        Buffer.from('A0000004,Mokoena,Thabo,M,"1985-03-12,Roma,Maseru,,,,1990-01-01,ALIVE,\n'), // line 10: closed…
        good(5), // line 11
        Buffer.from('A0000005,Mokoena,"Tha"bo,M,1985-03-12,Roma",Maseru,,,,1990-01-01,ALIVE,\n'), // line 12: …here
        good(6), // line 13
        Buffer.from(',,,,,,,,,,,,\n'), // line 14: empty fields
        Buffer.from('A0000006,Mokoena,Thabo,M,1985-03-12,Roma,Maseru,,,,1990-01-01,ALIVE,,,,\n'), // line 15
        Buffer.from('X1,Only,Three\n'), // line 16: line 3 again
        good(7), // line 17, no newline after the last row
      ]).subarray(0, -1),
    );
    const summary = await importLegacyFile(t.kernel, { file, mapping: sampleMapping, reportDir: folder() });
    expect(summary.outcome).toBe('completed');
    expect(summary.registered).toBe(6);
    expect(await count(t, 'identity.persons')).toBe(6);
    const ids = (
      await t.kernel.db.query<{ legacy_id: string }>('SELECT legacy_id FROM identity.persons')
    ).map((p) => p.legacy_id);
    expect(ids.sort()).toEqual(
      [2, 3, 4, 5, 6, 7].map((line) => SAMPLE_LINES[line - 1]?.split(',')[0]).sort(),
    );
    const problems = problemsOf(summary).filter((p) => p.severity === 'error');
    const byLine: Record<string, string[]> = {};
    for (const p of problems) byLine[p.row] = [...(byLine[p.row] ?? []), p.code];
    expect(byLine).toEqual({
      3: ['column-count'],
      4: ['column-count'],
      5: ['unreadable-characters'],
      6: ['unreadable-characters'],
      8: ['csv-syntax'],
      10: ['csv-syntax'],
      12: ['name-invalid'], // read again on its own after line 10: "Tha"bo is no name
      14: ['name-missing', 'name-missing', 'sex-missing', 'date-missing', 'district-missing'],
      15: ['column-count'],
    });
    // Line 8's quote is closed by line 10's, which is closed in line 12: each costs its own line only.
    expect(problems.find((p) => p.row === '8')?.message).toBe(
      'a quote opened on this line is closed only lines later',
    );
    expect(problems.find((p) => p.row === '10')?.message).toBe(
      'a quote opened on this line is closed only lines later',
    );
    expect(summary.unreadableLines).toBe(2);
    expect(problemsOf(summary).find((p) => p.row === '16')).toMatchObject({
      code: 'duplicate-exact',
      twin_row: '3',
      message: 'identical to row 3, which was not imported either: see its problems',
    });
  });
});

describe('a register with Sesotho headers, ";" and Windows-1252 text', () => {
  it('imports with its own mapping', { timeout: 60_000 }, async () => {
    const t = await kernel();
    const summary = await importLegacyFile(t.kernel, {
      file: here('./fixtures/sesotho-register.csv'),
      mapping: loadMapping(here('./mappings/sesotho-register.json')),
      reportDir: folder(),
    });
    expect(totals(summary)).toMatchObject({
      rows: 10,
      registered: 7,
      pending: 1,
      duplicates: 0,
      rejected: 2,
      deathsRecorded: 1,
    });
    const people = await t.kernel.db.query<Record<string, string | null>>(
      `SELECT legacy_id, given_names, surname, mother_name, birth_district, birth_year, birth_month, birth_day,
              vital_status, death_date::text AS death_date, register_state, phones::text AS phones
       FROM identity.persons ORDER BY surname, legacy_id NULLS LAST`,
    );
    const byId = (id: string) => people.find((p) => p.legacy_id === id);
    expect(byId('2750451068')).toMatchObject({
      given_names: 'Tšepo Lerato',
      mother_name: '’Mathabo Mokoena',
      birth_district: 'A',
      phones: '["+26658123456"]',
    });
    expect(byId('3182746508')).toMatchObject({
      surname: 'Matšela',
      given_names: '’Malineo',
      birth_district: 'D', // "Mapoteng", an alias the mapping adds
      vital_status: 'deceased',
      death_date: '2019-06-17',
    });
    expect(byId('4061728397')).toMatchObject({
      birth_district: 'A',
      birth_year: 1975,
      birth_month: 8,
      birth_day: null,
    });
    expect(byId('4829173654')).toMatchObject({ birth_district: 'C', register_state: 'registered' });
    expect(byId('7482910366')).toMatchObject({ birth_district: 'F', phones: '[]' });
    expect(byId('8593017241')).toMatchObject({ birth_district: 'B' });
    expect(people.find((p) => p.legacy_id === null)).toMatchObject({
      given_names: 'Tšepo Lerato',
      register_state: 'pending',
    });

    const problems = problemsOf(summary);
    const codes = problems.map((p) => `${p.row} ${p.code}`);
    expect(codes).toEqual([
      '5 legacy-id-check-digit',
      '6 date-impossible',
      '7 sex-unknown',
      '8 legacy-id-missing',
      '8 possible-duplicate',
      '9 phone-invalid',
      '11 death-date-imprecise',
    ]);
    expect(problems.find((p) => p.code === 'possible-duplicate')).toMatchObject({
      twin_row: '2',
      twin_legacy_id: '2750451068',
    });
    expect(problems.find((p) => p.code === 'date-impossible')).toMatchObject({
      column: 'Letsatsi la tsoalo',
      raw_value: '30.02.1990',
    });

    // Another register's file reusing one of these legacy IDs: imported, and held for a registrar.
    const [holder] = await t.kernel.db.query<{ id: string; uin: string }>(
      "SELECT id, uin FROM identity.persons WHERE legacy_id = '2750451068'",
    );
    const reused = path.join(work, 'reused-elsewhere.csv');
    fs.writeFileSync(reused, `${SAMPLE_LINES[0]}\n2750451068${(SAMPLE_LINES[1] as string).slice(8)}\n`);
    const second = await importLegacyFile(t.kernel, {
      file: reused,
      mapping: sampleMapping,
      reportDir: folder(),
    });
    expect(second.registered).toBe(0);
    expect(second.pending).toBe(1);
    expect(problemsOf(second)).toEqual([
      expect.objectContaining({
        code: 'possible-duplicate',
        twin_person_id: holder?.id,
        twin_uin: holder?.uin,
      }),
      expect.objectContaining({
        code: 'legacy-id-in-register',
        legacy_id: '2750451068',
        twin_person_id: holder?.id,
        twin_uin: holder?.uin,
        twin_row: '',
      }),
    ]);
  });
});

describe('resuming an interrupted import', () => {
  it('continues after the last committed batch: no row twice, the same totals and report', {
    timeout: 120_000,
  }, async () => {
    const file = sampleLines(2, 61); // 60 rows, with an exact repeat (14/15) and a re-registration (28/29)
    const reference = await importLegacyFile((await kernel()).kernel, {
      file,
      mapping: sampleMapping,
      reportDir: folder(),
    });

    const t = await kernel();
    const reportDir = folder();
    const interrupt = (batch: number) => {
      if (batch === 3) throw new Error('power cut');
    };
    await expect(
      importLegacyFile(t.kernel, {
        file,
        mapping: sampleMapping,
        batchSize: 10,
        reportDir,
        hooks: { afterBatch: ({ batch }) => interrupt(batch) },
      }),
    ).rejects.toThrow('power cut');
    const [run] = await t.kernel.db.query<{ rows_done: number; state: string }>(
      'SELECT rows_done, state FROM identity.import_runs',
    );
    expect(run).toEqual({ rows_done: 30, state: 'running' });
    const before = await peopleByRow(t);
    expect(Math.max(...before.keys())).toBeLessThanOrEqual(31);
    expect(
      fs.readFileSync(path.join(reportDir, `${path.basename(file, '.csv')}-summary.txt`), 'utf8'),
    ).toMatch(/in progress .* the import was interrupted: run it again/);

    // A dry run of the rest says what resuming will give, and writes nothing.
    const untouched = await footprint(t);
    const preview = await importLegacyFile(t.kernel, {
      file,
      mapping: sampleMapping,
      dryRun: true,
      reportDir: folder(),
    });
    expect(preview).toMatchObject({ resumedAfter: 30, dryRun: true, runId: null });
    expect(totals(preview)).toEqual(totals(reference));
    expect(await footprint(t)).toEqual(untouched);

    const resumed = await importLegacyFile(t.kernel, {
      file,
      mapping: sampleMapping,
      batchSize: 10,
      reportDir,
    });
    expect(resumed).toMatchObject({ outcome: 'completed', resumedAfter: 30 });
    expect(totals(resumed)).toEqual(totals(reference));
    const after = await peopleByRow(t);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(after.size).toBe(reference.registered + reference.pending);
    for (const [row, n] of before) expect(after.get(row)).toBe(n);
    // The report covers the rows the first run committed too, twin links included.
    expect(portable(problemsOf(resumed))).toEqual(portable(problemsOf(reference)));
    expect(problemsOf(resumed).find((p) => p.code === 'possible-duplicate')).toMatchObject({
      row: '29',
      twin_row: '28',
    });

    const footprintBefore = await footprint(t);
    const again = await importLegacyFile(t.kernel, { file, mapping: sampleMapping, reportDir });
    expect(again).toMatchObject({ outcome: 'already-finished', rows: 60 });
    expect(await footprint(t)).toEqual(footprintBefore);

    const otherMapping = compileMapping(
      {
        ...JSON.parse(fs.readFileSync(here('./mappings/civil-registry-legacy.json'), 'utf8')),
        maxAgeYears: 110,
      },
      'other.json',
    );
    await expect(importLegacyFile(t.kernel, { file, mapping: otherMapping })).rejects.toThrow(
      /was already imported with another mapping .* importing it again would register them twice/,
    );
  });
});

describe('resuming, with a legacy ID used twice in the file', () => {
  it('reports the reuse as it would have without the interruption', { timeout: 60_000 }, async () => {
    const other = (SAMPLE_LINES[2] as string).split(',');
    other[0] = (SAMPLE_LINES[1] as string).split(',')[0] as string; // line 3's person with line 2's legacy ID
    const file = path.join(work, 'reused-id.csv');
    fs.writeFileSync(
      file,
      `${[SAMPLE_LINES[0], SAMPLE_LINES[1], SAMPLE_LINES[3], other.join(',')].join('\n')}\n`,
    );
    const reference = await importLegacyFile((await kernel()).kernel, {
      file,
      mapping: sampleMapping,
      reportDir: folder(),
    });
    expect(problemsOf(reference).map((p) => `${p.row} ${p.code} ${p.twin_row}`)).toContain(
      '4 legacy-id-repeated 2',
    );

    const t = await kernel();
    const stop = () => {
      throw new Error('stopped');
    };
    await expect(
      importLegacyFile(t.kernel, { file, mapping: sampleMapping, batchSize: 3, hooks: { afterBatch: stop } }),
    ).rejects.toThrow('stopped');
    const resumed = await importLegacyFile(t.kernel, { file, mapping: sampleMapping, reportDir: folder() });
    expect(resumed.resumedAfter).toBe(3);
    expect(portable(problemsOf(resumed))).toEqual(portable(problemsOf(reference)));
    expect(resumed.problemCounts.has('legacy-id-in-register')).toBe(false);
  });
});

describe('a dry run', () => {
  it('reports what a real run would do and writes nothing, not even its run', {
    timeout: 120_000,
  }, async () => {
    const t = await kernel();
    const file = sampleLines(2, 81);
    const before = await footprint(t);
    const dry = await importLegacyFile(t.kernel, {
      file,
      mapping: sampleMapping,
      dryRun: true,
      reportDir: folder(),
      batchSize: 25,
    });
    expect(dry).toMatchObject({ outcome: 'completed', dryRun: true, runId: null });
    expect(await footprint(t)).toEqual(before);
    expect(fs.readFileSync(dry.summaryFile as string, 'utf8')).toContain('dry run: nothing was written');

    const real = await importLegacyFile(t.kernel, { file, mapping: sampleMapping, reportDir: folder() });
    expect(totals(dry)).toEqual(totals(real));
    expect(portable(problemsOf(dry))).toEqual(portable(problemsOf(real)));
  });
});

describe('a batch that fails', () => {
  const file = () => sampleLines(2, 31); // 30 rows: batches of lines 2-11, 12-21, 22-31

  it('rolls back whole, then its rows go in one by one and the bad one is reported', {
    timeout: 60_000,
  }, async () => {
    const t = await kernel();
    const seen: string[] = [];
    const summary = await importLegacyFile(t.kernel, {
      file: file(),
      mapping: sampleMapping,
      batchSize: 10,
      reportDir: folder(),
      hooks: {
        beforeRow(row: PreparedRow, attempt) {
          if (row.row >= 12 && row.row <= 21) seen.push(`${row.row} ${attempt}`);
          if (row.row === 16) throw new Error('disk on fire');
        },
      },
    });
    expect(summary.outcome).toBe('completed');
    // The batch got as far as line 16, then every row of it went again alone (15 repeats 14: skipped).
    expect(seen.slice(0, 4)).toEqual(['12 batch', '13 batch', '14 batch', '16 batch']);
    expect(seen.slice(4)).toEqual([
      '12 alone',
      '13 alone',
      '14 alone',
      '16 alone',
      '17 alone',
      '18 alone',
      '19 alone',
      '20 alone',
      '21 alone',
    ]);
    const byRow = await peopleByRow(t);
    expect(byRow.has(16)).toBe(false);
    expect([...byRow.values()].every((n) => n === 1)).toBe(true);
    // Nothing of the failed attempt survived: no row of it became its own duplicate.
    const pending = await t.kernel.db.query<{ reason: string }>(
      `SELECT v.reason FROM identity.persons p JOIN identity.person_versions v ON v.person_id = p.id AND v.version = 1
       WHERE p.register_state = 'pending'`,
    );
    expect(pending.map((p) => / row (\d+) /.exec(p.reason)?.[1])).toEqual(['29']);
    expect(await count(t, 'audit.entries')).toBe(byRow.size + summary.deathsRecorded);
    const failed = problemsOf(summary).find((p) => p.code === 'import-failed');
    expect(failed).toMatchObject({ row: '16', legacy_id: 'H0166379', message: 'failed: disk on fire' });
    expect(
      await count(t, 'identity.import_runs', "state = 'finished' AND rows_done = 30 AND rows_imported = 28"),
    ).toBe(1);
  });

  it('a failure that does not repeat loses nothing', { timeout: 60_000 }, async () => {
    const t = await kernel();
    const summary = await importLegacyFile(t.kernel, {
      file: file(),
      mapping: sampleMapping,
      batchSize: 10,
      hooks: {
        beforeRow(row: PreparedRow, attempt) {
          if (row.row === 16 && attempt === 'batch') throw new Error('deadlock');
        },
      },
    });
    expect(summary.problemCounts.has('import-failed')).toBe(false);
    expect((await peopleByRow(t)).get(16)).toBe(1);
    expect(summary.registered + summary.pending).toBe(29);
  });
});
