import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../src/core/db/index.js';
import {
  type ChildServer,
  runNode,
  type SpawnedServer,
  spawnServer,
  startServer,
} from './support/child-server.js';
import { actors } from './support/kernel.js';

/**
 * The embedded database allows one process per data folder. A second server, or a CLI command
 * that opens the folder, must refuse with one clear line instead of silently losing writes, and
 * the running server must not notice. Always on PGlite: the lock concerns the embedded database.
 */

const notice = (title: string) => ({
  title: { en: title, st: title },
  body: { en: 'One process per data folder.', st: 'Ts’ebetso e le ’ngoe.' },
});

/** stderr holds exactly one line, the refusal naming the folder and the pid, and no stack trace. */
function expectOneClearLine(stderr: string, dataDir: string, pid: number) {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  expect(lines[0]).toContain(new DataDirInUseError(dataDir, pid).message);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('one embedded data folder, one process', () => {
  let dataDir: string;
  let first: ChildServer;
  let firstPid: number;
  let authorization: string;
  let earlier: string;
  const lockFile = () => path.join(dataDir, 'mmuso.lock');

  const publish = async (title: string) => {
    const response = await fetch(`${first.url}/api/v1/announcements`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(notice(title)),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const read = async (id: string) => {
    const response = await fetch(`${first.url}/api/v1/announcements/${id}`, {
      signal: AbortSignal.timeout(10_000),
    });
    return {
      status: response.status,
      body: (await response.json()) as { id?: string; title?: { en: string } },
    };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-two-'));
    first = await startServer({ dataDir });
    authorization = `Bearer ${await first.tokenFor(actors.staff(['administrator']))}`;
    earlier = await publish('Written before the second process');
    // The lock names the process that runs the server (the child of the tsx wrapper).
    firstPid = Number.parseInt(fs.readFileSync(lockFile(), 'utf8'), 10);
    if (process.platform === 'linux') expect(firstPid).toBe(first.serverPid());
  }, 120_000);

  afterAll(async () => {
    await first?.stop(5_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('(a) a second server on the same DATA_DIR exits non-zero within seconds with one clear line', async () => {
    const started = Date.now();
    let second: SpawnedServer | undefined;
    try {
      second = await spawnServer({ dataDir });
      expect(second.port).not.toBe(first.port);
      const exit = await second.waitForExit(15_000);
      const elapsed = Date.now() - started;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(elapsed).toBeLessThan(10_000);
      expectOneClearLine(second.stderr(), dataDir, firstPid);
    } finally {
      await second?.stop(2_000);
    }
    // The refusal left the running server's lock alone.
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(firstPid));
  }, 30_000);

  it('(b) `mmuso migrate` on the same DATA_DIR exits 1 with the same clear line', async () => {
    const result = await runNode(['bin/mmuso.js', 'migrate'], { DATA_DIR: dataDir }, 30_000);
    expect(result.code, `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).toBe(1);
    expectOneClearLine(result.stderr, dataDir, firstPid);
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(String(firstPid));
  }, 45_000);

  it('(c) the first server still serves: the earlier write reads back and new writes work', async () => {
    expect((await fetch(`${first.url}/health/ready`)).status).toBe(200);
    const before = await read(earlier);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id: earlier, title: { en: 'Written before the second process' } });
    const later = await publish('Written after the refusals');
    const after = await read(later);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: later, title: { en: 'Written after the refusals' } });
  });

  it('(d) SIGTERM stops the first server with exit code 0 and removes the lock file', async () => {
    expect(fs.existsSync(lockFile())).toBe(true);
    first.kill('SIGTERM');
    const exit = await first.waitForExit(20_000);
    expect(exit, `stderr:\n${first.stderr()}`).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(lockFile())).toBe(false);
  }, 30_000);
});
