import { ConfigError, loadConfig } from './core/config/index.js';
import { DataDirInUseError, MigrationError } from './core/db/index.js';
import { CatalogueError } from './modules/services/index.js';
import { startPlatform } from './platform.js';

/** Start-up failures an operator can fix get one clear line, not a stack trace. */
const EXPECTED = [ConfigError, DataDirInUseError, MigrationError, CatalogueError];

async function main() {
  const config = loadConfig();
  const platform = await startPlatform(config);
  const { url } = platform;
  const database = config.DATABASE_URL ? 'PostgreSQL server' : `embedded PostgreSQL in ${config.dataDir}`;
  process.stdout.write(
    `\nMmuso is running (${database}).\n` +
      `  Portal:        ${url}/\n` +
      `  API reference: ${url}/docs\n` +
      `  OpenAPI:       ${url}/openapi.json\n` +
      `  Health:        ${url}/health/ready\n\n`,
  );
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    platform.kernel.log.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (err) => {
        platform.kernel.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (EXPECTED.some((type) => error instanceof type)) {
    process.stderr.write(`mmuso: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`mmuso: start-up failed: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
