import path from 'node:path';
import { Command } from 'commander';
import { restoreBackup } from '../../core/backup/index.js';
import { blobStore, say, withDatabase } from '../support.js';
import { describeBackup } from './backup.js';

export const restoreCommand = new Command('restore')
  .description('restore a backup into an empty database and data folder')
  .argument('<file>', 'a backup written by mmuso backup')
  .action((file: string) =>
    withDatabase(async (db, config) => {
      const summary = await restoreBackup(path.resolve(file), {
        db,
        blobs: blobStore(config),
        dataDir: config.dataDir,
      });
      say(
        `Restored ${describeBackup(summary)} from the backup made ${summary.createdAt} (${summary.database})`,
      );
    }),
  );
