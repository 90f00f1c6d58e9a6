import { createHash } from 'node:crypto';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';

/** The query layer every module uses, the same over PGlite and a PostgreSQL server. */
export type Orm = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<
  PgQueryResultHKT,
  Record<string, never>,
  ExtractTablesWithRelations<Record<string, never>>
>;
/** Anything a query can run on: the outer handle or a transaction. */
export type Queryable = Orm | Tx;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  /**
   * The only way to write. On PGlite overlapping transactions queue one after another; inside
   * the callback use `tx` alone (the outer handle would wait for this transaction forever) and
   * never await the network or a timer.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Rows of one statement, outside any transaction. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Several statements (a migration file) in one transaction. */
  execScript(text: string): Promise<void>;
  /**
   * Runs `fn` while holding a lock that other processes on the same database also respect
   * (a session advisory lock on PostgreSQL; on PGlite the data-dir lock already excludes them).
   */
  exclusive<T>(key: number, fn: () => Promise<T>): Promise<T>;
  poolStats(): PoolStats | undefined;
  /** The embedded database's files as a gzipped tarball (PGlite only): a whole-database copy. */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

/** Extensions are loaded on every open: a data dir with a pg_trgm index refuses inserts without it. */
const extensions = { pg_trgm, fuzzystrmatch, unaccent };

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; ignored with a databaseUrl. */
  dataDir?: string;
  /** Start the embedded database from this dump (used for fast isolated test databases). */
  loadDataDir?: Blob;
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options);
}

async function openPglite(options: OpenOptions): Promise<Database> {
  let lock: DataDirLock | undefined;
  let dir: string | undefined;
  if (options.dataDir) {
    lock = lockDataDir(options.dataDir);
    dir = path.join(options.dataDir, 'pglite');
  }
  let client: PGlite;
  try {
    client = await PGlite.create(dir, {
      extensions,
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const orm = drizzlePglite({ client }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    transaction: (fn) => orm.transaction(fn),
    async query<Row>(text: string, params?: unknown[]) {
      return (await client.query<Row>(text, params)).rows;
    },
    async execScript(text) {
      await client.transaction(async (tx) => {
        await tx.exec(text);
      });
    },
    exclusive: (_key, fn) => fn(),
    poolStats: () => undefined,
    dumpDataDir: () => client.dumpDataDir('gzip'),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** What marks a statement as worth preparing; see prepared(). */
const PREPARE = '/* prepared */ ';

/**
 * Marks a statement run many times a second to be prepared once per server connection and
 * reused, so PostgreSQL does not parse and plan it on every call (on the services path that was
 * a quarter of its CPU). Only for statements whose plan does not depend on the values (lookups
 * by key, inserts), and whose text takes few forms: each form is kept by every connection.
 * PGlite runs it as it is.
 */
export const prepared = (statement: SQL): SQL => sql`${sql.raw(PREPARE)}${statement}`;

/** A marked statement goes under a name made from its text: the same text, the same statement. */
function nameMarked(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const { text, name } = config as { text?: unknown; name?: unknown };
  if (name !== undefined || typeof text !== 'string' || !text.startsWith(PREPARE)) return config;
  return { ...config, name: `mmuso_${createHash('sha256').update(text).digest('base64url').slice(0, 40)}` };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (config: unknown, ...rest: unknown[]) => unknown;
    (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) =>
      query(nameMarked(config), ...rest);
  });
  // An idle client losing its server must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  const orm = drizzleNodePg(pool) as unknown as Orm;
  return {
    kind: 'postgres',
    orm,
    transaction: (fn) => orm.transaction(fn),
    async query<Row>(text: string, params?: unknown[]) {
      return (await pool.query(text, params)).rows as Row[];
    },
    async execScript(text) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        await conn.query(text);
        await conn.query('COMMIT');
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        conn.release();
      }
    },
    async exclusive(key, fn) {
      const conn = await pool.connect();
      try {
        await conn.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await fn();
        } finally {
          await conn.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        conn.release();
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/** Rows of a raw statement run through the ORM, on either driver. */
export async function rows<Row>(on: Queryable, statement: SQL): Promise<Row[]> {
  return ((await on.execute(statement)) as unknown as { rows: Row[] }).rows;
}

/**
 * Writes that need nothing from one another (INSERT, UPDATE or DELETE, without RETURNING), then
 * `last` (a value to compute, such as a function call), in one round trip. The writes go as
 * data-modifying CTEs and all finish before `last` is computed, which reads their row counts:
 * left unread, PostgreSQL would run them after it, inside whatever lock it takes. They see the
 * same snapshot, so none may depend on another's rows. Prepared (see prepared()): give it
 * statements whose text takes few forms.
 */
export async function writeTogether(tx: Tx, writes: readonly (SQL | undefined)[], last?: SQL): Promise<void> {
  const given = writes.filter((s): s is SQL => s !== undefined);
  if (given.length === 0) {
    if (last) await tx.execute(prepared(sql`SELECT ${last}`));
    return;
  }
  const names = given.map((_, i) => sql.raw(`write_${i}`));
  const ctes = given.map((statement, i) => sql`${names[i]} AS (${statement} RETURNING 1)`);
  const counts = names.map((name) => sql`(SELECT count(*) FROM ${name})`);
  await tx.execute(
    prepared(sql`WITH ${sql.join(ctes, sql`, `)}
      SELECT ${last ?? sql`true`} FROM (SELECT ${sql.join(counts, sql`, `)}) AS written_first`),
  );
}
