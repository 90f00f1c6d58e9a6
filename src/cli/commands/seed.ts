import { Command } from 'commander';
import { say, withKernel } from '../support.js';

export const seedCommand = new Command('seed')
  .description('add the demonstration data (once: running it again changes nothing)')
  .action(() =>
    withKernel(async (kernel) => {
      // Loaded here, not above: the modules bring the HTTP stack, which other commands do not need.
      const { seedDemoData } = await import('../../seed.js');
      say((await seedDemoData(kernel)) ? 'Demo data seeded' : 'Demo data already seeded: nothing changed');
    }),
  );
