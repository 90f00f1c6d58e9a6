import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../core/db/index.js';
import { fieldError, problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { type ClientAuthMethod, type ClientRow, clients } from './schema.js';
import { isSectorName } from './sector-name.js';

export const CLIENT_REGISTERED = 'auth.client.registered';

/**
 * Scopes a relying party may be allowed; `api` grants access tokens for the platform API; `uin`
 * releases the UIN itself, only to services that hold it by law (another identity platform that
 * federates with this one), never to ordinary services, which get a sector token as `sub`.
 */
export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'api', 'uin'] as const;
/** Claims released per scope; a client gets only those on its own claims allow-list too. */
export const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: ['uin_linked', 'given_name', 'family_name', 'birthdate'],
  uin: ['uin'],
};
export const CLAIMS = [...new Set(Object.values(SCOPE_CLAIMS).flat())];
export const ACR = {
  low: 'urn:mmuso:loa:low',
  substantial: 'urn:mmuso:loa:substantial',
  high: 'urn:mmuso:loa:high',
} as const;
export const ACR_VALUES = Object.values(ACR);

export interface ClientInput {
  name: { en: string; st: string };
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  authMethod: ClientAuthMethod;
  jwks?: { keys: Record<string, unknown>[] };
  sector: string;
  scopes?: string[];
  claims?: string[];
  requiredAcr?: string;
  /** Access tokens bound to a key of the client by DPoP proofs (RFC 9449); refused without one. */
  dpopBound?: boolean;
  /** A fixed id (demo data); otherwise one is made. */
  clientId?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function checkUri(uri: string, pointer: string) {
  try {
    const url = new URL(uri);
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    if (url.protocol === 'https:' || (url.protocol === 'http:' && local)) {
      return url.hash ? [fieldError(pointer, 'fragment', 'auth.error.uri')] : [];
    }
  } catch {}
  return [fieldError(pointer, 'format', 'auth.error.uri')];
}

/**
 * Registers a relying party. Redirect URIs are matched exactly and must share one host (the
 * host is not the pairwise sector; `sector` is). Returns the client secret once: only its
 * SHA-256 is kept.
 */
export async function registerClient(
  c: Change,
  input: ClientInput,
): Promise<{ client: ClientRow; secret: string | undefined }> {
  const errors = [
    ...(input.redirectUris.length ? [] : [fieldError('/redirectUris', 'required', 'auth.error.uri')]),
    ...input.redirectUris.flatMap((u, i) => checkUri(u, `/redirectUris/${i}`)),
    ...(input.postLogoutRedirectUris ?? []).flatMap((u, i) => checkUri(u, `/postLogoutRedirectUris/${i}`)),
  ];
  const hosts = new Set(input.redirectUris.map((u) => URL.canParse(u) && new URL(u).host));
  if (hosts.size > 1) errors.push(fieldError('/redirectUris', 'hosts', 'auth.error.uri-hosts'));
  if (!isSectorName(input.sector)) errors.push(fieldError('/sector', 'format', 'auth.error.sector'));
  const scopes = [...new Set(['openid', ...(input.scopes ?? [])])];
  for (const scope of scopes) {
    if (!(SCOPES as readonly string[]).includes(scope))
      errors.push(fieldError('/scopes', 'unknown', 'auth.error.scope'));
  }
  const claims = input.claims ?? scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? []);
  for (const claim of claims) {
    if (!CLAIMS.includes(claim)) errors.push(fieldError('/claims', 'unknown', 'auth.error.claim'));
  }
  if (input.requiredAcr && !(ACR_VALUES as string[]).includes(input.requiredAcr)) {
    errors.push(fieldError('/requiredAcr', 'unknown', 'auth.error.acr'));
  }
  if (input.authMethod === 'private_key_jwt' && !input.jwks?.keys?.length) {
    errors.push(fieldError('/jwks', 'required', 'auth.error.jwks'));
  }
  if (errors.length) throw problems.invalid(errors);
  const secret =
    input.authMethod === 'client_secret_basic' ? randomBytes(32).toString('base64url') : undefined;
  const [row] = await c.tx
    .insert(clients)
    .values({
      clientId: input.clientId ?? `mmuso-${randomBytes(9).toString('base64url')}`,
      nameEn: input.name.en,
      nameSt: input.name.st,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      authMethod: input.authMethod,
      secretSha256: secret ? sha256(secret) : null,
      jwks: input.jwks ?? null,
      sector: input.sector,
      allowedScopes: scopes,
      allowedClaims: [...new Set(['sub', ...claims])],
      requiredAcr: input.requiredAcr ?? null,
      dpopBound: input.dpopBound ?? false,
      status: 'active',
      createdAt: c.now,
    })
    .returning();
  const client = row as ClientRow;
  c.audit({
    action: CLIENT_REGISTERED,
    subject: { type: 'client', id: client.clientId },
    after: {
      sector: client.sector,
      redirectUris: client.redirectUris,
      scopes,
      authMethod: client.authMethod,
      dpopBound: client.dpopBound,
    },
  });
  return { client, secret };
}

export function listClients(db: Queryable): Promise<ClientRow[]> {
  return db.select().from(clients).orderBy(asc(clients.createdAt), asc(clients.clientId));
}

export async function clientById(db: Queryable, clientId: string): Promise<ClientRow | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.clientId, clientId));
  return row;
}

/** Compares a presented secret with the stored SHA-256, in constant time. */
export function secretMatches(storedSha256: string | null | undefined, presented: string): boolean {
  if (!storedSha256) return false;
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(storedSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The row as oidc-provider client metadata; our own fields carry the mmuso_ prefix. */
export function clientMetadata(row: ClientRow): Record<string, unknown> {
  return {
    client_id: row.clientId,
    client_name: row.nameEn,
    ...(row.secretSha256 ? { client_secret: row.secretSha256 } : {}),
    ...(row.jwks ? { jwks: row.jwks } : {}),
    redirect_uris: row.redirectUris,
    post_logout_redirect_uris: row.postLogoutRedirectUris,
    token_endpoint_auth_method: row.authMethod,
    grant_types: row.allowedScopes.includes('offline_access')
      ? ['authorization_code', 'refresh_token']
      : ['authorization_code'],
    response_types: ['code'],
    subject_type: 'pairwise',
    id_token_signed_response_alg: 'ES256',
    scope: row.allowedScopes.join(' '),
    ...(row.requiredAcr ? { default_acr_values: [row.requiredAcr] } : {}),
    dpop_bound_access_tokens: row.dpopBound,
    mmuso_name_st: row.nameSt,
    mmuso_sector: row.sector,
    mmuso_allowed_claims: row.allowedClaims,
    mmuso_required_acr: row.requiredAcr ?? undefined,
  };
}
