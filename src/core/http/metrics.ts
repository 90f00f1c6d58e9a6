import { Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/index.js';
import { outboxStatus } from '../events/index.js';
import type { AnyApp } from './app.js';

/** Prometheus metrics: request durations by route, database pool use and outbox lag. */
export function metrics(app: AnyApp, db: Database): Registry {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL only)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = db.poolStats();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  new Gauge({
    name: 'outbox_events',
    help: 'Outbox events waiting for delivery or dead-lettered',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const status = await outboxStatus(db);
      this.set({ status: 'pending' }, status.pending);
      this.set({ status: 'dead' }, status.dead);
    },
  });
  new Gauge({
    name: 'outbox_lag_seconds',
    help: 'Age of the oldest event not yet delivered',
    registers: [registry],
    async collect() {
      this.set((await outboxStatus(db)).lagSeconds);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
  return registry;
}
