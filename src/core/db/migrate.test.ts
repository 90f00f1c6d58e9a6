import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../../test/support/database.js';
import { openDatabase } from './database.js';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from './migrate.js';

const shipped = readMigrations();
const temps: string[] = [];

/** A copy of the shipped migrations that a test may change. */
function copyOfMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-migrations-'));
  temps.push(dir);
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrate on one database, step by step', () => {
  let empty: TestDatabase;

  beforeAll(async () => {
    empty = await createEmptyDatabase();
  });

  afterAll(async () => {
    await empty?.drop();
  });

  const recorded = () =>
    empty.db.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM core.schema_migrations ORDER BY id',
    );
  const tableExists = async (name: string) => {
    const [row] = await empty.db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
      name,
    ]);
    return row?.found !== null && row?.found !== undefined;
  };

  it('ships migrations in numbered order', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    const ids = shipped.map((m) => m.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids[0]).toBe('0001_core');
  });

  it('applies every migration in order on an empty database and records each checksum', async () => {
    expect(await tableExists('audit.entries')).toBe(false);
    const applied = await migrate(empty.db);
    expect(applied).toEqual(shipped.map((m) => m.id));
    expect(await recorded()).toEqual(shipped.map((m) => ({ id: m.id, checksum: m.checksum })));
    for (const table of ['audit.entries', 'audit.checkpoints', 'core.outbox', 'core.idempotency']) {
      expect(await tableExists(table)).toBe(true);
    }
  });

  it('applies nothing the second time', async () => {
    expect(await migrate(empty.db)).toEqual([]);
    expect(await recorded()).toHaveLength(shipped.length);
  });

  it('stops when an applied migration was changed, naming the file, and applies nothing newer', async () => {
    const dir = copyOfMigrations();
    fs.appendFileSync(path.join(dir, '0001_core.sql'), '\n-- an innocent-looking edit\n');
    fs.writeFileSync(path.join(dir, '9001_newer.sql'), 'CREATE TABLE core.newer_probe (id int);');
    const error = await rejection(migrate(empty.db, dir));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain('0001_core');
    expect(error.message).toMatch(/changed after it was applied/);
    expect(await tableExists('core.newer_probe')).toBe(false);
    expect(await recorded()).toHaveLength(shipped.length);
  });

  it('stops when an applied migration is missing from the folder', async () => {
    const dir = copyOfMigrations();
    const last = shipped[shipped.length - 1]?.id as string;
    fs.rmSync(path.join(dir, `${last}.sql`));
    const error = await rejection(migrate(empty.db, dir));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(last);
  });

  it('a migration that fails leaves nothing of itself; the ones before it stay applied', async () => {
    const dir = copyOfMigrations();
    fs.writeFileSync(path.join(dir, '9001_fine.sql'), 'CREATE TABLE core.fine_probe (id int);');
    fs.writeFileSync(
      path.join(dir, '9002_broken.sql'),
      'CREATE TABLE core.broken_probe (id int);\nINSERT INTO core.broken_probe VALUES (1);\nSELEC oops;\n',
    );
    fs.writeFileSync(path.join(dir, '9003_after.sql'), 'CREATE TABLE core.after_probe (id int);');
    const error = await rejection(migrate(empty.db, dir));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain('9002_broken');
    expect(await tableExists('core.fine_probe')).toBe(true);
    expect(await tableExists('core.broken_probe')).toBe(false);
    expect(await tableExists('core.after_probe')).toBe(false);
    expect((await recorded()).map((r) => r.id)).toEqual([...shipped.map((m) => m.id), '9001_fine']);

    // Fixed, the same folder continues where it stopped.
    fs.writeFileSync(path.join(dir, '9002_broken.sql'), 'CREATE TABLE core.broken_probe (id int);');
    expect(await migrate(empty.db, dir)).toEqual(['9002_broken', '9003_after']);
    expect(await tableExists('core.broken_probe')).toBe(true);
    expect(await tableExists('core.after_probe')).toBe(true);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('migrate from two processes at once (PostgreSQL)', () => {
  it('both succeed and each migration is applied once', async () => {
    const empty = await createEmptyDatabase();
    const url = empty.url as string;
    const a = await openDatabase({ databaseUrl: url, poolSize: 3 });
    const b = await openDatabase({ databaseUrl: url, poolSize: 3 });
    try {
      const [fromA, fromB] = await Promise.all([migrate(a), migrate(b)]);
      expect([...fromA, ...fromB].sort()).toEqual(shipped.map((m) => m.id));
      // One of them did all the work while the other waited for the lock.
      expect([fromA.length, fromB.length].sort((x, y) => x - y)).toEqual([0, shipped.length]);
      const rows = await a.query<{ id: string; n: string }>(
        'SELECT id, count(*) AS n FROM core.schema_migrations GROUP BY id ORDER BY id',
      );
      expect(rows).toEqual(shipped.map((m) => ({ id: m.id, n: '1' })));
    } finally {
      await a.close();
      await b.close();
      await empty.drop();
    }
  });
});
