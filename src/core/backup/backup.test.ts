import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { folderBlobStore } from '../blobs/index.js';
import { manualClock } from '../clock/index.js';
import { type Database, rows } from '../db/index.js';
import { BackupError, createBackup, restoreBackup } from './index.js';

/**
 * A scratch schema with the column types a module may use, an identity column and a foreign key
 * that points "forwards" in load order (scratch.child loads before scratch.parent).
 */
const SCRATCH = `
  CREATE SCHEMA scratch;
  CREATE TABLE scratch.parent (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    raw bytea, amount numeric(30,10), big bigint, at timestamptz, day date, local timestamp,
    doc jsonb, loose json, tags text[], code char(3), span interval, ratio double precision,
    flag boolean, note text, one integer GENERATED ALWAYS AS (1) STORED);
  CREATE TABLE scratch.child (id text PRIMARY KEY, parent_id bigint NOT NULL REFERENCES scratch.parent);`;

const EDGE_ROW = `
  INSERT INTO scratch.parent (raw, amount, big, at, day, local, doc, loose, tags, code, span, ratio, flag, note)
  VALUES ('\\x00ff0a'::bytea, 12345678901234567890.0123456789, 9223372036854775807,
          '2026-11-23 08:00:00.123456+02', '2026-02-28', '2026-11-23 08:00:00', 'null', '{"b": 1,  "a": [1.50]}',
          ARRAY['a', NULL, 'quote " and, comma'], 'ab', '1 mon 2 days 03:04:05.5', 0.1, true,
          E'line one\\nline two – Sesotho: ’Muso');
  INSERT INTO scratch.parent (at, ratio, note) VALUES ('infinity', 1e-300, NULL);
  INSERT INTO scratch.parent (note) SELECT 'row ' || n FROM generate_series(1, 2500) AS n;
  INSERT INTO scratch.child (id, parent_id) VALUES ('first', 1), ('second', 2);`;

const TOKEN_KEY = 'keys/api-tokens.jwk.json';

let work: string;
let source: TestDatabase;
let sourceDir: string;
let backupFile: string;

function tempDir(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function targetFor(db: Database, dir: string) {
  return { db, blobs: folderBlobStore(path.join(dir, 'blobs')), dataDir: dir };
}

/** Every row of a scratch table as JSON text, in UTC, so two databases compare exactly. */
function scratchRows(db: Database, table: string): Promise<unknown[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL TimeZone = 'UTC'`);
    return rows(tx, sql.raw(`SELECT to_jsonb(t)::text AS row FROM scratch.${table} t ORDER BY id`));
  });
}

async function emptyTarget(withScratch: boolean) {
  const db = await createTestDatabase(inject('template'));
  if (withScratch) await db.db.execScript(SCRATCH);
  return db;
}

/** Rewrites a backup's lines, keeping it validly gzipped: damage a real backup in one place. */
function tampered(name: string, edit: (lines: string[]) => string[]): string {
  const lines = gunzipSync(fs.readFileSync(backupFile)).toString('utf8').trimEnd().split('\n');
  const file = path.join(work, name);
  fs.writeFileSync(file, gzipSync(`${edit(lines).join('\n')}\n`));
  return file;
}

/** The parts of backup lines the tests damage. */
interface Line {
  format?: string;
  migrations?: { id: string; checksum: string }[];
  rows?: unknown[][];
  blob?: string;
  data?: string;
}

function editLine(lines: string[], match: (line: Line) => boolean, change: (line: Required<Line>) => void) {
  const index = lines.findIndex((line) => match(JSON.parse(line)));
  const line = JSON.parse(lines[index] as string);
  change(line);
  return lines.with(index, JSON.stringify(line));
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-backup-unit-'));
  source = await createTestDatabase(inject('template'));
  await source.db.execScript(SCRATCH + EDGE_ROW);
  sourceDir = tempDir('source');
  fs.mkdirSync(path.join(sourceDir, 'keys'));
  fs.writeFileSync(path.join(sourceDir, TOKEN_KEY), '{"kid":"token-key"}');
  const blobs = folderBlobStore(path.join(sourceDir, 'blobs'));
  await blobs.put(Buffer.from('a scanned birth certificate'));
  backupFile = path.join(work, 'backup.jsonl.gz');
  await createBackup(backupFile, {
    db: source.db,
    blobs,
    dataDir: sourceDir,
    clock: manualClock('2026-11-23T09:00:00.000Z'),
  });
});

afterAll(async () => {
  await source.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup file', () => {
  it('is gzipped JSON lines: header, files, tables in batches, blobs, then the closing counts', () => {
    const lines = gunzipSync(fs.readFileSync(backupFile))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({
      format: 'mmuso-backup',
      version: 1,
      createdAt: '2026-11-23T09:00:00.000Z',
    });
    expect(lines[0].migrations[0]).toEqual({
      id: '0001_core',
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(lines[1]).toEqual({
      file: TOKEN_KEY,
      data: Buffer.from('{"kid":"token-key"}').toString('base64'),
    });
    const parent = lines.findIndex((l) => l.table === 'scratch.parent');
    expect(lines.slice(parent + 1, parent + 4).map((l) => l.rows.length)).toEqual([1000, 1000, 502]);
    expect(lines.some((l) => l.table === 'core.schema_migrations')).toBe(false);
    expect(lines.at(-1)).toMatchObject({ end: true, blobs: 1, files: 1, sequences: 1 });
    expect(lines.at(-1).tables['scratch.parent']).toBe(2502);
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${backupFile}.partial`)).toBe(false);
  });
});

describe('restore', () => {
  it('brings back every value exactly, the sequence position, the blobs and the files', async () => {
    const target = await emptyTarget(true);
    const dir = tempDir('restored');
    try {
      const summary = await restoreBackup(backupFile, targetFor(target.db, dir));
      expect(summary).toMatchObject({ blobs: 1, files: [TOKEN_KEY], sequences: 1 });
      for (const table of ['parent', 'child']) {
        expect(await scratchRows(target.db, table)).toEqual(await scratchRows(source.db, table));
      }
      // to_jsonb() above cannot tell these apart: SQL NULL from JSON null, and json's exact text.
      const [first] = await target.db.query<{ sql_null: boolean; json_null: boolean; loose: string }>(
        `SELECT doc IS NULL AS sql_null, doc = 'null'::jsonb AS json_null, loose::text AS loose
         FROM scratch.parent WHERE id = 1`,
      );
      expect(first).toEqual({ sql_null: false, json_null: true, loose: '{"b": 1,  "a": [1.50]}' });
      const [next] = await target.db.query<{ id: string }>(
        `INSERT INTO scratch.parent (note) VALUES ('after restore') RETURNING id::text`,
      );
      expect(next?.id).toBe('2503');
      expect(fs.readFileSync(path.join(dir, TOKEN_KEY), 'utf8')).toBe('{"kid":"token-key"}');
      expect(fs.statSync(path.join(dir, TOKEN_KEY)).mode & 0o777).toBe(0o600);
      const restoredBlobs = folderBlobStore(path.join(dir, 'blobs'));
      const stored: string[] = [];
      for await (const sha256 of restoredBlobs.list()) stored.push(sha256);
      expect(stored).toHaveLength(1);
      expect((await restoredBlobs.get(stored[0] as string))?.toString()).toBe('a scanned birth certificate');
    } finally {
      await target.drop();
    }
  });

  describe('refuses, changing nothing', () => {
    let target: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      target = await emptyTarget(true);
      dir = tempDir('refused');
    });
    afterAll(() => target.drop());

    async function expectRefused(file: string, message: RegExp) {
      const attempt = restoreBackup(file, targetFor(target.db, dir));
      await expect(attempt).rejects.toThrow(BackupError);
      await expect(attempt).rejects.toThrow(message);
      const [left] = await target.db.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM scratch.parent) + (SELECT count(*) FROM audit.entries) AS n',
      );
      expect(Number(left?.n)).toBe(0);
      expect(fs.readdirSync(dir)).toEqual([]);
    }

    it('a file that is not a backup, or missing', async () => {
      const text = path.join(work, 'notes.txt');
      fs.writeFileSync(text, 'hello');
      await expectRefused(text, /not a complete gzip file/);
      await expectRefused(
        tampered('other.gz', () => ['{"hello":"world"}']),
        /is not a Mmuso backup/,
      );
      await expectRefused(path.join(work, 'missing.gz'), /There is no backup file/);
    });

    it('a backup without its closing line, or with a damaged line', async () => {
      await expectRefused(
        tampered('no-end.gz', (lines) => lines.slice(0, -1)),
        /ends before its closing line/,
      );
      await expectRefused(
        tampered('bad-json.gz', (lines) => lines.with(3, '{"rows": [[')),
        /Line 4 .* is not valid JSON/,
      );
    });

    it('a backup whose rows or blobs do not match its closing counts and hashes', async () => {
      const lost = tampered('lost-row.gz', (lines) =>
        editLine(
          lines,
          (l) => l.rows?.length === 502,
          (l) => l.rows.pop(),
        ),
      );
      await expectRefused(lost, /differ from the counts in its closing line/);
      const swapped = tampered('bad-blob.gz', (lines) =>
        editLine(
          lines,
          (l) => typeof l.blob === 'string',
          (l) => {
            l.data = Buffer.from('a forged certificate').toString('base64');
          },
        ),
      );
      await expectRefused(swapped, /does not match its hash/);
    });

    it('a backup made with other migrations, naming the difference', async () => {
      const other = tampered('other-migrations.gz', (lines) =>
        editLine(
          lines,
          (l) => l.format === 'mmuso-backup',
          (l) => {
            const [first, ...rest] = l.migrations;
            l.migrations = [
              { id: first?.id ?? '', checksum: 'f'.repeat(64) },
              ...rest,
              { id: '9999_future', checksum: 'e'.repeat(64) },
            ];
          },
        ),
      );
      await expectRefused(
        other,
        /0001_core has changed since the backup was made; 9999_future is in the backup/,
      );
    });

    it('a key in the data folder that differs from the backup’s', async () => {
      const keys = path.join(dir, 'keys');
      fs.mkdirSync(keys);
      fs.writeFileSync(path.join(dir, TOKEN_KEY), '{"kid":"another-key"}');
      try {
        const attempt = restoreBackup(backupFile, targetFor(target.db, dir));
        await expect(attempt).rejects.toThrow(/already holds keys\/api-tokens.jwk.json/);
        expect(fs.readFileSync(path.join(dir, TOKEN_KEY), 'utf8')).toBe('{"kid":"another-key"}');
      } finally {
        fs.rmSync(keys, { recursive: true });
      }
    });

    it('a database without one of the backed-up tables', async () => {
      const bare = await emptyTarget(false);
      try {
        await expect(restoreBackup(backupFile, targetFor(bare.db, dir))).rejects.toThrow(
          /holds table scratch.child, which this database does not have/,
        );
        expect(await bare.db.query('SELECT 1 FROM audit.entries')).toEqual([]);
      } finally {
        await bare.drop();
      }
    });
  });
});
