import path from 'node:path';
import { Command } from 'commander';
import { type BackupSummary, createBackup } from '../../core/backup/index.js';
import { systemClock } from '../../core/clock/index.js';
import { blobStore, plural, say, withMigratedDatabase } from '../support.js';

export const backupCommand = new Command('backup')
  .description('write the database, the blobs and the platform keys to <file> (gzipped JSON lines)')
  .argument('<file>', 'the backup to write, such as mmuso-2026-11-23.jsonl.gz')
  .action((file: string) =>
    withMigratedDatabase(async (db, config) => {
      const summary = await createBackup(path.resolve(file), {
        db,
        blobs: blobStore(config),
        dataDir: config.dataDir,
        clock: systemClock,
      });
      say(`Backed up ${describeBackup(summary)} to ${file}`);
      say('The file holds the platform’s private keys: keep it where only operators can read it.');
    }),
  );

export function describeBackup(summary: BackupSummary): string {
  const counts = Object.values(summary.tables);
  const rows = counts.reduce((sum, n) => sum + n, 0);
  return (
    `${plural(counts.length, 'table')} (${plural(rows, 'row')}), ` +
    `${plural(summary.blobs, 'blob')} and ${plural(summary.files.length, 'file')}`
  );
}
