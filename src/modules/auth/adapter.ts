import { and, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, alias, jsonb, text, timestamp } from 'drizzle-orm/pg-core';
import { type Database, type Orm, rows } from '../../core/db/index.js';
import { clientById, clientMetadata } from './clients.js';
import { forgetRead, readAlready, readOnce } from './request-reads.js';
import { type AccountRow, accounts, auth } from './schema.js';

/** The columns the hot reads need (migration 0004 has the table). */
const store = auth.table('oidc_store', {
  model: text('model').notNull(),
  id: text('id').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  uid: text('uid'),
  grantId: text('grant_id'),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  consumedAt: timestamp('consumed_at', { withTimezone: true }),
});

/**
 * Every token, userinfo and authorization request reads by id (and the session by uid): prepared
 * once per database handle, so neither the query nor PostgreSQL's plan is built per request.
 */
const prepared = new WeakMap<Orm, ReturnType<typeof prepareReads>>();
const unexpired = (expiresAt: AnyPgColumn) => or(isNull(expiresAt), gt(expiresAt, sql`now()`));
function prepareReads(db: Orm) {
  const columns = {
    payload: store.payload,
    consumed: sql<number | null>`extract(epoch FROM ${store.consumedAt})::bigint`,
  };
  const where = (by: typeof store.id | typeof store.uid) =>
    and(
      eq(store.model, sql.placeholder('model')),
      eq(by, sql.placeholder('key')),
      unexpired(store.expiresAt),
    );
  const read = (by: typeof store.id | typeof store.uid, name: string) =>
    db.select(columns).from(store).where(where(by)).prepare(name);
  // A token with its grant and its account: what userinfo and the code exchange read next.
  const grant = alias(store, 'grant');
  const accountId = sql`${store.payload}->>'accountId'`;
  const withGrant = db
    .select({ ...columns, grant: grant.payload, account: accounts })
    .from(store)
    .leftJoin(grant, and(eq(grant.model, 'Grant'), eq(grant.id, store.grantId), unexpired(grant.expiresAt)))
    .leftJoin(
      accounts,
      eq(accounts.id, sql`CASE WHEN ${accountId} ~ '^[0-9a-f-]{36}$' THEN (${accountId})::uuid END`),
    )
    .where(where(store.id))
    .prepare('oidc_token_with_grant');
  return {
    byId: read(store.id, 'oidc_store_by_id'),
    byUid: read(store.uid, 'oidc_store_by_uid'),
    withGrant,
  };
}
const readsOf = (db: Orm) => {
  const reads = prepared.get(db) ?? prepareReads(db);
  prepared.set(db, reads);
  return reads;
};

type Payload = Record<string, unknown>;

interface StoreRow {
  payload: Payload;
  consumed: number | null;
}

/** Tokens that name a grant and an account, which the request goes on to read. */
const TOKENS = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken']);

const found = (row: StoreRow | undefined) =>
  !row ? undefined : row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };

/**
 * oidc-provider's storage in PostgreSQL (or PGlite): one table, one row per model and id.
 * - find* return nothing once expired (expiry is the adapter's job);
 * - consume is one UPDATE … WHERE consumed_at IS NULL: of two concurrent redemptions of a code
 *   only one succeeds; the other is refused and the grant's tokens are revoked;
 * - revokeByGrantId uses the grant_id index.
 * Clients are not stored here: the `Client` model reads the relying-party registry, and keeps what
 * it read for CLIENT_CACHE_MS (every token and userinfo request looks its client up).
 */
export const CLIENT_CACHE_MS = 5_000;
const clientCache = new WeakMap<Database, Map<string, { until: number; metadata: Payload | undefined }>>();

export class PostgresAdapter {
  /** `request` gives the provider request under way (oidc-provider's `Provider.ctx`), if any. */
  constructor(
    private readonly model: string,
    private readonly db: Database,
    private readonly request: () => object | undefined = () => undefined,
  ) {}

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    if (this.model === 'Client') throw new Error('clients are registered with `mmuso clients add`');
    const grantId = typeof payload.grantId === 'string' ? payload.grantId : null;
    const uid = typeof payload.uid === 'string' ? payload.uid : null;
    const userCode = typeof payload.userCode === 'string' ? payload.userCode : null;
    const seconds = typeof expiresIn === 'number' ? expiresIn : null;
    if (this.model === 'Grant') forgetRead(this.request(), `Grant:${id}`);
    await this.write(sql`INSERT INTO auth.oidc_store (model, id, payload, grant_id, uid, user_code, expires_at)
        VALUES (${this.model}, ${id}, ${JSON.stringify(payload)}::jsonb, ${grantId}, ${uid}, ${userCode},
          CASE WHEN ${seconds}::int IS NULL THEN NULL ELSE now() + make_interval(secs => ${seconds}::int) END)
        ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
          uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`);
  }

  /**
   * One statement. On PostgreSQL on its own (autocommit is as atomic and durable, without the
   * BEGIN and COMMIT round trips); on PGlite, whose one connection serves everyone, in a
   * transaction, so that it queues behind the one under way instead of joining it.
   */
  private async write<Row>(statement: SQL): Promise<Row[]> {
    if (this.db.kind === 'postgres') return rows<Row>(this.db.orm, statement);
    return this.db.transaction((tx) => rows<Row>(tx, statement));
  }

  private async findBy(read: 'byId' | 'byUid', key: string): Promise<Payload | undefined> {
    const [row] = (await readsOf(this.db.orm)[read].execute({ model: this.model, key })) as StoreRow[];
    return found(row);
  }

  async find(id: string): Promise<Payload | undefined> {
    if (this.model === 'Client') {
      const cache = clientCache.get(this.db) ?? new Map();
      clientCache.set(this.db, cache);
      const now = Date.now();
      const known = cache.get(id);
      if (known && known.until > now) return known.metadata;
      const client = await clientById(this.db.orm, id);
      const metadata = client && client.status === 'active' ? clientMetadata(client) : undefined;
      if (cache.size > 1_000) cache.clear();
      cache.set(id, { until: now + CLIENT_CACHE_MS, metadata });
      return metadata;
    }
    if (this.model === 'Grant') return readOnce(this.request(), `Grant:${id}`, () => this.findBy('byId', id));
    if (TOKENS.has(this.model)) return this.findToken(id);
    return this.findBy('byId', id);
  }

  /** One statement for the token, its grant and its account; the latter two kept for this request. */
  private async findToken(id: string): Promise<Payload | undefined> {
    const [row] = (await readsOf(this.db.orm).withGrant.execute({
      model: this.model,
      key: id,
    })) as (StoreRow & {
      grant: Payload | null;
      account: AccountRow | null;
    })[];
    const request = this.request();
    const { grantId, accountId } = row?.payload ?? {};
    if (typeof grantId === 'string') readAlready(request, `Grant:${grantId}`, row?.grant ?? undefined);
    if (typeof accountId === 'string')
      readAlready(request, `Account:${accountId}`, row?.account ?? undefined);
    return found(row);
  }

  findByUid(uid: string): Promise<Payload | undefined> {
    return this.findBy('byUid', uid);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const [row] = await rows<StoreRow>(
      this.db.orm,
      sql`SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed FROM auth.oidc_store
          WHERE model = ${this.model} AND user_code = ${userCode} AND (expires_at IS NULL OR expires_at > now())`,
    );
    return found(row);
  }

  async destroy(id: string): Promise<void> {
    if (this.model === 'Grant') forgetRead(this.request(), `Grant:${id}`);
    await this.write(sql`DELETE FROM auth.oidc_store WHERE model = ${this.model} AND id = ${id}`);
  }

  async consume(id: string): Promise<void> {
    const consumed = await this.write<{ id: string }>(
      sql`UPDATE auth.oidc_store SET consumed_at = now()
          WHERE model = ${this.model} AND id = ${id} AND consumed_at IS NULL RETURNING id`,
    );
    if (consumed.length === 0) {
      // Someone redeemed it between our find and this update: treat as a replay.
      const [row] = await rows<{ grant_id: string | null }>(
        this.db.orm,
        sql`SELECT grant_id FROM auth.oidc_store WHERE model = ${this.model} AND id = ${id}`,
      );
      if (row?.grant_id) await this.revokeByGrantId(row.grant_id);
      // Loaded lazily: importing oidc-provider prints a warning on Node 20, which commands need not show.
      const { errors } = await import('oidc-provider');
      throw new errors.InvalidGrant('grant already consumed');
    }
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    forgetRead(this.request(), `Grant:${grantId}`);
    await this.write(sql`DELETE FROM auth.oidc_store WHERE grant_id = ${grantId}`);
  }
}

/** Removes what expired more than a day ago (federated sign-ins sent out too); run periodically. */
export async function purgeExpiredOidcRecords(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM auth.oidc_store WHERE expires_at < now() - interval '1 day'`);
    await tx.execute(sql`DELETE FROM auth.federation_requests WHERE expires_at < now() - interval '1 day'`);
  });
}
