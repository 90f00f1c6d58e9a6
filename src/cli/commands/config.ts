import { Command } from 'commander';
import { describeConfig, loadConfig } from '../../core/config/index.js';
import { say } from '../support.js';

export const configCommand = new Command('config')
  .description('show the effective configuration, secrets masked (does not open the database)')
  .option('--json', 'print it as JSON')
  .action((options: { json?: boolean }) => {
    const settings = describeConfig(loadConfig());
    say(options.json ? JSON.stringify(settings, null, 2) : aligned(settings));
  });

function aligned(settings: Record<string, string>): string {
  const width = Math.max(...Object.keys(settings).map((name) => name.length));
  return Object.entries(settings)
    .map(([name, value]) => `${name.padEnd(width)}  ${value}`.trimEnd())
    .join('\n');
}
