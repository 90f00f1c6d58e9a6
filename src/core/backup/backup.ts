import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { BlobStore } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import { type Database, rows, type Tx } from '../db/index.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupHeader,
  type BackupTrailer,
  CHECKPOINT_FILE,
  isDataFile,
  KEYS_DIR,
  type LineWriter,
  type Migration,
  openLineWriter,
  type RowValues,
} from './format.js';
import {
  applicationSequences,
  applicationTables,
  primaryKey,
  quoteIdentifier,
  quoteName,
  readExpression,
  tableColumns,
  usePortableFormats,
} from './tables.js';

export interface BackupSource {
  db: Database;
  blobs: BlobStore;
  dataDir: string;
  clock: Clock;
}

/** What a backup holds, as counted while writing (or reading) it. */
export interface BackupSummary {
  createdAt: string;
  database: BackupHeader['database'];
  tables: Record<string, number>;
  sequences: number;
  blobs: number;
  files: string[];
}

const BATCH = 1000;

/**
 * Writes a logical backup of every application table, the blob store and the DATA_DIR files a
 * restore needs. The tables come from one read-only snapshot, so the copy is consistent while a
 * server keeps running on PostgreSQL. The file appears only when complete (`<file>.partial` until
 * then).
 */
export async function createBackup(file: string, source: BackupSource): Promise<BackupSummary> {
  const partial = `${file}.partial`;
  const out = openLineWriter(partial);
  try {
    const summary = await writeBackup(out, source);
    await out.close();
    await fs.promises.rename(partial, file);
    return summary;
  } catch (error) {
    out.abort();
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

async function writeBackup(out: LineWriter, source: BackupSource): Promise<BackupSummary> {
  // Read before the snapshot: every checkpoint in the file then signs entries the snapshot holds.
  const files = readDataFiles(source.dataDir);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: source.clock.now().toISOString(),
    database: source.db.kind,
    migrations: [],
  };
  const { tables, sequences } = await source.db.transaction(async (tx) => {
    await tx.execute(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    await usePortableFormats(tx);
    header.migrations = await rows<Migration>(
      tx,
      sql`SELECT id, checksum FROM core.schema_migrations ORDER BY id`,
    );
    await out.write(header);
    for (const [name, data] of files) await out.write({ file: name, data: data.toString('base64') });
    const counts: Record<string, number> = {};
    for (const table of await applicationTables(tx)) counts[table] = await copyTable(tx, table, out);
    return { tables: counts, sequences: await copySequences(tx, out) };
  });
  // A blob is stored before the row that refers to it commits: the ones on disk now include
  // every blob the snapshot refers to.
  let blobs = 0;
  for await (const sha256 of source.blobs.list()) {
    const data = await source.blobs.get(sha256);
    if (!data) continue; // removed since it was listed: nothing refers to it
    await out.write({ blob: sha256, data: data.toString('base64') });
    blobs += 1;
  }
  const trailer: BackupTrailer = { end: true, tables, sequences, blobs, files: files.size };
  await out.write(trailer);
  return {
    createdAt: header.createdAt,
    database: header.database,
    tables,
    sequences,
    blobs,
    files: [...files.keys()],
  };
}

function readDataFiles(dataDir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const keysDir = path.join(dataDir, KEYS_DIR);
  const keys = fs.existsSync(keysDir)
    ? fs
        .readdirSync(keysDir)
        .sort()
        .map((f) => `${KEYS_DIR}/${f}`)
    : [];
  for (const name of [CHECKPOINT_FILE, ...keys].filter(isDataFile)) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file)) found.set(name, fs.readFileSync(file));
  }
  return found;
}

/** Streams one table in primary-key order through a cursor, so no table is ever held whole. */
async function copyTable(tx: Tx, table: string, out: LineWriter): Promise<number> {
  const columns = await tableColumns(tx, table);
  const key = await primaryKey(tx, table);
  await out.write({ table, columns: columns.map((c) => c.name) });
  const select = columns.map((c, i) => `${readExpression(c)} AS c${i}`).join(', ');
  const order = key.length ? ` ORDER BY ${key.map(quoteIdentifier).join(', ')}` : '';
  await tx.execute(
    sql.raw(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${quoteName(table)}${order}`),
  );
  let count = 0;
  for (;;) {
    const page = await rows<Record<string, string | null>>(tx, sql.raw(`FETCH ${BATCH} FROM backup_rows`));
    if (page.length === 0) break;
    const values: RowValues[] = page.map((row) => columns.map((_, i) => row[`c${i}`] ?? null));
    await out.write({ rows: values });
    count += page.length;
  }
  await tx.execute(sql.raw('CLOSE backup_rows'));
  return count;
}

/** Identity and serial counters, so new rows after a restore do not collide with restored ones. */
async function copySequences(tx: Tx, out: LineWriter): Promise<number> {
  const sequences = await applicationSequences(tx);
  for (const sequence of sequences) {
    const [state] = await rows<{ value: string; called: boolean }>(
      tx,
      sql.raw(`SELECT last_value::text AS value, is_called AS called FROM ${quoteName(sequence)}`),
    );
    await out.write({ sequence, value: state?.value, called: state?.called });
  }
  return sequences.length;
}
