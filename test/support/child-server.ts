import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../../src/core/actors/index.js';
import { ConfigSchema, loadConfig } from '../../src/core/config/index.js';
import { issueToken, tokenSettings } from '../../src/core/http/index.js';
import { loadOrCreateKey } from '../../src/core/keys/index.js';

/**
 * The real server (or any TypeScript entry point) in a child process, started the way an operator
 * starts it: `node <tsx cli> src/main.ts`.
 *
 * The tsx CLI is a wrapper: it starts a second node process that runs the entry point. So:
 * - the child is started in its own process group, and SIGKILL goes to the whole group — killing
 *   only the wrapper would leave the real server running as an orphan, still holding the data dir;
 * - other signals go straight to the real server process: the wrapper relays a SIGTERM it receives
 *   but SIGKILLs the server when the server's event loop does not acknowledge it within 30 ms;
 * - waiting for the exit waits for the whole group to be gone (a killed server stays a zombie
 *   until it is reaped, and a zombie's pid still counts as running for the data-dir lock).
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const MAIN = path.join(ROOT, 'src', 'main.ts');
const KEEP_OUTPUT = 256 * 1024;

export interface ServerOptions {
  /** DATA_DIR: keys, lock file and (without a database URL) the embedded database. */
  dataDir: string;
  /** DATABASE_URL; unset means embedded PGlite in DATA_DIR/pglite. */
  databaseUrl?: string | undefined;
  /** A fixed port; by default a free one is chosen. */
  port?: number;
  /** More environment, applied last (e.g. NODE_ENV, AUDIT_CHECKPOINT_SECONDS). */
  env?: Record<string, string>;
  /** The TypeScript entry point; default src/main.ts. */
  entry?: string;
  /** Path answered with 200 once the server is ready; default /health/ready. */
  readyPath?: string;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedServer {
  readonly url: string;
  readonly port: number;
  /** Pid of the process we spawned (the tsx wrapper, leader of the process group). */
  readonly pid: number;
  readonly dataDir: string;
  /** The environment the child was given (for loadConfig in the test). */
  readonly env: Record<string, string>;
  stdout(): string;
  stderr(): string;
  /** Has the spawned process exited? */
  exited(): boolean;
  /** Pid of the node process running the entry point (child of the wrapper); Linux only. */
  serverPid(): number | undefined;
  /** SIGKILL goes to the whole process group; other signals to the server process itself. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves once the spawned process and everything it started are gone. */
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
  /** Cleanup for finally/afterAll: SIGTERM, SIGKILL after graceMs, never throws. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildServer extends SpawnedServer {
  /** A bearer token this server accepts, signed with its DATA_DIR/keys/api-tokens key. */
  tokenFor(actor: Actor): Promise<string>;
}

const live = new Set<SpawnedServer>();
// Last resort if a test worker exits with children still running (a crashed test, a timeout).
process.once('exit', () => {
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
});

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** The inherited environment without any Mmuso setting, so the parent's never leak in. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const settings = new Set(Object.keys(ConfigSchema.properties));
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !settings.has(key)) env[key] = value;
  }
  return env;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The child of `parent` whose command line mentions `needle`, from /proc (Linux). */
function childPid(parent: number, needle: string): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) return Number(entry);
    } catch {}
  }
  return undefined;
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
    if (text.length > KEEP_OUTPUT) text = text.slice(-KEEP_OUTPUT);
  });
  return () => text;
}

/** Starts the child and returns at once (see startServer to wait until it is ready). */
export async function spawnServer(options: ServerOptions): Promise<SpawnedServer> {
  const port = options.port ?? (await freePort());
  const host = '127.0.0.1';
  const entry = options.entry ?? MAIN;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: host,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [TSX_CLI, entry], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${entry}`);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let status: ExitStatus | undefined;
  const exit = new Promise<ExitStatus>((resolve) => {
    // 'close', not 'exit': by then everything the child wrote to stdout and stderr has been read.
    child.once('close', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });
  let server: number | undefined;
  const serverPid = () => {
    if (server === undefined && !status) server = childPid(pid, entry);
    return server;
  };
  const spawned: SpawnedServer = {
    url: `http://${host}:${port}`,
    port,
    pid,
    dataDir: options.dataDir,
    env,
    stdout,
    stderr,
    exited: () => status !== undefined,
    serverPid,
    kill(signal = 'SIGTERM') {
      try {
        if (signal === 'SIGKILL') {
          process.kill(-pid, 'SIGKILL');
        } else {
          const target = serverPid();
          // Without /proc, signal the group: the server then hears it directly.
          process.kill(target ?? -pid, signal);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
    async waitForExit(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${entry} did not exit within ${timeoutMs} ms; stderr:\n${stderr()}`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([exit, timeout]);
        while (groupAlive(pid)) {
          if (Date.now() > deadline) {
            throw new Error(`processes of ${entry} (group ${pid}) still running after ${timeoutMs} ms`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        live.delete(spawned);
        return result;
      } finally {
        clearTimeout(timer);
      }
    },
    async stop(graceMs = 10_000) {
      if (!status) spawned.kill('SIGTERM');
      try {
        await spawned.waitForExit(graceMs);
      } catch {
        spawned.kill('SIGKILL');
        await spawned.waitForExit(10_000).catch(() => {});
      }
    },
  };
  live.add(spawned);
  return spawned;
}

/** Starts the child and waits until GET readyPath answers 200; fails with its stderr otherwise. */
export async function startServer(options: ServerOptions): Promise<ChildServer> {
  const readyPath = options.readyPath ?? '/health/ready';
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const spawned = await spawnServer(options);
    let last = 'no answer yet';
    for (;;) {
      if (spawned.exited()) break;
      try {
        const response = await fetch(spawned.url + readyPath, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return withTokens(spawned);
        last = `status ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) {
        await spawned.stop(2_000);
        throw new Error(
          `the server was not ready within ${timeoutMs} ms (${last}); stderr:\n${spawned.stderr()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await spawned.stop(2_000);
    // The free port was taken between choosing and listening: choose another.
    if (options.port === undefined && attempt < 3 && /EADDRINUSE/.test(spawned.stderr())) continue;
    throw new Error(`the server exited before it was ready; stderr:\n${spawned.stderr()}`);
  }
}

function withTokens(spawned: SpawnedServer): ChildServer {
  return {
    ...spawned,
    async tokenFor(actor) {
      // The server made this key on first start; the issuer and audience derive from its config.
      const key = await loadOrCreateKey(spawned.dataDir, 'api-tokens', 'ES256');
      return issueToken(actor, key, tokenSettings(loadConfig(spawned.env), key));
    },
  };
}

export interface CommandResult extends ExitStatus {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node <args>` in the repository with Mmuso settings from `env` only; killed after timeoutMs. */
export async function runNode(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let finished = false;
  const kill = () => {
    try {
      if (pid !== undefined && !finished) process.kill(-pid, 'SIGKILL');
    } catch {}
  };
  process.once('exit', kill);
  const timer = setTimeout(kill, timeoutMs);
  try {
    const { code, signal } = await new Promise<ExitStatus>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    if (pid !== undefined) {
      // What the command started must be gone too (bin/mmuso.js → tsx → node).
      while (groupAlive(pid) && Date.now() - started < timeoutMs) {
        await new Promise((r) => setTimeout(r, 20));
      }
      kill();
    }
    finished = true;
    return { code, signal, stdout: stdout(), stderr: stderr(), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    kill();
    process.removeListener('exit', kill);
  }
}
