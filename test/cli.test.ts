import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEntry } from '../src/core/audit/index.js';
import { ConfigSchema, loadConfig } from '../src/core/config/index.js';
import { openDatabase, rows, type Tx } from '../src/core/db/index.js';
import { newId } from '../src/core/ids/index.js';
import { change } from '../src/core/kernel/index.js';
import { createLogger } from '../src/core/log/index.js';
import { publishAnnouncement } from '../src/modules/messaging/index.js';
import { openKernel } from '../src/platform.js';
import { seedDemoData } from '../src/seed.js';
import { actors } from './support/kernel.js';

/** The real command, as an operator runs it. Each run costs a second or two (tsx start-up). */
const BIN = fileURLToPath(new URL('../bin/mmuso.js', import.meta.url));

/** The parent's environment without any Mmuso setting, so only what a test passes applies. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !(name in ConfigSchema.properties)),
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function mmuso(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...cleanEnv, LOG_LEVEL: 'silent', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

let work: string;
const folder = (name: string) => path.join(work, name);

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-cli-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('mmuso config', () => {
  it('prints aligned settings with the database password masked, without opening the database', async () => {
    const dataDir = folder('never-created');
    const run = await mmuso(['config'], {
      DATA_DIR: dataDir,
      PORT: '8080',
      DATABASE_URL: 'postgres://mmuso:s3cret-pw@db.example.ls:5432/mmuso',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PORT {2,}8080$/m);
    expect(run.stdout).toMatch(/^DATABASE_URL +postgres:\/\/mmuso:\*{5}@db\.example\.ls:5432\/mmuso$/m);
    expect(run.stdout).not.toContain('s3cret-pw');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('prints JSON with --json', async () => {
    const run = await mmuso(['config', '--json'], { DATA_DIR: folder('json'), HOST: '0.0.0.0' });
    expect(JSON.parse(run.stdout)).toMatchObject({ HOST: '0.0.0.0', DATABASE_URL: '(unset)', PORT: '3000' });
  });

  it('names a bad setting in one line and exits 1', async () => {
    const run = await mmuso(['config'], { DATA_DIR: folder('bad'), PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'mmuso: PORT="eighty" is not valid: expected a TCP port, 0-65535',
    ]);
  });
});

// Creating a data folder runs initdb: several seconds on a busy machine.
describe('a new data folder, through the commands alone', { timeout: 60_000 }, () => {
  const dataDir = () => ({ DATA_DIR: folder('fresh') });

  it('migrate applies every migration', async () => {
    const run = await mmuso(['migrate'], dataDir());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Applied 0001_core\nApplied 0002_messaging_announcements\n/);
  });

  it('seed adds the demo data once', async () => {
    expect(await mmuso(['seed'], dataDir())).toMatchObject({ code: 0, stdout: 'Demo data seeded\n' });
    expect(await mmuso(['seed'], dataDir())).toMatchObject({
      code: 0,
      stdout: 'Demo data already seeded: nothing changed\n',
    });
  });

  it('backup, then restore into another folder where the audit log verifies', async () => {
    const file = folder('fresh.jsonl.gz');
    const backup = await mmuso(['backup', file], dataDir());
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up \d+ tables \(\d+ rows\), 0 blobs and 2 files to /);
    const restored = { DATA_DIR: folder('restored') };
    const restore = await mmuso(['restore', file], restored);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^Restored \d+ tables/);
    expect(await mmuso(['audit', 'verify'], restored)).toEqual({
      code: 0,
      stdout: 'Audit log OK: 2 entries, 0 checkpoints\n',
      stderr: '',
    });
    const again = await mmuso(['restore', file], restored);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^mmuso: The database is not empty \(.*audit\.entries/);
  });

  it('refuses to run while another process has the data folder open, and changes nothing', async () => {
    const db = await openDatabase({ dataDir: folder('fresh') });
    let run: Run;
    try {
      run = await mmuso(['audit', 'checkpoint'], dataDir());
    } finally {
      await db.close();
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mmuso: The data folder .* is in use by another Mmuso process \(pid \d+\)/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(folder('fresh'), 'audit', 'checkpoints.jsonl'))).toBe(false);
  });
});

describe('mmuso audit verify finds tampering done behind the application’s back', () => {
  const base = () => folder('six-entries');

  /** A data folder with six audit entries: the two demo notices and four more. */
  beforeAll(async () => {
    const kernel = await openKernel(loadConfig({ DATA_DIR: base(), LOG_LEVEL: 'silent' }), {
      log: createLogger('silent'),
    });
    try {
      await seedDemoData(kernel);
      for (const district of ['A', 'B', 'C', 'D'] as const) {
        await change(kernel, { actor: actors.staff(['supervisor']) }, (c) =>
          publishAnnouncement(c, {
            title: { en: `Notice for ${district}`, st: `Tsebiso ea ${district}` },
            body: { en: 'Opening hours change.', st: 'Linako li fetohile.' },
            district,
          }),
        );
      }
      await kernel.events.stop();
    } finally {
      await kernel.db.close();
    }
  });

  function copyOfBase(name: string): string {
    const dir = folder(name);
    fs.cpSync(base(), dir, { recursive: true });
    return dir;
  }

  /** Changes the audit tables directly in the database, as a superuser would. */
  async function tamper(dir: string, edit: (tx: Tx) => Promise<void>): Promise<string> {
    const db = await openDatabase({ dataDir: dir });
    try {
      await db.transaction(async (tx) => {
        // Replica mode: the append-only triggers do not fire, as for an attacker with superuser rights.
        await tx.execute(sql`SET LOCAL session_replication_role = replica`);
        await edit(tx);
      });
    } finally {
      await db.close();
    }
    return dir;
  }

  async function expectProblem(dir: string, kind: string, seq: number) {
    const run = await mmuso(['audit', 'verify'], { DATA_DIR: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^PROBLEM ${kind} at entry ${seq}: `, 'm'));
    expect(run.stdout).toMatch(/\nAudit log NOT OK: \d+ problems? in \d+ entries, \d+ checkpoints?\n$/);
  }

  it('(a) an edited entry', async () => {
    const dir = await tamper(copyOfBase('edited'), async (tx) => {
      await tx.execute(
        sql`UPDATE audit.entries SET action = 'messaging.announcement.withdrawn' WHERE seq = 3`,
      );
    });
    await expectProblem(dir, 'edited', 3);
  });

  it('(b) an entry removed from the middle', async () => {
    const dir = await tamper(copyOfBase('removed'), async (tx) => {
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq = 3`);
    });
    await expectProblem(dir, 'removed', 3);
  });

  it('(c) two entries swapped', async () => {
    const dir = await tamper(copyOfBase('reordered'), async (tx) => {
      await tx.execute(
        sql`CREATE TEMP TABLE pair ON COMMIT DROP AS SELECT * FROM audit.entries WHERE seq IN (3, 4)`,
      );
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq IN (3, 4)`);
      await tx.execute(sql`INSERT INTO audit.entries (seq, id, at, actor, action, subject, purpose, before, after,
        request_id, prev_hash, hash) SELECT 7 - seq, id, at, actor, action, subject, purpose, before, after,
        request_id, prev_hash, hash FROM pair`);
    });
    await expectProblem(dir, 'reordered', 3);
  });

  it('(d) a forged entry slipped in by renumbering the ones after it', async () => {
    const dir = await tamper(copyOfBase('inserted'), async (tx) => {
      const [third] = await rows<{ hash: string }>(tx, sql`SELECT hash FROM audit.entries WHERE seq = 3`);
      // Two steps: shifting in place would collide with the primary key half-way.
      await tx.execute(sql`UPDATE audit.entries SET seq = seq + 1000 WHERE seq >= 4`);
      await tx.execute(sql`UPDATE audit.entries SET seq = seq - 999 WHERE seq >= 1000`);
      const forged = {
        id: newId(),
        at: '2026-11-23T08:30:00.000Z',
        actor: { type: 'staff', id: 'staff-9', roles: ['administrator'] },
        action: 'messaging.announcement.withdrawn',
        subject: { type: 'announcement', id: newId() },
        purpose: null,
        before: null,
        after: null,
        requestId: null,
        prevHash: third?.hash ?? '',
      };
      await tx.execute(sql`INSERT INTO audit.entries (seq, id, at, actor, action, subject, purpose, before, after,
        request_id, prev_hash, hash) VALUES (4, ${forged.id}, ${forged.at}, ${JSON.stringify(forged.actor)}::jsonb,
        ${forged.action}, ${JSON.stringify(forged.subject)}::jsonb, NULL, 'null', 'null', NULL, ${forged.prevHash},
        ${hashEntry(forged)})`);
    });
    await expectProblem(dir, 'inserted', 4);
  });

  it('(e) the newest entries cut off after a checkpoint signed them', async () => {
    const dir = copyOfBase('truncated');
    expect((await mmuso(['audit', 'checkpoint'], { DATA_DIR: dir })).stdout).toBe(
      'Checkpoint written at entry 6\n',
    );
    await tamper(dir, async (tx) => {
      await tx.execute(sql`DELETE FROM audit.entries WHERE seq > 4`);
    });
    await expectProblem(dir, 'truncated', 5);
  });
});

describe('mmuso clients', { timeout: 60_000 }, () => {
  it('registers a relying party with its options and lists them; a bad one is refused naming the field', async () => {
    const env = { DATA_DIR: folder('clients') };
    const add = await mmuso(
      [
        'clients',
        'add',
        '--name',
        'Passports',
        '--redirect-uri',
        'https://passports.example.gov.ls/cb',
        '--sector',
        'passports',
        '--scope',
        'phone',
        '--claim',
        'phone_number',
        '--acr',
        'substantial',
        '--dpop',
        '--client-id',
        'passports-rp',
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/client_secret \S{43}\n/);
    const list = await mmuso(['clients', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({
        clientId: 'passports-rp',
        scopes: ['openid', 'phone'],
        claims: ['sub', 'phone_number'],
        requiredAcr: 'urn:mmuso:loa:substantial',
        dpopBound: true,
      }),
    );
    const bad = await mmuso(
      [
        'clients',
        'add',
        '--name',
        'Bad',
        '--redirect-uri',
        'http://bad.example.gov.ls/cb',
        '--sector',
        'bad',
      ],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('/redirectUris/0');
  });
});
