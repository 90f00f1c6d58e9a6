import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
import { openDatabase } from './database.js';

let dir: string;
const held: { release(): void }[] = [];
const children: ChildProcess[] = [];

function lock(at = dir) {
  const l = lockDataDir(at);
  held.push(l);
  return l;
}

const lockFile = (at = dir) => path.join(at, 'mmuso.lock');
const owner = (at = dir) => Number(fs.readFileSync(lockFile(at), 'utf8'));

/** The pid of a process that has run and exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  expect(result.status).toBe(0);
  expect(result.pid).toBeGreaterThan(0);
  return result.pid;
}

/** A process that stays alive until the test ends. */
async function livePid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child.pid as number;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-lock-test-'));
});

afterEach(() => {
  for (const l of held.splice(0)) l.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

describe('lockDataDir', () => {
  it('writes this process’s pid into the lock file', () => {
    lock();
    expect(owner()).toBe(process.pid);
  });

  it('creates the data folder when it does not exist yet', () => {
    const nested = path.join(dir, 'a', 'b');
    lock(nested);
    expect(owner(nested)).toBe(process.pid);
  });

  it('refuses a second lock on the same folder in this process, naming the pid', () => {
    lock();
    const error = catchError(() => lock());
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect(error).toMatchObject({ pid: process.pid, dataDir: dir, name: 'DataDirInUseError' });
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain(dir);
    // The first lock is intact.
    expect(owner()).toBe(process.pid);
  });

  it('refuses the same folder written another way (relative path, trailing slash)', () => {
    lock();
    expect(() => lock(`${dir}${path.sep}`)).toThrow(DataDirInUseError);
    expect(() => lock(path.relative(process.cwd(), dir))).toThrow(DataDirInUseError);
  });

  it('refuses a folder locked by another running process, naming that pid', async () => {
    const pid = await livePid();
    fs.writeFileSync(lockFile(), String(pid));
    const error = catchError(() => lock());
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect(error).toMatchObject({ pid });
    expect((error as Error).message).toContain(`pid ${pid}`);
    expect(owner()).toBe(pid);
  });

  it('release() frees the folder for the next lock', () => {
    const first = lock();
    first.release();
    expect(fs.existsSync(lockFile())).toBe(false);
    const second = lock();
    expect(owner()).toBe(process.pid);
    // Releasing the old lock again does not remove the new one.
    first.release();
    expect(fs.existsSync(lockFile())).toBe(true);
    expect(() => lock()).toThrow(DataDirInUseError);
    second.release();
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('release() leaves a lock file that another process has written alone', async () => {
    const mine = lock();
    const pid = await livePid();
    fs.writeFileSync(lockFile(), String(pid));
    mine.release();
    expect(owner()).toBe(pid);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const pid = deadPid();
    fs.writeFileSync(lockFile(), String(pid));
    lock();
    expect(owner()).toBe(process.pid);
    expect(() => lock()).toThrow(DataDirInUseError);
  });

  it('takes over an unreadable lock file', () => {
    fs.writeFileSync(lockFile(), 'not a pid');
    lock();
    expect(owner()).toBe(process.pid);
  });

  it('takes over a lock file with this pid that this process does not hold (a restarted container)', () => {
    fs.writeFileSync(lockFile(), String(process.pid));
    lock();
    expect(owner()).toBe(process.pid);
  });
});

describe('openDatabase on a data folder', () => {
  it('a second open of the same folder fails and the first keeps working', async () => {
    const first = await openDatabase({ dataDir: dir });
    try {
      await first.execScript('CREATE TABLE probe (n int); INSERT INTO probe VALUES (1);');
      const error = await openDatabase({ dataDir: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataDirInUseError);
      expect(error).toMatchObject({ pid: process.pid });
      // The failed open took nothing away from the first.
      expect(owner()).toBe(process.pid);
      await first.execScript('INSERT INTO probe VALUES (2);');
      expect(await first.query<{ n: number }>('SELECT n FROM probe ORDER BY n')).toEqual([
        { n: 1 },
        { n: 2 },
      ]);
    } finally {
      await first.close();
    }
    expect(fs.existsSync(lockFile())).toBe(false);
    // Closed: the folder opens again, with its data.
    const again = await openDatabase({ dataDir: dir });
    try {
      expect(await again.query<{ n: number }>('SELECT n FROM probe ORDER BY n')).toEqual([
        { n: 1 },
        { n: 2 },
      ]);
    } finally {
      await again.close();
    }
  });
});
