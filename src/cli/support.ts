import path from 'node:path';
import { BackupError } from '../core/backup/index.js';
import { type BlobStore, folderBlobStore } from '../core/blobs/index.js';
import { type Config, ConfigError, loadConfig } from '../core/config/index.js';
import { type Database, DataDirInUseError, MigrationError, migrate, openDatabase } from '../core/db/index.js';
import { EventDispatcher } from '../core/events/index.js';
import type { Kernel } from '../core/kernel/index.js';
import { createLogger } from '../core/log/index.js';

/** Failures an operator can fix get one clear line, not a stack trace. */
const EXPECTED = [ConfigError, DataDirInUseError, MigrationError, BackupError];

/** A missing folder, a denied permission, a full disk, a database server that does not answer. */
const isSystemError = (error: unknown) => typeof (error as NodeJS.ErrnoException)?.syscall === 'string';

export function reportFailure(error: unknown): void {
  if (EXPECTED.some((type) => error instanceof type) || isSystemError(error)) {
    process.stderr.write(`mmuso: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`mmuso: the command failed: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exitCode = 1;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/**
 * Opens the configured database and closes it however the command ends. On the embedded
 * database opening takes the data-folder lock, so a command never runs beside a server.
 */
export async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.dataDir,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  try {
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** As withDatabase, with the schema brought up to date first, as a server start does. */
export function withMigratedDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  return withDatabase(async (db, config) => {
    await migrate(db);
    return fn(db, config);
  });
}

/**
 * Events raised by a command stay in the outbox: the server, which has the subscribers, delivers
 * them. Dispatching here would mark them delivered to nobody.
 */
class OutboxOnly extends EventDispatcher {
  override dispatchOnce(): Promise<number> {
    return Promise.resolve(0);
  }
}

/** A kernel for commands that change state through change(); logs go to stderr. */
export async function withKernel<T>(fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Loaded here, not above: platform.js brings the HTTP stack (close to a second to load),
  // which the other commands do not need.
  const { openKernel } = await import('../platform.js');
  const opened = await openKernel(config, { log: createLogger(config.LOG_LEVEL, process.stderr) });
  try {
    return await fn({ ...opened, events: new OutboxOnly(opened.db) });
  } finally {
    await opened.db.close();
  }
}

export function blobStore(config: Config): BlobStore {
  return folderBlobStore(path.join(config.dataDir, 'blobs'));
}
