import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWK,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { type Actor, type ActorType, anonymous, STAFF_ROLES, type StaffRole } from '../actors/index.js';
import type { Config } from '../config/index.js';
import type { SigningKey } from '../keys/index.js';

/**
 * Bearer tokens for the API are JWTs. The claim `mmuso_actor` says which kind of actor the
 * subject is; staff tokens carry `roles`, `ministry` and `office`; system tokens carry `scope`.
 */
export interface TokenSettings {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
}

/**
 * `trusted` gives further public keys, read on each verification: the login provider's signing
 * keys (src/modules/auth), which the platform's own key stands beside.
 */
export function tokenSettings(
  config: Config,
  localKey: SigningKey,
  trusted: () => readonly JWK[] = () => [],
): TokenSettings {
  return {
    issuer: config.AUTH_ISSUER ?? `${config.publicUrl}/oidc`,
    audience: `${config.publicUrl}/api`,
    keys: config.AUTH_JWKS_URL
      ? createRemoteJWKSet(new URL(config.AUTH_JWKS_URL))
      : localAndTrusted(localKey, trusted),
  };
}

function localAndTrusted(localKey: SigningKey, trusted: () => readonly JWK[]): JWTVerifyGetKey {
  let built: readonly JWK[] | undefined;
  let getKey: JWTVerifyGetKey | undefined;
  return (header, token) => {
    const extra = trusted();
    if (!getKey || extra !== built) {
      built = extra;
      getKey = createLocalJWKSet({ keys: [{ ...localKey.publicJwk, use: 'sig' }, ...extra] });
    }
    return getKey(header, token);
  };
}

const SIGNED_IN: readonly ActorType[] = ['citizen', 'staff', 'system'];

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export async function actorFromToken(token: string, settings: TokenSettings): Promise<Actor> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, settings.keys, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['ES256', 'EdDSA'],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (error) {
    throw new InvalidTokenError((error as Error).message);
  }
  const type = payload.mmuso_actor as ActorType;
  if (!SIGNED_IN.includes(type) || typeof payload.sub !== 'string') {
    throw new InvalidTokenError('token does not name a known kind of actor');
  }
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r as string))
    : [];
  return {
    type,
    id: payload.sub,
    roles: type === 'staff' ? roles : [],
    ...(typeof payload.ministry === 'string' ? { ministry: payload.ministry } : {}),
    ...(typeof payload.office === 'string' ? { office: payload.office } : {}),
    scopes:
      type === 'system' && typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
    ...(typeof payload.acr === 'string' ? { acr: payload.acr } : {}),
  };
}

/** Issues an API token for an actor; the Login module uses this, and so do tests. */
export async function issueToken(
  actor: Actor,
  key: SigningKey,
  settings: Pick<TokenSettings, 'issuer' | 'audience'>,
  lifetimeSeconds = 600,
): Promise<string> {
  if (actor === anonymous || actor.type === 'anonymous') throw new Error('anonymous actors get no token');
  return new SignJWT({
    mmuso_actor: actor.type,
    ...(actor.roles.length ? { roles: [...actor.roles] } : {}),
    ...(actor.ministry ? { ministry: actor.ministry } : {}),
    ...(actor.office ? { office: actor.office } : {}),
    ...(actor.scopes.length ? { scope: actor.scopes.join(' ') } : {}),
    ...(actor.acr ? { acr: actor.acr } : {}),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setSubject(actor.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key.privateKey);
}
