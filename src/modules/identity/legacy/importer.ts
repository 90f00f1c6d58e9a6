import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { type Actor, systemActor } from '../../../core/actors/index.js';
import { type Queryable, rows, type Tx } from '../../../core/db/index.js';
import { HttpProblem } from '../../../core/http/index.js';
import { newId } from '../../../core/ids/index.js';
import { type Change, change, type Kernel } from '../../../core/kernel/index.js';
import type { Candidate } from '../candidates.js';
import { registerDeath } from '../death.js';
import { registerPerson } from '../register.js';
import { importRuns } from '../schema.js';
import { identitySettings } from '../settings.js';
import { fillUinPool, uinPoolSize } from '../uin-pool.js';
import { type Field, ImportSetupError, type Mapping } from './mapping.js';
import { type PreparedRow, prepareRow, resolveColumns } from './prepare.js';
import { type Problem, type ProblemCode, problem, severityOf, type Twin } from './problems.js';
import { type CsvItem, readCsv } from './reader.js';
import { ProblemWriter, reportPaths, type SummaryFacts, summaryText } from './report.js';

export const DEFAULT_BATCH_SIZE = 500;

export interface ImportProgress {
  /** Data rows done, counting those an earlier run committed. */
  rowsDone: number;
  bytesDone: number;
  bytesTotal: number;
  seconds: number;
  /** Rows this run processed, per second. */
  rowsPerSecond: number;
}

/** Seams for tests: a failure inside a transaction, an interruption after a commit. */
export interface ImportHooks {
  /** Inside the row's transaction, before it is registered; throwing fails that transaction. */
  beforeRow?(row: PreparedRow, attempt: 'batch' | 'alone'): void | Promise<void>;
  /** After a batch committed (its rows_done with it); throwing stops the import there. */
  afterBatch?(info: { batch: number; rowsDone: number }): void | Promise<void>;
}

export interface ImportOptions {
  file: string;
  mapping: Mapping;
  /** Validate and report, writing nothing: the import runs in one transaction that is rolled back. */
  dryRun?: boolean;
  batchSize?: number;
  /** Where `<file>-problems.csv` and `<file>-summary.txt` go; none are written without it. */
  reportDir?: string;
  actor?: Actor;
  progress?(progress: ImportProgress): void;
  hooks?: ImportHooks;
}

export interface ImportSummary extends SummaryFacts {
  /** completed: every row is done; already-finished: an earlier run did it all, nothing was done. */
  outcome: 'completed' | 'already-finished';
  summaryFile: string | null;
  /** For already-finished: when that run ended and its counts. */
  finishedAt?: Date;
}

/** How a row fared in the register. */
type RowResult =
  | { kind: 'not-imported' }
  | { kind: 'failed'; message: string }
  | {
      kind: 'imported';
      personId: string;
      uin: string | null;
      state: 'registered' | 'pending';
      deathRecorded: boolean;
      twins: { twin: Twin; message: string }[];
      holders: Twin[];
    };

interface Item {
  prepared: PreparedRow;
  /** The earlier row this one repeats exactly. */
  duplicateOf?: { row: number; legacyId: string; identical: boolean };
}

interface Executor {
  dryRun: boolean;
  /** Reads outside a batch. */
  reader: Queryable;
  /** A batch's or a single row's transaction; a savepoint of the one rolled-back transaction in a dry run. */
  transaction<T>(fn: (c: Change) => Promise<T>): Promise<T>;
}

/** What an earlier, interrupted run of the same import left in the register, by file row. */
interface Previous {
  personId: string;
  uin: string | null;
  state: string;
  vitalStatus: string;
  candidates: Candidate[];
}

class DryRunRollback extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run: rolled back');
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function checkReadable(file: string): Promise<number> {
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) throw new ImportSetupError(`${file}: is not a file`);
    await fs.promises.access(file, fs.constants.R_OK);
    return stat.size;
  } catch (error) {
    if (error instanceof ImportSetupError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportSetupError(`${file}: cannot be read (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

/**
 * Checks what can be checked before the database is opened: the file can be read, has a header,
 * and has every column the mapping names. Throws ImportSetupError with one line saying what is wrong.
 */
export async function checkImportFile(file: string, mapping: Mapping): Promise<void> {
  await checkReadable(file);
  await readHeader(file, mapping);
}

/** The header row, with the mapping's columns found in it (or a one-line error naming those missing). */
async function readHeader(file: string, mapping: Mapping) {
  const items = readCsv(file, { delimiter: mapping.delimiter, encoding: mapping.encoding });
  const first = await items.next();
  await items.return(undefined);
  if (first.done || first.value.kind !== 'header') {
    throw new ImportSetupError(`${file}: has no header row`);
  }
  const header = first.value.fields;
  const { columns, missing } = resolveColumns(mapping, header);
  if (missing.length > 0) {
    const shown = header.slice(0, 20).join(', ');
    throw new ImportSetupError(
      `mapping ${mapping.file}: /columns/${missing[0]}: the file has no column "${missing[0]}"` +
        ` (its header: ${shown}${header.length > 20 ? ', …' : ''}; is the delimiter "${mapping.delimiter}" right?)`,
    );
  }
  return { header, columns };
}

interface RunRow {
  id: string;
  mappingSha256: string;
  state: 'running' | 'finished';
  rowsDone: number;
  rowsImported: number;
  rowsRejected: number;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * Imports a legacy register export: streams the CSV, maps and checks every row, registers the good
 * ones through registerPerson (so the duplicate search runs for each, against the whole register
 * including the rows before it) in batches of one transaction each, and writes the clean-up report.
 * Re-running the same file with the same mapping continues after the last committed batch.
 */
export async function importLegacyFile(kernel: Kernel, options: ImportOptions): Promise<ImportSummary> {
  const { mapping } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new ImportSetupError(`batch size ${batchSize}: expected a whole number from 1 to 100000`);
  }
  const fileBytes = await checkReadable(options.file);
  const { header, columns } = await readHeader(options.file, mapping);
  const fileSha256 = await sha256File(options.file);
  const fileName = path.basename(options.file);

  const runs = (await kernel.db.orm
    .select()
    .from(importRuns)
    .where(eq(importRuns.fileSha256, fileSha256))) as RunRow[];
  const same = runs.find((r) => r.mappingSha256 === mapping.sha256);
  const base = {
    file: options.file,
    fileBytes,
    fileSha256,
    mappingFile: mapping.file,
    mappingSha256: mapping.sha256,
    dryRun: options.dryRun ?? false,
  };
  if (same?.state === 'finished') {
    return {
      ...base,
      outcome: 'already-finished',
      runId: same.id,
      resumedAfter: same.rowsDone,
      startedAt: same.startedAt,
      finishedAt: same.finishedAt ?? undefined,
      seconds: 0,
      rowsPerSecond: 0,
      rows: same.rowsDone,
      unreadableLines: 0,
      registered: same.rowsImported,
      pending: 0,
      duplicates: 0,
      rejected: same.rowsRejected,
      deathsRecorded: 0,
      problemCounts: new Map(),
      severityRows: new Map(),
      problemsFile: null,
      summaryFile: null,
    };
  }
  const other = runs.find((r) => r.mappingSha256 !== mapping.sha256 && r.rowsImported > 0);
  if (other) {
    throw new ImportSetupError(
      `${fileName} was already imported with another mapping (run ${other.id}, ${other.rowsImported} people registered):` +
        ' importing it again would register them twice; put the rows still to import in a new file',
    );
  }

  let reportFiles: ReturnType<typeof reportPaths> | undefined;
  if (options.reportDir) {
    try {
      await fs.promises.mkdir(options.reportDir, { recursive: true });
      await fs.promises.access(options.reportDir, fs.constants.W_OK);
    } catch (error) {
      throw new ImportSetupError(
        `report folder ${options.reportDir}: cannot be written (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    reportFiles = reportPaths(options.reportDir, options.file);
  }

  const actor = options.actor ?? systemActor('identity-import');
  const setup = { kernel, options, mapping, header, columns, fileName, base, batchSize, reportFiles };
  if (options.dryRun) {
    try {
      await kernel.db.transaction(async (tx) => {
        const executor: Executor = {
          dryRun: true,
          reader: tx,
          transaction: (fn) =>
            tx.transaction((savepoint) =>
              fn({
                tx: savepoint as Tx,
                actor,
                now: kernel.clock.now(),
                audit() {},
                publish() {},
                write() {},
              }),
            ),
        };
        // An interrupted run's rows are reported from the register, as a real run would.
        const summary = await new ImportRun(setup, executor, same?.id ?? null, same?.rowsDone ?? 0).run();
        throw new DryRunRollback(summary);
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return error.summary;
      throw error;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  let runId = same?.id;
  if (!runId) {
    runId = newId();
    const now = kernel.clock.now();
    const inserted = await kernel.db.transaction((tx) =>
      rows<{ id: string }>(
        tx,
        sql`INSERT INTO identity.import_runs (id, file_sha256, mapping_sha256, file_name, state, rows_done,
              rows_imported, rows_rejected, started_at)
            VALUES (${runId}, ${fileSha256}, ${mapping.sha256}, ${fileName}, 'running', 0, 0, 0, ${now})
            ON CONFLICT (file_sha256, mapping_sha256) DO NOTHING RETURNING id`,
      ),
    );
    if (inserted.length === 0)
      throw new ImportSetupError(`${fileName}: another process has just started importing it`);
  }
  const executor: Executor = {
    dryRun: false,
    reader: kernel.db.orm,
    transaction: (fn) => change(kernel, { actor }, fn),
  };
  return new ImportRun(setup, executor, runId, same?.rowsDone ?? 0).run();
}

interface Setup {
  kernel: Kernel;
  options: ImportOptions;
  mapping: Mapping;
  header: string[];
  columns: Map<Field, number>;
  fileName: string;
  base: Pick<SummaryFacts, 'file' | 'fileBytes' | 'fileSha256' | 'mappingFile' | 'mappingSha256' | 'dryRun'>;
  batchSize: number;
  reportFiles: ReturnType<typeof reportPaths> | undefined;
}

/** One pass over the file: in-memory state for in-file duplicates and twin links, counts, the report. */
class ImportRun {
  private readonly settings;
  private readonly now: Date;
  private readonly pivot: number;
  private readonly startedAt: Date;
  private readonly clockStart = performance.now();
  /** File row → the person it became. */
  private readonly rowPerson = new Map<number, { personId: string; uin: string | null; legacyId: string }>();
  private readonly personRow = new Map<string, number>();
  /** First row of each fingerprint, and of each legacy ID. */
  private readonly fingerprints = new Map<string, { row: number; legacyId: string; raw: string }>();
  private readonly legacyIds = new Map<string, number>();
  private readonly previous = new Map<number, Previous>();
  /** Everyone an earlier run of this import registered: never "already in the register from elsewhere". */
  private readonly previousPeople = new Set<string>();
  private problems!: ProblemWriter;
  private readonly counts = {
    rows: 0,
    unreadable: 0,
    registered: 0,
    pending: 0,
    duplicates: 0,
    rejected: 0,
    deaths: 0,
  };
  private readonly problemCounts = new Map<ProblemCode, number>();
  private readonly severityRows = new Map<string, number>();
  private rowsThisRun = 0;
  private bytesDone = 0;
  private batches = 0;

  constructor(
    private readonly setup: Setup,
    private readonly executor: Executor,
    private readonly runId: string | null,
    private readonly resumeFrom: number,
  ) {
    const { kernel, mapping } = setup;
    this.settings = identitySettings(kernel.config);
    this.now = kernel.clock.now();
    this.startedAt = this.now;
    this.pivot = mapping.centuryPivot ?? this.now.getUTCFullYear() % 100;
  }

  async run(): Promise<ImportSummary> {
    const { options, mapping, reportFiles } = this.setup;
    if (this.resumeFrom > 0 && this.runId) await this.loadPrevious();
    if (reportFiles) {
      await fs.promises.writeFile(
        reportFiles.summary,
        `Import of ${this.setup.fileName} in progress since ${this.startedAt.toISOString()};` +
          ' this file is rewritten when it ends. If it stays like this, the import was interrupted: run it again.\n',
      );
    }
    this.problems = await ProblemWriter.open(reportFiles?.problems);
    try {
      let batch: Item[] = [];
      const items = readCsv(options.file, {
        delimiter: mapping.delimiter,
        encoding: mapping.encoding,
        singleLineColumns: [...mapping.columns.values()],
      });
      for await (const item of items) {
        if (item.kind === 'header') continue;
        if (item.kind === 'broken') {
          this.unreadable(item);
          continue;
        }
        const prepared = prepareRow(item.fields, item.index, item.line, {
          mapping,
          columns: this.setup.columns,
          headerLength: this.setup.header.length,
          now: this.now,
          pivot: this.pivot,
          uinLength: this.settings.uinPolicy.length,
        });
        const next = this.inFile(prepared);
        this.bytesDone = item.endByte;
        if (prepared.index < this.resumeFrom) {
          await this.replay(next);
          continue;
        }
        batch.push(next);
        if (batch.length >= this.setup.batchSize) {
          await this.runBatch(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await this.runBatch(batch);
      if (!this.executor.dryRun && this.runId) {
        const done = this.counts.rows;
        await this.executor.transaction(async (c) => {
          await c.tx
            .update(importRuns)
            .set({ state: 'finished', rowsDone: done, finishedAt: c.now })
            .where(eq(importRuns.id, this.runId as string));
        });
      }
    } finally {
      await this.problems.close();
    }
    const summary = this.summary();
    if (reportFiles) await fs.promises.writeFile(reportFiles.summary, summaryText(summary));
    return summary;
  }

  private summary(): ImportSummary {
    const seconds = (performance.now() - this.clockStart) / 1000;
    return {
      ...this.setup.base,
      outcome: 'completed',
      runId: this.executor.dryRun ? null : this.runId,
      resumedAfter: this.resumeFrom,
      startedAt: this.startedAt,
      seconds,
      rowsPerSecond: seconds > 0 ? this.rowsThisRun / seconds : 0,
      rows: this.counts.rows,
      unreadableLines: this.counts.unreadable,
      registered: this.counts.registered,
      pending: this.counts.pending,
      duplicates: this.counts.duplicates,
      rejected: this.counts.rejected,
      deathsRecorded: this.counts.deaths,
      problemCounts: this.problemCounts,
      severityRows: this.severityRows,
      problemsFile: this.setup.reportFiles?.problems ?? null,
      summaryFile: this.setup.reportFiles?.summary ?? null,
    };
  }

  /** In-file checks, in file order: exact repeats and reused legacy IDs. */
  private inFile(prepared: PreparedRow): Item {
    const first = this.fingerprints.get(prepared.fingerprint);
    if (first) {
      return {
        prepared,
        duplicateOf: {
          row: first.row,
          legacyId: first.legacyId,
          identical: first.raw === prepared.rawFingerprint,
        },
      };
    }
    this.fingerprints.set(prepared.fingerprint, {
      row: prepared.row,
      legacyId: prepared.legacyId,
      raw: prepared.rawFingerprint,
    });
    if (prepared.legacyId) {
      const earlier = this.legacyIds.get(prepared.legacyId);
      if (earlier === undefined) this.legacyIds.set(prepared.legacyId, prepared.row);
      else {
        prepared.problems.push(
          problem(
            'legacy-id-repeated',
            'legacyId',
            `row ${earlier} has the same legacy ID with different particulars`,
            prepared.legacyId,
            { row: earlier, legacyId: prepared.legacyId },
          ),
        );
      }
    }
    return { prepared };
  }

  private reason(prepared: PreparedRow): string {
    const registered = prepared.registeredOn
      ? `; registered ${prepared.registeredOn} in the legacy register`
      : '';
    return `Legacy import of ${this.setup.fileName} row ${prepared.row} [run ${this.executor.dryRun ? 'dry-run' : this.runId}]${registered}`;
  }

  private async ensureUinPool(needed: number): Promise<void> {
    if (this.executor.dryRun) return; // takeUin makes its own inside the rolled-back transaction
    const { kernel } = this.setup;
    if ((await uinPoolSize(kernel.db)) < needed) {
      await fillUinPool(kernel.db, this.settings.uinPolicy, Math.max(needed * 2, 1000));
    }
  }

  /** Takes the run's row for this transaction; another process importing the same file makes it fail. */
  private async claim(tx: Tx, expected: number): Promise<void> {
    if (this.executor.dryRun || !this.runId) return;
    const [run] = await tx
      .select({ rowsDone: importRuns.rowsDone })
      .from(importRuns)
      .where(and(eq(importRuns.id, this.runId), eq(importRuns.state, 'running')))
      .for('update');
    if (!run || run.rowsDone !== expected) {
      throw new ImportSetupError(
        `${this.setup.fileName}: another process is importing this file (${run ? `${run.rowsDone} rows done` : 'finished'})`,
      );
    }
  }

  private async advance(tx: Tx, rowsDone: number, results: readonly RowResult[]): Promise<void> {
    if (this.executor.dryRun || !this.runId) return;
    const imported = results.filter((r) => r.kind === 'imported').length;
    await tx
      .update(importRuns)
      .set({
        rowsDone,
        rowsImported: sql`${importRuns.rowsImported} + ${imported}`,
        rowsRejected: sql`${importRuns.rowsRejected} + ${results.length - imported}`,
      })
      .where(eq(importRuns.id, this.runId));
  }

  private async runBatch(items: Item[]): Promise<void> {
    const first = (items[0] as Item).prepared.index;
    const end = (items[items.length - 1] as Item).prepared.index + 1;
    await this.ensureUinPool(items.length);
    let results: RowResult[];
    try {
      results = await this.executor.transaction(async (c) => {
        await this.claim(c.tx, first);
        const holders = await this.holders(c.tx, items);
        const local = new Map<string, { row: number; legacyId: string }>();
        const out: RowResult[] = [];
        for (const item of items) out.push(await this.importRow(c, item, local, holders, 'batch'));
        await this.advance(c.tx, end, out);
        return out;
      });
    } catch (error) {
      if (error instanceof ImportSetupError) throw error;
      // The whole batch rolled back. One row at a time, so one bad row cannot hold up the rest.
      this.setup.kernel.log.warn(
        { err: error, firstRow: items[0]?.prepared.row },
        'legacy import batch failed; retrying its rows one by one',
      );
      results = [];
      for (const item of items) results.push(await this.importAlone(item));
    }
    for (const [i, item] of items.entries()) this.record(item, results[i] as RowResult);
    this.rowsThisRun += items.length;
    await this.problems.flush();
    this.batches += 1;
    if (!this.executor.dryRun)
      await this.setup.options.hooks?.afterBatch?.({ batch: this.batches, rowsDone: end });
    const seconds = (performance.now() - this.clockStart) / 1000;
    this.setup.options.progress?.({
      rowsDone: end,
      bytesDone: this.bytesDone,
      bytesTotal: this.setup.base.fileBytes,
      seconds,
      rowsPerSecond: seconds > 0 ? this.rowsThisRun / seconds : 0,
    });
  }

  private async importAlone(item: Item): Promise<RowResult> {
    const { index } = item.prepared;
    try {
      return await this.executor.transaction(async (c) => {
        await this.claim(c.tx, index);
        const holders = await this.holders(c.tx, [item]);
        const result = await this.importRow(c, item, new Map(), holders, 'alone');
        await this.advance(c.tx, index + 1, [result]);
        return result;
      });
    } catch (error) {
      if (error instanceof ImportSetupError) throw error;
      const failed: RowResult = { kind: 'failed', message: describeFailure(error) };
      await this.executor.transaction(async (c) => {
        await this.claim(c.tx, index);
        await this.advance(c.tx, index + 1, [failed]);
      });
      return failed;
    }
  }

  private async importRow(
    c: Change,
    item: Item,
    local: Map<string, { row: number; legacyId: string }>,
    holders: ReadonlyMap<string, Twin[]>,
    attempt: 'batch' | 'alone',
  ): Promise<RowResult> {
    const { prepared } = item;
    if (item.duplicateOf || prepared.rejected || !prepared.input) return { kind: 'not-imported' };
    await this.setup.options.hooks?.beforeRow?.(prepared, attempt);
    const reason = this.reason(prepared);
    const registration = await registerPerson(c, this.settings, prepared.input, reason);
    const person = registration.person;
    local.set(person.id, { row: prepared.row, legacyId: prepared.legacyId });
    let deathRecorded = false;
    if (prepared.deathDate && registration.outcome === 'registered' && person.uin) {
      await registerDeath(c, { uin: person.uin, dateOfDeath: prepared.deathDate }, reason);
      deathRecorded = true;
    }
    return {
      kind: 'imported',
      personId: person.id,
      uin: person.uin,
      state: registration.outcome,
      deathRecorded,
      twins: registration.outcome === 'pending' ? await this.twins(c.tx, registration.candidates, local) : [],
      holders: holders.get(prepared.legacyId) ?? [],
    };
  }

  /** Each candidate as a row of this file when it is one, else as the register person it is. */
  private async twins(
    on: Queryable,
    candidates: readonly Candidate[],
    local: ReadonlyMap<string, { row: number; legacyId: string }>,
  ): Promise<{ twin: Twin; message: string }[]> {
    const outside = candidates.filter((c) => !local.has(c.personId) && !this.personRow.has(c.personId));
    const legacy = new Map<string, string | null>();
    if (outside.length > 0) {
      const found = await rows<{ id: string; legacy_id: string | null }>(
        on,
        sql`SELECT id, legacy_id FROM identity.persons
            WHERE id IN (${sql.join(
              outside.map((c) => sql`${c.personId}`),
              sql`, `,
            )})`,
      );
      for (const f of found) legacy.set(f.id, f.legacy_id);
    }
    return candidates.map((candidate) => {
      const inBatch = local.get(candidate.personId);
      const row = inBatch?.row ?? this.personRow.get(candidate.personId);
      const legacyId =
        inBatch?.legacyId ??
        (row !== undefined ? this.rowPerson.get(row)?.legacyId : legacy.get(candidate.personId)) ??
        null;
      const twin: Twin = {
        ...(row !== undefined ? { row } : {}),
        legacyId,
        personId: candidate.personId,
        uin: candidate.uin,
      };
      const who =
        row !== undefined
          ? `row ${row}${legacyId ? ` (${legacyId})` : ''}`
          : `register person ${candidate.uin ? `UIN ${candidate.uin}` : candidate.personId}${legacyId ? ` (legacy ID ${legacyId})` : ''}`;
      const agree = candidate.reasons
        .filter((r) => r.weight > 0)
        .map((r) => `${r.field} ${r.agreement}`)
        .join(', ');
      return {
        twin,
        message: `may be the same person as ${who}: score ${candidate.score.toFixed(2)}${agree ? ` (${agree})` : ''}; waits for a registrar`,
      };
    });
  }

  /**
   * People already in the register from elsewhere (not from this file) holding the legacy IDs of
   * these rows: one query before the rows go in, as everyone they add is from this file.
   */
  private async holders(on: Queryable, items: readonly Item[]): Promise<Map<string, Twin[]>> {
    // Only rows that go in: a rejected row's "legacy ID" may be binary junk no query takes.
    const going = items.filter((i) => !i.duplicateOf && !i.prepared.rejected);
    const ids = [...new Set(going.map((i) => i.prepared.legacyId).filter(Boolean))];
    const byId = new Map<string, Twin[]>();
    if (ids.length === 0) return byId;
    const found = await rows<{ id: string; uin: string | null; legacy_id: string }>(
      on,
      sql`SELECT id, uin, legacy_id FROM identity.persons
          WHERE legacy_id IN (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})`,
    );
    for (const f of found) {
      if (this.personRow.has(f.id) || this.previousPeople.has(f.id)) continue;
      const twins = byId.get(f.legacy_id) ?? [];
      if (twins.length < 5) twins.push({ legacyId: f.legacy_id, personId: f.id, uin: f.uin });
      byId.set(f.legacy_id, twins);
    }
    return byId;
  }

  /** Rows an earlier run of this import committed: what became of each, read back from the register. */
  private async loadPrevious(): Promise<void> {
    const found = await rows<{
      id: string;
      uin: string | null;
      register_state: string;
      vital_status: string;
      reason: string;
      candidates: Candidate[] | null;
    }>(
      this.executor.reader,
      sql`SELECT p.id, p.uin, p.register_state, p.vital_status, v.reason, a.candidates
          FROM identity.person_versions v
          JOIN identity.persons p ON p.id = v.person_id
          LEFT JOIN identity.adjudications a ON a.person_id = p.id
          WHERE v.version = 1 AND v.reason LIKE ${`%[run ${this.runId}]%`}`,
    );
    for (const f of found) {
      const row = Number(/ row (\d+) \[run /.exec(f.reason)?.[1]);
      if (!Number.isInteger(row)) continue;
      this.previousPeople.add(f.id);
      this.previous.set(row, {
        personId: f.id,
        uin: f.uin,
        state: f.register_state,
        vitalStatus: f.vital_status,
        candidates: f.candidates ?? [],
      });
    }
  }

  /** A row an earlier run committed: reported again from what the register holds, not imported again. */
  private async replay(item: Item): Promise<void> {
    const { prepared } = item;
    let result: RowResult = { kind: 'not-imported' };
    if (!item.duplicateOf && !prepared.rejected) {
      const before = this.previous.get(prepared.row);
      if (!before) {
        result = {
          kind: 'failed',
          message: 'not in the register: the row failed in an earlier run of this import',
        };
      } else {
        const none = new Map<string, { row: number; legacyId: string }>();
        const holders = await this.holders(this.executor.reader, [item]);
        result = {
          kind: 'imported',
          personId: before.personId,
          uin: before.uin,
          state: before.state === 'registered' ? 'registered' : 'pending',
          deathRecorded: before.vitalStatus === 'deceased',
          twins:
            before.state === 'registered'
              ? []
              : await this.twins(this.executor.reader, before.candidates, none),
          holders: holders.get(prepared.legacyId) ?? [],
        };
      }
    }
    this.record(item, result);
  }

  private unreadable(item: Extract<CsvItem, { kind: 'broken' }>): void {
    this.counts.unreadable += 1;
    this.note(item.line, '', [problem('csv-syntax', '', item.message, item.raw)]);
  }

  /** Counts the row and writes its problems, twins resolved. */
  private record(item: Item, result: RowResult): void {
    const { prepared } = item;
    this.counts.rows += 1;
    let problems: Problem[];
    if (item.duplicateOf) {
      const dup = item.duplicateOf;
      const twinPerson = this.rowPerson.get(dup.row);
      problems = [
        problem(
          'duplicate-exact',
          '',
          (dup.identical
            ? `identical to row ${dup.row}`
            : `the same as row ${dup.row} once spellings are normalised (M / Male / 1, spaces, capitals)`) +
            (twinPerson ? ': not imported again' : ', which was not imported either: see its problems'),
          '',
          {
            row: dup.row,
            legacyId: dup.legacyId || null,
            ...(twinPerson ? { personId: twinPerson.personId, uin: twinPerson.uin } : {}),
          },
        ),
      ];
      this.counts.duplicates += 1;
    } else if (result.kind === 'not-imported') {
      problems = prepared.problems;
      this.counts.rejected += 1;
    } else if (result.kind === 'failed') {
      problems = [...prepared.problems, problem('import-failed', '', result.message)];
      this.counts.rejected += 1;
    } else {
      problems = [...prepared.problems];
      this.rowPerson.set(prepared.row, {
        personId: result.personId,
        uin: result.uin,
        legacyId: prepared.legacyId,
      });
      this.personRow.set(result.personId, prepared.row);
      if (result.state === 'registered') this.counts.registered += 1;
      else this.counts.pending += 1;
      if (result.deathRecorded) this.counts.deaths += 1;
      for (const { twin, message } of result.twins) {
        problems.push(problem('possible-duplicate', '', message, '', twin));
      }
      if (prepared.deathDate && !result.deathRecorded) {
        problems.push(
          problem(
            'death-pending-adjudication',
            'dateOfDeath',
            `died ${prepared.deathDate}: record the death once the adjudication is decided`,
            prepared.deathDate,
            { personId: result.personId },
          ),
        );
      }
      for (const holder of result.holders) {
        problems.push(
          problem(
            'legacy-id-in-register',
            'legacyId',
            `person ${holder.uin ? `UIN ${holder.uin}` : holder.personId} already in the register has this legacy ID`,
            prepared.legacyId,
            holder,
          ),
        );
      }
    }
    this.note(prepared.row, prepared.legacyId, problems);
  }

  private note(row: number, legacyId: string, problems: readonly Problem[]): void {
    const severities = new Set<string>();
    for (const p of problems) {
      this.problemCounts.set(p.code, (this.problemCounts.get(p.code) ?? 0) + 1);
      severities.add(severityOf(p.code));
      const column = p.field ? (this.setup.mapping.columns.get(p.field) ?? '') : '';
      this.problems.write(row, legacyId, column, p);
    }
    for (const s of severities) this.severityRows.set(s, (this.severityRows.get(s) ?? 0) + 1);
  }
}

/** A failure as the report says it: the register's own words for a refusal, the message otherwise. */
function describeFailure(error: unknown): string {
  if (error instanceof HttpProblem) {
    const details = (error.options.errors ?? []).map((e) => `${e.pointer} ${e.code}`).join(', ');
    const detail =
      error.options.detail && !error.options.detail.includes('.') ? `: ${error.options.detail}` : '';
    return `refused by the register: ${error.slug}${details ? ` (${details})` : detail}`;
  }
  return `failed: ${(error as Error)?.message ?? String(error)}`;
}
