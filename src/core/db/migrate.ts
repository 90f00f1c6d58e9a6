import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));
const MIGRATION_LOCK = 7_311_001;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface MigrationFile {
  id: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        id: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies the migrations not yet applied, each in its own transaction, while holding a lock so
 * two processes never migrate at once. An applied migration whose file changed stops start-up:
 * the database no longer matches what the code was tested against.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readMigrations(dir);
  return db.exclusive(MIGRATION_LOCK, async () => {
    await db.execScript(`
      CREATE SCHEMA IF NOT EXISTS core;
      CREATE TABLE IF NOT EXISTS core.schema_migrations (
        id text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const applied = new Map(
      (
        await db.query<{ id: string; checksum: string }>('SELECT id, checksum FROM core.schema_migrations')
      ).map((r) => [r.id, r.checksum]),
    );
    for (const [id, checksum] of applied) {
      const file = files.find((f) => f.id === id);
      if (!file)
        throw new MigrationError(`Migration ${id} is applied in the database but missing from ${dir}`);
      if (file.checksum !== checksum) {
        throw new MigrationError(
          `Migration ${id} was changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ` +
            `${file.checksum.slice(0, 12)} on disk). Restore the original file and add a new migration instead.`,
        );
      }
    }
    const done: string[] = [];
    for (const file of files) {
      if (applied.has(file.id)) continue;
      const record = `INSERT INTO core.schema_migrations (id, checksum) VALUES ('${file.id}', '${file.checksum}');`;
      try {
        await db.execScript(`${file.sql}\n;\n${record}`);
      } catch (error) {
        throw new MigrationError(`Migration ${file.id} failed: ${(error as Error).message}`);
      }
      done.push(file.id);
    }
    return done;
  });
}
