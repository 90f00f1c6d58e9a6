import { Command } from 'commander';
import { migrate } from '../../core/db/index.js';
import { say, withDatabase } from '../support.js';

export const migrateCommand = new Command('migrate')
  .description('apply the database migrations not applied yet')
  .action(() =>
    withDatabase(async (db) => {
      const applied = await migrate(db);
      say(applied.length ? applied.map((id) => `Applied ${id}`).join('\n') : 'Database is up to date');
    }),
  );
