import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { ConfigSchema } from '../../../core/config/index.js';
import { type Database, openDatabase } from '../../../core/db/index.js';

/** `mmuso identity import` as an operator runs it, on a data folder (or server database) of its own. */
const BIN = fileURLToPath(new URL('../../../../bin/mmuso.js', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const FIXTURE = here('./fixtures/sesotho-register.csv');
const MAPPING = here('./mappings/sesotho-register.json');
const server = Boolean(process.env.TEST_DATABASE_URL);

const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !(name in ConfigSchema.properties)),
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command's own stderr lines: libraries may warn there too (oidc-provider does on Node 20). */
const ours = (stderr: string) =>
  stderr.split('\n').filter((line) => line.startsWith('identity import:') || line.startsWith('mmuso:'));

let work: string;
let env: Record<string, string>;
let database: TestDatabase | undefined;

function mmuso(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...cleanEnv, LOG_LEVEL: 'silent', ...env }, cwd: work },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Reads the register the command wrote to, once the command has let go of it. */
async function persons(): Promise<number> {
  let db: Database;
  if (database) db = database.db;
  else if (fs.existsSync(path.join(env.DATA_DIR as string, 'pglite')))
    db = await openDatabase({ dataDir: env.DATA_DIR as string });
  else return 0;
  try {
    const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM identity.persons');
    return Number(row?.n);
  } finally {
    if (!database) await db.close();
  }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-import-cli-'));
  env = { DATA_DIR: path.join(work, 'data') };
  if (server) {
    database = await createTestDatabase(inject('template'));
    env.DATABASE_URL = database.url as string;
  }
});
afterAll(async () => {
  await database?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

// The first run creates the data folder (initdb): several seconds on a busy machine.
describe('mmuso identity import', { timeout: 120_000 }, () => {
  it('a dry run reports every row, writes the report and nothing else', async () => {
    const run = await mmuso([
      'identity',
      'import',
      FIXTURE,
      '--mapping',
      MAPPING,
      '--dry-run',
      '--report',
      'dry',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Dry run of the import of sesotho-register\.csv: 10 rows read, 7 registered with a UIN, 1 pending adjudication, 0 skipped as duplicates, 2 rejected \(.* rows\/s\)\. Nothing was written\.\n/,
    );
    expect(ours(run.stderr)).toEqual([
      expect.stringMatching(/^identity import: 10 rows, 100\.0% of 2 KiB, \d+ rows\/s$/),
    ]);
    const problems = parse(fs.readFileSync(path.join(work, 'dry', 'sesotho-register-problems.csv')), {
      bom: true,
      columns: true,
    }) as { code: string }[];
    expect(problems.map((p) => p.code)).toContain('possible-duplicate');
    expect(fs.readFileSync(path.join(work, 'dry', 'sesotho-register-summary.txt'), 'utf8')).toContain(
      'dry run: nothing was written',
    );
    expect(await persons()).toBe(0);
  });

  it('imports for real, then says there is nothing left to do', async () => {
    const run = await mmuso([
      'identity',
      'import',
      FIXTURE,
      '--mapping',
      MAPPING,
      '--batch',
      '4',
      '--report',
      'real',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Imported sesotho-register\.csv: 10 rows read, 7 registered with a UIN, 1 pending/,
    );
    expect(ours(run.stderr)).toHaveLength(3); // a progress line per batch of 4
    expect(fs.existsSync(path.join(work, 'real', 'sesotho-register-problems.csv'))).toBe(true);
    expect(await persons()).toBe(8);

    const again = await mmuso(['identity', 'import', FIXTURE, '--mapping', MAPPING, '--report', 'real']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^sesotho-register\.csv was already imported with this mapping .*\. Nothing to do\.\n$/,
    );
    expect(await persons()).toBe(8);
  });

  it('stops with one line and exit code 1 on a bad mapping or an unreadable file', async () => {
    fs.writeFileSync(path.join(work, 'bad.json'), JSON.stringify({ columns: { Fane: 'lastName' } }));
    const bad = await mmuso(['identity', 'import', FIXTURE, '--mapping', 'bad.json']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(ours(bad.stderr)).toEqual([
      expect.stringMatching(
        /^mmuso: mapping bad\.json: \/columns\/Fane: "lastName" is not one of legacyId, /,
      ),
    ]);

    const missing = await mmuso(['identity', 'import', 'nowhere.csv', '--mapping', MAPPING]);
    expect(missing.code).toBe(1);
    expect(ours(missing.stderr)).toEqual(['mmuso: nowhere.csv: cannot be read (no such file)']);
  });

  it.skipIf(server)('refuses to run while another process has the data folder open', async () => {
    const db = await openDatabase({ dataDir: env.DATA_DIR as string });
    let run: Run;
    try {
      run = await mmuso(['identity', 'import', FIXTURE, '--mapping', MAPPING, '--report', 'locked']);
    } finally {
      await db.close();
    }
    expect(run.code).toBe(1);
    expect(ours(run.stderr)).toEqual([
      expect.stringMatching(/^mmuso: The data folder .* is in use by another Mmuso process \(pid \d+\)/),
    ]);
    expect(fs.existsSync(path.join(work, 'locked'))).toBe(false);
  });
});

describe('mmuso identity synth', { timeout: 120_000 }, () => {
  it('refuses to load synthetic people into a production register unless told it is a test system', async () => {
    const before = await persons();
    env.NODE_ENV = 'production';
    try {
      const refused = await mmuso(['identity', 'synth', '--count', '20', '--load']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refusing to --load synthetic people into a production register/);
      expect(await persons()).toBe(before);
      // Writing a file touches no register: allowed in production.
      const written = await mmuso(['identity', 'synth', '--count', '20', '--out', 'people.csv']);
      expect(written.code).toBe(0);
      expect(fs.readFileSync(path.join(work, 'people.csv'), 'utf8').split('\n')).toHaveLength(22);
      const loaded = await mmuso(['identity', 'synth', '--count', '20', '--load', '--into-production']);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(await persons()).toBe(before + 20);
    } finally {
      delete env.NODE_ENV;
    }
  });
});
