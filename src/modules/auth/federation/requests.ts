import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../../../core/db/index.js';

/** A sign-in sent to the external provider comes back within this many seconds, or not at all. */
export const FEDERATION_REQUEST_SECONDS = 600;

export interface FederationRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
  interactionUid: string;
}

const random = () => randomBytes(32).toString('base64url');

/** Remembers a sign-in about to be sent to the external provider, for the interaction `uid`. */
export async function beginFederatedSignIn(db: Database, uid: string, now: Date): Promise<FederationRequest> {
  const request = { state: random(), nonce: random(), codeVerifier: random(), interactionUid: uid };
  const expires = new Date(now.getTime() + FEDERATION_REQUEST_SECONDS * 1000);
  await db.transaction((tx) =>
    tx.execute(sql`INSERT INTO auth.federation_requests
        (state, interaction_uid, nonce, code_verifier, created_at, expires_at)
      VALUES (${request.state}, ${uid}, ${request.nonce}, ${request.codeVerifier},
        ${now.toISOString()}, ${expires.toISOString()})`),
  );
  return request;
}

/** The interaction a returning `state` belongs to, while it is still open (nothing is taken). */
export async function interactionOfState(
  db: Database,
  state: string,
  now: Date,
): Promise<string | undefined> {
  const [row] = await rows<{ interaction_uid: string }>(
    db.orm,
    sql`SELECT interaction_uid FROM auth.federation_requests
        WHERE state = ${state} AND taken_at IS NULL AND expires_at > ${now.toISOString()}`,
  );
  return row?.interaction_uid;
}

/** Takes the request once (a replayed callback finds nothing), only for the interaction it began in. */
export async function takeFederatedSignIn(
  db: Database,
  state: string,
  uid: string,
  now: Date,
): Promise<FederationRequest | undefined> {
  const [row] = await db.transaction((tx) =>
    rows<{ nonce: string; code_verifier: string }>(
      tx,
      sql`UPDATE auth.federation_requests SET taken_at = ${now.toISOString()}
          WHERE state = ${state} AND interaction_uid = ${uid} AND taken_at IS NULL
            AND expires_at > ${now.toISOString()}
          RETURNING nonce, code_verifier`,
    ),
  );
  return row && { state, nonce: row.nonce, codeVerifier: row.code_verifier, interactionUid: uid };
}
