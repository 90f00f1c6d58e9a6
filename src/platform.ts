import path from 'node:path';
import { writeCheckpoint } from './core/audit/index.js';
import { folderBlobStore } from './core/blobs/index.js';
import { type Clock, systemClock } from './core/clock/index.js';
import type { Config } from './core/config/index.js';
import { type Database, migrate, openDatabase } from './core/db/index.js';
import { EventDispatcher } from './core/events/index.js';
import { type App, buildApp, purgeExpiredIdempotencyKeys, type RoutesPlugin } from './core/http/index.js';
import type { Kernel } from './core/kernel/index.js';
import { loadOrCreateKey } from './core/keys/index.js';
import { createLogger } from './core/log/index.js';
import { authRoutes, purgeExpiredOidcRecords, seedLoginDemo } from './modules/auth/index.js';
import { fillUinPool, identityRoutes, identitySettings } from './modules/identity/index.js';
import { messagingRoutes } from './modules/messaging/index.js';
import { registriesRoutes } from './modules/registries/index.js';
import { escalateOverdueTasks, servicesRoutes, servicesSettings } from './modules/services/index.js';
import { seedDemoData } from './seed.js';
import { homePage } from './web/home.js';

/** Every module's HTTP surface, in the order they are mounted. */
export const ROUTES: readonly RoutesPlugin[] = [
  homePage,
  messagingRoutes,
  identityRoutes,
  authRoutes,
  servicesRoutes,
  registriesRoutes,
];

export interface KernelOptions {
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the configuration. */
  database?: Database;
  log?: Kernel['log'];
}

/** Opens the database, applies migrations and loads keys: everything a command or server needs. */
export async function openKernel(config: Config, options: KernelOptions = {}): Promise<Kernel> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const db =
    options.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.dataDir,
      poolSize: config.DATABASE_POOL_SIZE,
    }));
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const events = new EventDispatcher(db, {
      onError: (err, event, subscriber) =>
        log.warn({ err, eventId: event.id, subscriber }, 'event delivery failed'),
    });
    return {
      config,
      db,
      clock: options.clock ?? systemClock,
      events,
      blobs: folderBlobStore(path.join(config.dataDir, 'blobs')),
      log,
      keys: {
        audit: await loadOrCreateKey(config.dataDir, 'audit-checkpoint', 'EdDSA'),
        tokens: await loadOrCreateKey(config.dataDir, 'api-tokens', 'ES256'),
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export interface RunningPlatform {
  app: App;
  kernel: Kernel;
  url: string;
  stop(): Promise<void>;
}

/** Boot: config → database → modules → HTTP server, plus the background jobs. */
export async function startPlatform(config: Config, options: KernelOptions = {}): Promise<RunningPlatform> {
  const kernel = await openKernel(config, options);
  const app = await buildApp(kernel, ROUTES);
  if (config.SEED_DEMO_DATA) {
    await seedDemoData(kernel);
    await seedLoginDemo(kernel);
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  kernel.events.start(config.OUTBOX_POLL_MS);
  const timers: NodeJS.Timeout[] = [];
  const checkpoint = () =>
    writeCheckpoint(kernel.db, kernel.keys.audit, kernel.clock, config.dataDir).catch((err) =>
      kernel.log.error({ err }, 'audit checkpoint failed'),
    );
  if (config.AUDIT_CHECKPOINT_SECONDS > 0) {
    timers.push(setInterval(checkpoint, config.AUDIT_CHECKPOINT_SECONDS * 1000).unref());
  }
  timers.push(
    setInterval(
      () => purgeExpiredIdempotencyKeys(kernel.db).catch((err) => kernel.log.error({ err }, 'purge failed')),
      3_600_000,
    ).unref(),
  );
  timers.push(
    setInterval(
      () => purgeExpiredOidcRecords(kernel.db).catch((err) => kernel.log.error({ err }, 'purge failed')),
      3_600_000,
    ).unref(),
  );
  // The UIN pool fills in the background: registrations take from it, and make a few themselves
  // if it ever runs dry.
  const identity = identitySettings(config);
  const fillPool = () =>
    fillUinPool(kernel.db, identity.uinPolicy, identity.uinPoolTarget).catch((err) =>
      kernel.log.error({ err }, 'UIN pool refill failed'),
    );
  void fillPool();
  timers.push(setInterval(fillPool, 60_000).unref());
  // Overdue tasks are flagged and escalated by whichever process gets there first (SKIP LOCKED).
  const { slaCheckSeconds } = servicesSettings(config);
  if (slaCheckSeconds > 0) {
    timers.push(
      setInterval(
        () => escalateOverdueTasks(kernel).catch((err) => kernel.log.error({ err }, 'SLA check failed')),
        slaCheckSeconds * 1000,
      ).unref(),
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    app,
    kernel,
    url,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        // Stop taking requests and finish the ones in flight before the database goes away.
        await app.close();
        await kernel.events.stop();
        if (config.AUDIT_CHECKPOINT_SECONDS > 0) await checkpoint();
        await kernel.db.close();
      })();
      return stopping;
    },
  };
}
