import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ImportProgress, ImportSummary } from '../../modules/identity/legacy/index.js';
import { say, withKernel } from '../support.js';

const count = (n: number) => n.toLocaleString('en-US');
const counted = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

function batchSize(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 100_000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 100000.');
  }
  return n;
}

function progressLine(p: ImportProgress): void {
  const percent = p.bytesTotal > 0 ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '100.0';
  process.stderr.write(
    `identity import: ${count(p.rowsDone)} rows, ${percent}% of ${count(Math.ceil(p.bytesTotal / 1024))} KiB,` +
      ` ${count(Math.round(p.rowsPerSecond))} rows/s\n`,
  );
}

function report(summary: ImportSummary): void {
  const name = path.basename(summary.file);
  if (summary.outcome === 'already-finished') {
    say(
      `${name} was already imported with this mapping (run ${summary.runId}, finished ` +
        `${summary.finishedAt?.toISOString() ?? '?'}: ${counted(summary.registered, 'person', 'people')} imported, ` +
        `${counted(summary.rejected, 'row')} not imported). Nothing to do.`,
    );
    return;
  }
  say(
    `${summary.dryRun ? 'Dry run of the import of' : 'Imported'} ${name}: ${counted(summary.rows + summary.unreadableLines, 'row')} read, ` +
      `${count(summary.registered)} registered with a UIN, ${count(summary.pending)} pending adjudication, ` +
      `${count(summary.duplicates)} skipped as duplicates, ${count(summary.rejected + summary.unreadableLines)} rejected ` +
      `(${summary.seconds.toFixed(1)} s, ${count(Math.round(summary.rowsPerSecond))} rows/s)` +
      (summary.dryRun ? '. Nothing was written.' : ''),
  );
  if (summary.problemsFile) say(`Problems: ${summary.problemsFile}`);
  if (summary.summaryFile) say(`Summary:  ${summary.summaryFile}`);
}

const importCommand = new Command('import')
  .description(
    'import a legacy civil-registry export (CSV) into the register and write a clean-up report;' +
      ' running it again continues where it stopped',
  )
  .argument('<file>', 'the CSV file')
  .requiredOption('--mapping <file>', 'the column mapping (JSON; see docs/identity-import.md)')
  .option('--dry-run', 'check and report every row without writing anything')
  .addOption(new Option('--batch <n>', 'rows per transaction').argParser(batchSize).default(500))
  .option('--report <dir>', 'folder for <file>-problems.csv and <file>-summary.txt', '.')
  .action(
    async (file: string, options: { mapping: string; dryRun?: boolean; batch: number; report: string }) => {
      // Loaded here: the register brings the HTTP stack, which other commands do not need.
      const legacy = await import('../../modules/identity/legacy/index.js');
      try {
        // A bad mapping or an unreadable file stops before the database is even opened.
        const mapping = legacy.loadMapping(options.mapping);
        await legacy.checkImportFile(file, mapping);
        const summary = await withKernel((kernel) =>
          legacy.importLegacyFile(kernel, {
            file,
            mapping,
            dryRun: options.dryRun ?? false,
            batchSize: options.batch,
            reportDir: options.report,
            progress: progressLine,
          }),
        );
        report(summary);
      } catch (error) {
        if (!(error instanceof legacy.ImportSetupError)) throw error;
        process.stderr.write(`mmuso: ${error.message}\n`);
        process.exitCode = 1;
      }
    },
  );

export const identityCommand = new Command('identity')
  .description('the identity register: import legacy registers')
  .addCommand(importCommand);
await import('./identity-synth.js').then(({ addSynthCommand }) => addSynthCommand(identityCommand));
