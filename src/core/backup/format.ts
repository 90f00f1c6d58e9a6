import { once } from 'node:events';
import fs from 'node:fs';
import { pipeline } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * A backup is gzip-compressed JSON lines: a header, the DATA_DIR files, each table as a
 * `{table, columns}` line followed by `{rows}` batches, the sequences, the blobs, and a closing
 * line whose counts prove nothing was lost. Row values are null or the column's text form
 * (bytea in base64, timestamps in ISO 8601), so the file moves between PGlite and a server.
 */
export const BACKUP_FORMAT = 'mmuso-backup';
export const BACKUP_VERSION = 1;

/**
 * DATA_DIR files a restore on another machine needs: the checkpoint copy and every platform key
 * (token and audit signing keys, sector-token master keys). Names are checked so a crafted backup
 * cannot write anywhere else.
 */
export const CHECKPOINT_FILE = 'audit/checkpoints.jsonl';
export const KEYS_DIR = 'keys';

export function isDataFile(name: string): boolean {
  return name === CHECKPOINT_FILE || /^keys\/[a-z0-9][a-z0-9.-]*\.(jwk\.json|key)$/.test(name);
}

export interface Migration {
  id: string;
  checksum: string;
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  database: 'pglite' | 'postgres';
  migrations: Migration[];
}

export interface BackupTrailer {
  end: true;
  tables: Record<string, number>;
  sequences: number;
  blobs: number;
  files: number;
}

export type RowValues = (string | null)[];

export type BackupEntry =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'file'; path: string; data: Buffer }
  | { kind: 'table'; table: string; columns: string[] }
  | { kind: 'rows'; rows: RowValues[] }
  | { kind: 'sequence'; sequence: string; value: string; called: boolean }
  | { kind: 'blob'; sha256: string; data: Buffer }
  | { kind: 'end'; trailer: BackupTrailer };

/** A backup that cannot be made or restored for a reason the operator can act on. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface LineWriter {
  write(value: object): Promise<void>;
  /** Resolves once every byte is written and flushed to disk (fsync). */
  close(): Promise<void>;
  abort(): void;
}

export function openLineWriter(file: string): LineWriter {
  const gzip = createGzip();
  // Owner-only: the backup carries private keys.
  const written = pipelinePromise(gzip, fs.createWriteStream(file, { mode: 0o600, flush: true }));
  written.catch(() => {}); // surfaced by write() or close()
  return {
    async write(value) {
      // After a failed write (a full disk) no 'drain' comes: `written` rejects with the reason.
      if (gzip.destroyed) await written;
      if (!gzip.write(`${JSON.stringify(value)}\n`)) await Promise.race([once(gzip, 'drain'), written]);
    },
    async close() {
      gzip.end();
      await written;
    },
    abort() {
      gzip.destroy();
    },
  };
}

/** Every entry of the file in order; a damaged or cut-off file throws a BackupError. */
export async function* readEntries(file: string): AsyncGenerator<BackupEntry> {
  let lineNumber = 0;
  for await (const line of readLines(file)) {
    lineNumber += 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new BackupError(`Line ${lineNumber} of ${file} is not valid JSON: the backup is damaged.`);
    }
    yield classify(value, lineNumber, file);
  }
}

async function* readLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  // Errors reach the loop below through gunzip; stopping early closes the file too.
  pipeline(fs.createReadStream(file), gunzip, () => {});
  gunzip.setEncoding('utf8');
  // Chunks are joined only at line ends: one very long line (a large blob) stays linear.
  let pending: string[] = [];
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      const pieces = chunk.split('\n');
      const last = pieces.pop() ?? '';
      for (const piece of pieces) {
        pending.push(piece);
        yield pending.join('');
        pending = [];
      }
      if (last) pending.push(last);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new BackupError(`${file} is not a complete gzip file: the backup is damaged or was cut short.`);
    }
    throw error;
  }
  if (pending.length) yield pending.join('');
}

function classify(value: unknown, lineNumber: number, file: string): BackupEntry {
  const line = (value ?? {}) as Record<string, unknown>;
  const damaged = (what: string) =>
    new BackupError(`Line ${lineNumber} of ${file} ${what}: the backup is damaged.`);
  if (lineNumber === 1) {
    if (line.format !== BACKUP_FORMAT) throw new BackupError(`${file} is not a Mmuso backup.`);
    if (line.version !== BACKUP_VERSION) {
      throw new BackupError(
        `${file} is a version ${String(line.version)} backup; this Mmuso reads version 1.`,
      );
    }
    if (!Array.isArray(line.migrations)) throw damaged('has no migration list');
    return { kind: 'header', header: line as unknown as BackupHeader };
  }
  if (typeof line.file === 'string' && typeof line.data === 'string') {
    if (!isDataFile(line.file)) throw damaged(`names an unexpected file ${line.file}`);
    return { kind: 'file', path: line.file, data: Buffer.from(line.data, 'base64') };
  }
  if (typeof line.table === 'string' && Array.isArray(line.columns)) {
    return { kind: 'table', table: line.table, columns: line.columns as string[] };
  }
  if (Array.isArray(line.rows)) return { kind: 'rows', rows: line.rows as RowValues[] };
  if (typeof line.sequence === 'string' && typeof line.value === 'string') {
    return { kind: 'sequence', sequence: line.sequence, value: line.value, called: line.called === true };
  }
  if (typeof line.blob === 'string' && typeof line.data === 'string') {
    return { kind: 'blob', sha256: line.blob, data: Buffer.from(line.data, 'base64') };
  }
  if (line.end === true && typeof line.tables === 'object') {
    return { kind: 'end', trailer: line as unknown as BackupTrailer };
  }
  throw damaged('is not part of the backup format');
}
