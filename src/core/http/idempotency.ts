import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../audit/index.js';
import { type Database, rows } from '../db/index.js';
import type { AnyApp } from './app.js';
import { HttpProblem } from './problem.js';

/**
 * `Idempotency-Key` on any POST: the first request runs, a retry with the same key and body
 * gets the stored response for 24 hours, a retry with another body is refused. Concurrent
 * retries wait for the first to finish. The change itself marks the key committed in its own
 * transaction, so a crash between commit and storing the response never runs the change twice.
 */
const KEY = /^[\x21-\x7e]{1,255}$/;
const TTL_HOURS = 24;
/** A pending key older than this belongs to a request that died. */
const ABANDONED_SECONDS = 60;
const WAIT_MS = 15_000;

interface KeyRow {
  method: string;
  path: string;
  body_hash: string;
  state: 'pending' | 'done';
  committed: boolean;
  status_code: number | null;
  content_type: string | null;
  response_body: string | null;
  age: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { actorKey: string; key: string };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hashRequest(request: FastifyRequest): string {
  return createHash('sha256')
    .update(canonicalJson(request.body ?? null) ?? '')
    .digest('hex');
}

export function idempotency(app: AnyApp, db: Database): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new HttpProblem(400, 'validation', 'problem.validation', {
        errors: [
          {
            pointer: '/idempotency-key',
            in: 'headers',
            code: 'pattern',
            detail: 'Idempotency-Key must be 1-255 visible ASCII characters',
          },
        ],
      });
    }
    const actorKey = `${request.actor.type}:${request.actor.id}`;
    const bodyHash = hashRequest(request);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const claimed = await db.transaction(async (tx) => {
        await tx.execute(
          sql`DELETE FROM core.idempotency WHERE actor_key = ${actorKey} AND key = ${key} AND expires_at < now()`,
        );
        return rows<{ key: string }>(
          tx,
          sql`INSERT INTO core.idempotency (actor_key, key, method, path, body_hash, expires_at)
              VALUES (${actorKey}, ${key}, ${request.method}, ${request.url}, ${bodyHash}, now() + make_interval(hours => ${TTL_HOURS}))
              ON CONFLICT DO NOTHING RETURNING key`,
        );
      });
      if (claimed.length) {
        request.idempotency = { actorKey, key };
        return;
      }
      const [row] = await rows<KeyRow>(
        db.orm,
        sql`SELECT method, path, body_hash, state, committed, status_code, content_type, response_body,
                   extract(epoch FROM now() - created_at)::float8 AS age
            FROM core.idempotency WHERE actor_key = ${actorKey} AND key = ${key}`,
      );
      if (!row) continue;
      if (row.method !== request.method || row.path !== request.url || row.body_hash !== bodyHash) {
        throw new HttpProblem(422, 'idempotency-mismatch', 'problem.idempotency-mismatch', {
          detail: 'problem.idempotency-mismatch.detail',
        });
      }
      if (row.state === 'done') return replay(reply, row);
      if (row.age > ABANDONED_SECONDS) {
        if (row.committed) {
          throw new HttpProblem(409, 'idempotency-lost', 'problem.idempotency-lost', {
            detail: 'problem.idempotency-lost.detail',
          });
        }
        await db.transaction((tx) =>
          tx.execute(sql`DELETE FROM core.idempotency WHERE actor_key = ${actorKey} AND key = ${key}
                          AND state = 'pending' AND NOT committed`),
        );
        continue;
      }
      if (Date.now() > deadline) {
        throw new HttpProblem(409, 'idempotency-in-progress', 'problem.idempotency-in-progress', {
          detail: 'problem.idempotency-in-progress.detail',
          headers: { 'retry-after': '2' },
        });
      }
      await sleep(25);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim || reply.getHeader('idempotent-replayed')) return payload;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    await db.transaction(async (tx) => {
      if (reply.statusCode >= 500 || body === null) {
        // Nothing was promised: let a retry run the request again unless the change committed.
        await tx.execute(sql`DELETE FROM core.idempotency
          WHERE actor_key = ${claim.actorKey} AND key = ${claim.key} AND NOT committed`);
        return;
      }
      await tx.execute(sql`UPDATE core.idempotency SET state = 'done', status_code = ${reply.statusCode},
          content_type = ${String(reply.getHeader('content-type') ?? '')}, response_body = ${body}
        WHERE actor_key = ${claim.actorKey} AND key = ${claim.key}`);
    });
    return payload;
  });
}

function replay(reply: FastifyReply, row: KeyRow) {
  reply.header('idempotent-replayed', 'true');
  if (row.content_type) reply.header('content-type', row.content_type);
  return reply.code(row.status_code ?? 200).send(row.response_body ?? '');
}

/** Forgets keys past their 24 hours; run periodically. */
export async function purgeExpiredIdempotencyKeys(db: Database): Promise<void> {
  await db.transaction((tx) => tx.execute(sql`DELETE FROM core.idempotency WHERE expires_at < now()`));
}
