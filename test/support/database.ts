import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, migrate, openDatabase, readMigrations } from '../../src/core/db/index.js';

/**
 * Each test file gets its own database: a copy of a migrated template, so no file sees another's
 * rows and none pays for initdb and migrations again. PGlite by default; with TEST_DATABASE_URL a
 * fresh database on that server.
 */
const serverUrl = process.env.TEST_DATABASE_URL;

function migrationsDigest(): string {
  const hash = createHash('sha256');
  for (const m of readMigrations()) hash.update(m.id).update(m.checksum);
  return hash.digest('hex').slice(0, 12);
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function prepareTemplates() {
  const digest = migrationsDigest();
  if (serverUrl) {
    const name = `mmuso_template_${digest}_${process.pid}`;
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.query(`CREATE DATABASE ${name}`);
    });
    const db = await openDatabase({ databaseUrl: withDatabase(serverUrl, name), poolSize: 2 });
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      throw error;
    }
    await db.close();
    return {
      provided: { serverTemplate: name },
      teardown: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
    };
  }
  const file = path.join(os.tmpdir(), `mmuso-pglite-template-${digest}.tar.gz`);
  if (!fs.existsSync(file)) {
    const db = await openDatabase({});
    await migrate(db);
    const dump = await (db.dumpDataDir as () => Promise<Blob>)();
    await db.close();
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  }
  return { provided: { pgliteDump: file }, teardown: async () => {} };
}

export interface TestDatabase {
  db: Database;
  /** The connection string of a server database, for child processes. */
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(template: {
  pgliteDump?: string;
  serverTemplate?: string;
}): Promise<TestDatabase> {
  if (serverUrl && template.serverTemplate) {
    return serverDatabase(serverUrl, 'mmuso_test', `TEMPLATE ${template.serverTemplate}`);
  }
  if (!template.pgliteDump) throw new Error('no PGlite template: is the global setup configured?');
  const db = await openDatabase({ loadDataDir: new Blob([fs.readFileSync(template.pgliteDump)]) });
  return { db, drop: () => db.close() };
}

/** A fresh, empty, unmigrated database: for tests of migrations themselves. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  if (serverUrl) return serverDatabase(serverUrl, 'mmuso_empty', '');
  const db = await openDatabase({});
  return { db, drop: () => db.close() };
}

/** A database of its own on the server (`options`: e.g. a TEMPLATE), dropped by `drop()`. */
async function serverDatabase(serverUrl: string, prefix: string, options: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} ${options}`));
  const url = withDatabase(serverUrl, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
