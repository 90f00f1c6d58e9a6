import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type SQL, sql } from 'drizzle-orm';
import type { BlobStore } from '../blobs/index.js';
import { type Database, migrate, readMigrations, rows, type Tx } from '../db/index.js';
import type { BackupSummary } from './backup.js';
import { BackupError, type BackupHeader, type BackupTrailer, type RowValues, readEntries } from './format.js';
import {
  applicationTables,
  type Column,
  quoteIdentifier,
  quoteName,
  tableColumns,
  tableExists,
  usePortableFormats,
  writeExpression,
} from './tables.js';

export interface RestoreTarget {
  db: Database;
  blobs: BlobStore;
  dataDir: string;
}

interface BackupContents {
  header: BackupHeader;
  files: Map<string, Buffer>;
  columns: Map<string, string[]>;
  trailer: BackupTrailer;
}

type InsertRows = (values: RowValues[]) => SQL;

/**
 * Restores a backup into an empty database. The whole file is checked first, so a damaged or
 * cut-off backup changes nothing; then every row loads in one transaction, with triggers and
 * foreign-key checks off (rows arrive table by table, not in dependency order).
 */
export async function restoreBackup(file: string, target: RestoreTarget): Promise<BackupSummary> {
  if (!fs.existsSync(file)) throw new BackupError(`There is no backup file at ${file}.`);
  const contents = await inspectBackup(file);
  refuseOtherMigrations(contents.header.migrations);
  await refuseUnlessEmpty(target.db);
  refuseConflictingFiles(contents.files, target.dataDir);
  await migrate(target.db);
  const inserts = await prepareInserts(target.db, contents.columns);
  try {
    await target.db.transaction(async (tx) => {
      await loadWithoutTriggers(tx);
      await usePortableFormats(tx);
      await loadEntries(tx, file, inserts, target.blobs);
      await checkRowCounts(tx, contents.trailer.tables);
      writeDataFiles(target.dataDir, contents.files);
    });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`The restore failed and nothing was restored: ${causeOf(error)}`, { cause: error });
  }
  return {
    createdAt: contents.header.createdAt,
    database: contents.header.database,
    tables: contents.trailer.tables,
    sequences: contents.trailer.sequences,
    blobs: contents.trailer.blobs,
    files: [...contents.files.keys()],
  };
}

/** Reads the whole file once, checking its structure, blob hashes and closing counts. */
async function inspectBackup(file: string): Promise<BackupContents> {
  const damaged = (what: string) => new BackupError(`${file} is damaged: ${what}.`);
  let header: BackupHeader | undefined;
  let trailer: BackupTrailer | undefined;
  const files = new Map<string, Buffer>();
  const columns = new Map<string, string[]>();
  const counted: Record<string, number> = {};
  let table: string | undefined;
  let sequences = 0;
  let blobs = 0;
  for await (const entry of readEntries(file)) {
    if (trailer) throw damaged('there is data after the closing line');
    if (entry.kind !== 'rows') table = undefined;
    switch (entry.kind) {
      case 'header':
        header = entry.header;
        break;
      case 'file':
        files.set(entry.path, entry.data);
        break;
      case 'table':
        if (columns.has(entry.table)) throw damaged(`table ${entry.table} appears twice`);
        table = entry.table;
        columns.set(table, entry.columns);
        counted[table] = 0;
        break;
      case 'rows': {
        const width = table === undefined ? undefined : columns.get(table)?.length;
        if (table === undefined || width === undefined) throw damaged('rows appear outside a table');
        if (!entry.rows.every((row) => isRow(row, width)))
          throw damaged(`a row of ${table} has the wrong shape`);
        counted[table] = (counted[table] ?? 0) + entry.rows.length;
        break;
      }
      case 'sequence':
        sequences += 1;
        break;
      case 'blob':
        if (createHash('sha256').update(entry.data).digest('hex') !== entry.sha256) {
          throw damaged(`blob ${entry.sha256} does not match its hash`);
        }
        blobs += 1;
        break;
      case 'end':
        trailer = entry.trailer;
        break;
    }
  }
  if (!header) throw damaged('it is empty');
  if (!trailer) throw new BackupError(`${file} ends before its closing line: the backup is incomplete.`);
  const found = { tables: counted, sequences, blobs, files: files.size };
  const listed = {
    tables: trailer.tables,
    sequences: trailer.sequences,
    blobs: trailer.blobs,
    files: trailer.files,
  };
  if (!isDeepStrictEqual(found, listed))
    throw damaged('its contents differ from the counts in its closing line');
  return { header, files, columns, trailer };
}

function isRow(row: unknown, width: number): boolean {
  return (
    Array.isArray(row) &&
    row.length === width &&
    row.every((value) => value === null || typeof value === 'string')
  );
}

function refuseOtherMigrations(inBackup: readonly { id: string; checksum: string }[]): void {
  const onDisk = new Map(readMigrations().map((m) => [m.id, m.checksum]));
  const backedUp = new Map(inBackup.map((m) => [m.id, m.checksum]));
  const differences: string[] = [];
  for (const [id, checksum] of backedUp) {
    if (!onDisk.has(id)) differences.push(`${id} is in the backup but not in this version`);
    else if (onDisk.get(id) !== checksum) differences.push(`${id} has changed since the backup was made`);
  }
  for (const id of onDisk.keys()) {
    if (!backedUp.has(id)) differences.push(`${id} is in this version but not in the backup`);
  }
  if (differences.length) {
    throw new BackupError(
      'The backup was made with other database migrations than this version of Mmuso: ' +
        `${differences.join('; ')}. Restore it with the version that made it.`,
    );
  }
}

async function refuseUnlessEmpty(db: Database): Promise<void> {
  const filled: string[] = [];
  for (const table of await applicationTables(db.orm)) {
    const [found] = await rows<{ filled: boolean }>(
      db.orm,
      sql.raw(`SELECT EXISTS (SELECT FROM ${quoteName(table)}) AS filled`),
    );
    if (found?.filled) filled.push(table);
  }
  if (filled.length) {
    throw new BackupError(
      `The database is not empty (${filled.join(', ')} hold rows). ` +
        'Restore only into a new data folder or an empty database.',
    );
  }
}

/** A key in the data folder that differs from the backup's must not be silently replaced. */
function refuseConflictingFiles(files: Map<string, Buffer>, dataDir: string): void {
  const conflicting = [...files]
    .filter(([name, data]) => {
      const existing = path.join(dataDir, name);
      return fs.existsSync(existing) && !fs.readFileSync(existing).equals(data);
    })
    .map(([name]) => name);
  if (conflicting.length) {
    throw new BackupError(
      `The data folder ${dataDir} already holds ${conflicting.join(', ')}, different from the backup's. ` +
        'Move them away first, or restore into a new data folder.',
    );
  }
}

/** One INSERT per table, casting the backup's text to this database's column types. */
async function prepareInserts(db: Database, tables: Map<string, string[]>): Promise<Map<string, InsertRows>> {
  const inserts = new Map<string, InsertRows>();
  for (const [table, names] of tables) {
    inserts.set(table, insertInto(table, await targetColumns(db, table, names)));
  }
  return inserts;
}

async function targetColumns(db: Database, table: string, names: string[]): Promise<Column[]> {
  if (!(await tableExists(db.orm, table))) {
    throw new BackupError(`The backup holds table ${table}, which this database does not have.`);
  }
  const types = new Map((await tableColumns(db.orm, table)).map((c) => [c.name, c.type]));
  return names.map((name) => {
    const type = types.get(name);
    if (!type) {
      throw new BackupError(
        `The backup holds column ${name} of ${table}, which this database does not have.`,
      );
    }
    return { name, type };
  });
}

function insertInto(table: string, columns: Column[]): InsertRows {
  const targets = columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const values = columns.map((c, i) => writeExpression(c, `r ->> ${i}`)).join(', ');
  // OVERRIDING SYSTEM VALUE: identity columns take the backed-up values too.
  const insert = `INSERT INTO ${quoteName(table)} (${targets}) OVERRIDING SYSTEM VALUE SELECT ${values}`;
  return (batch) => sql`${sql.raw(insert)} FROM json_array_elements(${JSON.stringify(batch)}::json) AS e(r)`;
}

async function loadWithoutTriggers(tx: Tx): Promise<void> {
  try {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
  } catch (error) {
    throw new BackupError(
      'Restoring needs a database superuser, to load rows with triggers and foreign-key checks off: ' +
        causeOf(error),
      { cause: error },
    );
  }
}

async function loadEntries(tx: Tx, file: string, inserts: Map<string, InsertRows>, blobs: BlobStore) {
  let insert: InsertRows | undefined;
  for await (const entry of readEntries(file)) {
    switch (entry.kind) {
      case 'table':
        insert = inserts.get(entry.table);
        break;
      case 'rows':
        if (insert) await tx.execute(insert(entry.rows));
        break;
      case 'sequence':
        await tx.execute(
          sql`SELECT setval(${quoteName(entry.sequence)}::regclass, ${entry.value}::bigint,
            ${entry.called}::boolean)`,
        );
        break;
      case 'blob':
        // Written before commit: if the load fails they are unreferenced copies, harmless.
        await blobs.put(entry.data);
        break;
    }
  }
}

async function checkRowCounts(tx: Tx, expected: Record<string, number>): Promise<void> {
  for (const [table, count] of Object.entries(expected)) {
    const [loaded] = await rows<{ n: string }>(
      tx,
      sql.raw(`SELECT count(*)::text AS n FROM ${quoteName(table)}`),
    );
    if (Number(loaded?.n) !== count) {
      throw new BackupError(
        `${table}: the backup holds ${count} rows but ${loaded?.n} were loaded; nothing was restored.`,
      );
    }
  }
}

function writeDataFiles(dataDir: string, files: Map<string, Buffer>): void {
  for (const [name, data] of files) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file)) continue; // the same content: refuseConflictingFiles checked
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.restoring`;
    fs.writeFileSync(tmp, data, { mode: 0o600, flush: true });
    fs.renameSync(tmp, file);
  }
}

/** Drizzle wraps driver errors ("Failed query: …" with every parameter); the driver's says why. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return ((cause instanceof Error ? cause : error) as Error).message;
}
