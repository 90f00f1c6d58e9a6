import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyAudit, writeCheckpoint } from '../src/core/audit/index.js';
import { BackupError, createBackup, restoreBackup } from '../src/core/backup/index.js';
import { folderBlobStore } from '../src/core/blobs/index.js';
import { type Database, openDatabase, rows } from '../src/core/db/index.js';
import { change } from '../src/core/kernel/index.js';
import { loadOrCreateKey } from '../src/core/keys/index.js';
import { sectorMasterKey } from '../src/modules/identity/sector.js';
import { publishAnnouncement } from '../src/modules/messaging/index.js';
import { seedDemoData } from '../src/seed.js';
import { createEmptyDatabase, createTestDatabase } from './support/database.js';
import { actors, createTestKernel, type TestKernel } from './support/kernel.js';

/**
 * A platform with data in every kind of place (rows, audit chain and checkpoints, outbox, a blob,
 * keys) is backed up and restored into a new embedded database. With TEST_DATABASE_URL the source
 * is a PostgreSQL server, so the same test proves server → embedded portability.
 */
let t: TestKernel;
let work: string;
let backupFile: string;
let certificate: string;

const DATA_FILES = [
  'audit/checkpoints.jsonl',
  'keys/audit-checkpoint.jwk.json',
  'keys/api-tokens.jwk.json',
  'keys/sector-tokens.v1.key',
];

/** Every application table's rows as JSON text in UTC, sorted: equal means row-for-row equal. */
async function everyRow(db: Database): Promise<Record<string, string[]>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL TimeZone = 'UTC'`);
    const tables = await rows<{ name: string }>(
      tx,
      sql`SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'public')
            AND table_schema NOT LIKE 'pg_toast%' ORDER BY 1`,
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      const shown = name === 'core.schema_migrations' ? "to_jsonb(t) - 'applied_at'" : 'to_jsonb(t)';
      const found = await rows<{ row: string }>(tx, sql.raw(`SELECT (${shown})::text AS row FROM ${name} t`));
      out[name] = found.map((r) => r.row).sort();
    }
    return out;
  });
}

async function blobContents(dir: string): Promise<Record<string, string>> {
  const blobs = folderBlobStore(path.join(dir, 'blobs'));
  const out: Record<string, string> = {};
  for await (const sha256 of blobs.list()) out[sha256] = (await blobs.get(sha256))?.toString('base64') ?? '';
  return out;
}

const filesOf = (dir: string) =>
  DATA_FILES.map((name) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  });

async function expectRestoredCopy(db: Database, dir: string) {
  expect(await everyRow(db)).toEqual(await everyRow(t.kernel.db));
  expect(await blobContents(dir)).toEqual({
    [certificate]: Buffer.from('%PDF-1.7 driving licence').toString('base64'),
  });
  expect(filesOf(dir)).toEqual(filesOf(t.dataDir));
  const key = await loadOrCreateKey(dir, 'audit-checkpoint', 'EdDSA');
  const verification = await verifyAudit(db, { dataDir: dir, publicKeys: [key.publicJwk] });
  expect(verification).toMatchObject({ ok: true, entries: 5, checkpoints: 2, problems: [] });
}

beforeAll(async () => {
  t = await createTestKernel();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-backup-'));
  await seedDemoData(t.kernel);
  for (const district of ['A', 'C', 'K'] as const) {
    t.clock.advance(60_000);
    await change(t.kernel, { actor: actors.staff(['supervisor']) }, (c) =>
      publishAnnouncement(c, {
        title: { en: `Centre ${district} closed`, st: `Setsi sa ${district} se koetsoe` },
        body: { en: 'Closed on Friday.', st: 'Se koetsoe ka Labohlano.' },
        district,
      }),
    );
  }
  // Delivery would change the outbox after the backup is taken: let it finish first.
  await t.kernel.events.stop();
  await writeCheckpoint(t.kernel.db, t.kernel.keys.audit, t.clock, t.dataDir);
  certificate = (await t.kernel.blobs.put(Buffer.from('%PDF-1.7 driving licence'))).sha256;
  sectorMasterKey(t.dataDir, 1);
  backupFile = path.join(work, 'mmuso.jsonl.gz');
  await createBackup(backupFile, { ...t.kernel, dataDir: t.dataDir });
});

afterAll(async () => {
  await t.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup and restore', () => {
  let restored: Database;
  let restoredDir: string;
  afterAll(() => restored?.close());

  it('restores into a new embedded data folder: every row, blob and key, and the audit log verifies', async () => {
    restoredDir = path.join(work, 'restored');
    restored = await openDatabase({ dataDir: restoredDir });
    const summary = await restoreBackup(backupFile, {
      db: restored,
      blobs: folderBlobStore(path.join(restoredDir, 'blobs')),
      dataDir: restoredDir,
    });
    expect(summary.tables['messaging.announcements']).toBe(5);
    expect(summary.tables['audit.entries']).toBe(5);
    await expectRestoredCopy(restored, restoredDir);
  });

  it('refuses to restore into a database that has data, and changes nothing', async () => {
    const rowsBefore = await everyRow(restored);
    const filesBefore = filesOf(restoredDir);
    await expect(
      restoreBackup(backupFile, {
        db: restored,
        blobs: folderBlobStore(path.join(restoredDir, 'blobs')),
        dataDir: restoredDir,
      }),
    ).rejects.toThrow(
      /database is not empty \(audit\.checkpoints, audit\.entries, .*messaging\.announcements/,
    );
    expect(await everyRow(restored)).toEqual(rowsBefore);
    expect(filesOf(restoredDir)).toEqual(filesBefore);
  });

  it('counts audit rows as data: a database holding only audit entries is not empty', async () => {
    const target = await createTestDatabase(inject('template'));
    try {
      await change({ ...t.kernel, db: target.db }, { actor: actors.system() }, async (c) =>
        c.audit({ action: 'test.only-audit', subject: { type: 'test', id: '1' } }),
      );
      await expect(
        restoreBackup(backupFile, {
          db: target.db,
          blobs: t.kernel.blobs,
          dataDir: path.join(work, 'unused'),
        }),
      ).rejects.toThrow(/not empty \(audit\.entries hold rows\)/);
    } finally {
      await target.drop();
    }
  });

  it('refuses a backup file that was cut short, writing nothing', async () => {
    const cut = path.join(work, 'cut.jsonl.gz');
    const whole = fs.readFileSync(backupFile);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const target = await createTestDatabase(inject('template'));
    const dir = fs.mkdtempSync(path.join(work, 'cut-'));
    try {
      const attempt = restoreBackup(cut, {
        db: target.db,
        blobs: folderBlobStore(path.join(dir, 'blobs')),
        dataDir: dir,
      });
      await expect(attempt).rejects.toThrow(BackupError);
      await expect(attempt).rejects.toThrow(/not a complete gzip file/);
      expect(await target.db.query('SELECT 1 FROM messaging.announcements')).toEqual([]);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      await target.drop();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'restores into a new, empty PostgreSQL server database',
    async () => {
      const target = await createEmptyDatabase();
      const dir = fs.mkdtempSync(path.join(work, 'server-'));
      try {
        await restoreBackup(backupFile, {
          db: target.db,
          blobs: folderBlobStore(path.join(dir, 'blobs')),
          dataDir: dir,
        });
        await expectRestoredCopy(target.db, dir);
      } finally {
        await target.drop();
      }
    },
  );
});
