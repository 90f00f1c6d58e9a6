import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Actor } from '../../src/core/actors/index.js';
import { manualClock } from '../../src/core/clock/index.js';
import { loadConfig } from '../../src/core/config/index.js';
import { type App, buildApp, issueToken, tokenSettings } from '../../src/core/http/index.js';
import type { Kernel } from '../../src/core/kernel/index.js';
import { createLogger } from '../../src/core/log/index.js';
import { openKernel, ROUTES } from '../../src/platform.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestKernel {
  kernel: Kernel;
  clock: ReturnType<typeof manualClock>;
  dataDir: string;
  database: TestDatabase;
  close(): Promise<void>;
}

/** A kernel over this file's own database, a temporary data folder and a clock that stands still. */
export async function createTestKernel(env: Record<string, string> = {}): Promise<TestKernel> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-test-'));
  const database = await createTestDatabase(inject('template'));
  const clock = manualClock('2026-11-23T08:00:00.000Z');
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  const kernel = await openKernel(config, { database: database.db, clock, log: createLogger('silent') });
  return {
    kernel,
    clock,
    dataDir,
    database,
    async close() {
      await kernel.events.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp extends TestKernel {
  app: App;
  /** A bearer token for this actor, signed with the kernel's own token key. */
  tokenFor(actor: Actor): Promise<string>;
  /** The Authorization header for this actor. */
  as(actor: Actor): Promise<{ authorization: string }>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const base = await createTestKernel(env);
  const app = await buildApp(base.kernel, ROUTES);
  await app.ready();
  const settings = tokenSettings(base.kernel.config, base.kernel.keys.tokens);
  const tokenFor = (actor: Actor) => issueToken(actor, base.kernel.keys.tokens, settings);
  return {
    ...base,
    app,
    tokenFor,
    as: async (actor) => ({ authorization: `Bearer ${await tokenFor(actor)}` }),
    async close() {
      await app.close();
      await base.close();
    },
  };
}

export const actors = {
  citizen: (id = 'citizen-1'): Actor => ({ type: 'citizen', id, roles: [], scopes: [] }),
  staff: (roles: Actor['roles'], id = 'staff-1', office = 'maseru-hq'): Actor => ({
    type: 'staff',
    id,
    roles,
    ministry: 'home-affairs',
    office,
    scopes: [],
  }),
  system: (scopes: string[] = [], id = 'client-1'): Actor => ({ type: 'system', id, roles: [], scopes }),
};
