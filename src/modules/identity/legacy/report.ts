import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { PROBLEM_KINDS, type Problem, type ProblemCode, severityOf } from './problems.js';

export const PROBLEM_COLUMNS = [
  'row',
  'legacy_id',
  'field',
  'column',
  'severity',
  'code',
  'message',
  'raw_value',
  'twin_row',
  'twin_legacy_id',
  'twin_person_id',
  'twin_uin',
] as const;

/**
 * One CSV cell. Quoted when needed; a value a spreadsheet would run as a formula (=, +, -, @ first)
 * gets a leading apostrophe, which spreadsheets hide: "+266 5812 3456" stays a phone number.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The file names of a run's report: `<file>-problems.csv` and `<file>-summary.txt`. */
export function reportPaths(dir: string, csvFile: string) {
  const base = path.basename(csvFile).replace(/\.[^.]*$/, '');
  return {
    problems: path.join(dir, `${base}-problems.csv`),
    summary: path.join(dir, `${base}-summary.txt`),
  };
}

/**
 * The problems file, written as the import goes. UTF-8 with a byte-order mark, so a spreadsheet
 * shows Tšepo and ’ correctly.
 */
export class ProblemWriter {
  private constructor(private readonly stream: fs.WriteStream | undefined) {}

  static async open(file: string | undefined): Promise<ProblemWriter> {
    if (!file) return new ProblemWriter(undefined);
    const stream = fs.createWriteStream(file, { encoding: 'utf8' });
    await Promise.race([
      once(stream, 'open'),
      once(stream, 'error').then(([error]) => Promise.reject(error)),
    ]);
    stream.write(`\ufeff${PROBLEM_COLUMNS.join(',')}\r\n`);
    return new ProblemWriter(stream);
  }

  write(row: number, legacyId: string, column: string, p: Problem): void {
    if (!this.stream) return;
    const cells = [
      row,
      legacyId,
      p.field,
      column,
      severityOf(p.code),
      p.code,
      p.message,
      p.raw,
      p.twin?.row,
      p.twin?.legacyId,
      p.twin?.personId,
      p.twin?.uin,
    ];
    this.stream.write(`${cells.map(csvCell).join(',')}\r\n`);
  }

  /** Waits until what was written has left the buffer (called once per batch). */
  async flush(): Promise<void> {
    if (this.stream?.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

export interface SummaryFacts {
  file: string;
  fileBytes: number;
  fileSha256: string;
  mappingFile: string;
  mappingSha256: string;
  runId: string | null;
  dryRun: boolean;
  resumedAfter: number;
  startedAt: Date;
  seconds: number;
  rowsPerSecond: number;
  rows: number;
  unreadableLines: number;
  registered: number;
  pending: number;
  duplicates: number;
  rejected: number;
  deathsRecorded: number;
  problemCounts: ReadonlyMap<ProblemCode, number>;
  /** Rows with each severity at least once. */
  severityRows: ReadonlyMap<string, number>;
  problemsFile: string | null;
}

const n = (value: number) => value.toLocaleString('en-US');

export function summaryText(f: SummaryFacts): string {
  const lines = [
    `Mmuso identity import of ${path.basename(f.file)}`,
    '',
    `File        ${f.file} (${n(f.fileBytes)} bytes, sha256 ${f.fileSha256})`,
    `Mapping     ${f.mappingFile} (sha256 ${f.mappingSha256})`,
    f.dryRun
      ? 'Run         dry run: nothing was written to the register'
      : `Run         ${f.runId}${f.resumedAfter > 0 ? `, resumed after the ${n(f.resumedAfter)} rows an earlier run committed` : ''}`,
    `Started     ${f.startedAt.toISOString()}`,
    `Time        ${f.seconds.toFixed(1)} s, ${n(Math.round(f.rowsPerSecond))} rows/s`,
    '',
    `Rows read                 ${n(f.rows + f.unreadableLines).padStart(9)}`,
    `  registered with a UIN   ${n(f.registered).padStart(9)}`,
    `  pending adjudication    ${n(f.pending).padStart(9)}`,
    `  skipped as duplicates   ${n(f.duplicates).padStart(9)}`,
    `  rejected                ${n(f.rejected + f.unreadableLines).padStart(9)}`,
    `Deaths recorded           ${n(f.deathsRecorded).padStart(9)}`,
    `Rows with a follow-up     ${n(f.severityRows.get('follow-up') ?? 0).padStart(9)}`,
    `Rows with a warning       ${n(f.severityRows.get('warning') ?? 0).padStart(9)}`,
    `Warnings                  ${n(countOf(f, 'warning')).padStart(9)}`,
    '',
    f.problemCounts.size === 0
      ? 'No problems found.'
      : `Problems by kind${f.problemsFile ? ` (each one is in ${path.basename(f.problemsFile)})` : ''}:`,
  ];
  const codes = [...f.problemCounts.keys()].sort(
    (a, b) => order(a) - order(b) || (f.problemCounts.get(b) ?? 0) - (f.problemCounts.get(a) ?? 0),
  );
  for (const code of codes) {
    lines.push(
      `  ${code.padEnd(28)} ${severityOf(code).padEnd(10)} ${n(f.problemCounts.get(code) ?? 0).padStart(7)}  ${PROBLEM_KINDS[code].text}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const SEVERITY_ORDER = ['error', 'skipped', 'review', 'follow-up', 'warning', 'info'];
const order = (code: ProblemCode) => SEVERITY_ORDER.indexOf(severityOf(code));
const countOf = (f: SummaryFacts, severity: string) =>
  [...f.problemCounts].reduce((sum, [code, count]) => sum + (severityOf(code) === severity ? count : 0), 0);
