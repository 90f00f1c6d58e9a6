import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { backupCommand } from './commands/backup.js';
import { clientsCommand } from './commands/clients.js';
import { configCommand } from './commands/config.js';
import { identityCommand } from './commands/identity.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { restoreCommand } from './commands/restore.js';
import { seedCommand } from './commands/seed.js';
import { reportFailure } from './support.js';

const program = new Command('mmuso')
  .description(
    'Operator commands for Mmuso. Settings come from the same environment variables as the server.',
  )
  .addCommand(migrateCommand)
  .addCommand(seedCommand)
  .addCommand(configCommand)
  .addCommand(auditCommand)
  .addCommand(backupCommand)
  .addCommand(restoreCommand)
  .addCommand(identityCommand)
  .addCommand(clientsCommand)
  .addCommand(keysCommand);

program.parseAsync().catch(reportFailure);
