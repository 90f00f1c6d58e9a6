import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type Database, rows } from '../../core/db/index.js';

/**
 * The provider's ES256 signing keys live in auth.signing_keys, so every server process signs
 * with the same keys. The newest key signs; `mmuso keys rotate` adds a new one and gives the
 * previous ones a retire_at (now + the longest lifetime of anything they signed): until then
 * they stay in the JWKS so tokens already issued still verify. Running servers pick the
 * change up by themselves (live-provider.ts).
 */
export const KEY_RETIRE_SECONDS = 24 * 3600;

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  created_at: Date;
  retire_at: Date | null;
}

async function newKey(): Promise<JWK> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'ES256';
  jwk.use = 'sig';
  return jwk;
}

async function insertKey(db: Database, jwk: JWK, retireOthers: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    if (retireOthers) {
      await tx.execute(sql`UPDATE auth.signing_keys
        SET retire_at = now() + make_interval(secs => ${KEY_RETIRE_SECONDS}) WHERE retire_at IS NULL`);
    }
    await tx.execute(sql`INSERT INTO auth.signing_keys (kid, alg, private_jwk, created_at)
      VALUES (${jwk.kid}, 'ES256', ${JSON.stringify(jwk)}::jsonb, now()) ON CONFLICT DO NOTHING`);
  });
}

/** The keys still published, newest first (the first one signs); one is made when there is none. */
export async function signingKeys(db: Database): Promise<JWK[]> {
  const load = () =>
    rows<KeyRow>(
      db.orm,
      sql`SELECT kid, private_jwk, created_at, retire_at FROM auth.signing_keys
          WHERE retire_at IS NULL OR retire_at > now() ORDER BY created_at DESC, kid`,
    );
  let keys = await load();
  if (keys.length === 0) {
    await insertKey(db, await newKey(), false);
    keys = await load();
  }
  return keys.map((k) => k.private_jwk);
}

/** Adds a new signing key; the previous ones retire after KEY_RETIRE_SECONDS. */
export async function rotateSigningKey(db: Database): Promise<{ kid: string; retiring: string[] }> {
  const before = await signingKeys(db);
  const jwk = await newKey();
  await insertKey(db, jwk, true);
  return { kid: jwk.kid as string, retiring: before.map((k) => k.kid as string) };
}

export async function listSigningKeys(db: Database) {
  return rows<{ kid: string; created_at: Date; retire_at: Date | null }>(
    db.orm,
    sql`SELECT kid, created_at, retire_at FROM auth.signing_keys ORDER BY created_at DESC`,
  );
}

export function publicJwk(jwk: JWK): JWK {
  const { d: _d, ...rest } = jwk;
  return rest;
}

/** A random secret shared by every process (made on first use, the first writer wins). */
export async function sharedSecret(db: Database, name: string): Promise<string> {
  const fresh = randomBytes(32).toString('base64url');
  await db.transaction((tx) =>
    tx.execute(sql`INSERT INTO auth.secrets (name, value, created_at) VALUES (${name}, ${fresh}, now())
      ON CONFLICT (name) DO NOTHING`),
  );
  const [row] = await rows<{ value: string }>(
    db.orm,
    sql`SELECT value FROM auth.secrets WHERE name = ${name}`,
  );
  if (!row) throw new Error(`secret ${name} could not be stored`);
  return row.value;
}
