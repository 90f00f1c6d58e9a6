import { createHmac } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, {
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { systemActor } from '../../core/actors/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { errorPage, loggedOutPage, logoutPage } from '../../web/auth/pages.js';
import { type PersonView, readPerson, sectorTokenFor } from '../identity/index.js';
import { accountById } from './accounts.js';
import { PostgresAdapter } from './adapter.js';
import { ACR_VALUES, SCOPE_CLAIMS, SCOPES, secretMatches } from './clients.js';
import { isAcr, meets, requiredLevel } from './levels.js';
import { readOnce } from './request-reads.js';
import type { AccountRow } from './schema.js';

/** Lifetimes in seconds. Signing keys outlive the longest of the signed ones (see keys.ts). */
export const TTL = {
  AccessToken: 600,
  AuthorizationCode: 60,
  IdToken: 600,
  Interaction: 3600,
  Session: 8 * 3600,
  /** Staff sessions and refresh tokens end after this long without use. */
  StaffIdle: 15 * 60,
  Grant: 30 * 24 * 3600,
  RefreshToken: 14 * 24 * 3600,
} as const;

export interface ProviderSettings {
  signingKeys: JWK[];
  cookieKeys: string[];
  /** HMAC key of pairwise subjects for accounts not linked to a person. */
  pairwiseKey: string;
  sectorKeys: { dataDir: string; version: number };
}

type Client = InstanceType<Provider['Client']> & {
  mmuso_sector?: string;
  mmuso_allowed_claims?: string[];
  mmuso_name_st?: string;
  mmuso_required_acr?: string;
};

export const apiResource = (kernel: Kernel) => `${kernel.config.publicUrl}/api`;

/** The `sub` a relying party sees: the person's sector token, or an HMAC of the account for its sector. */
export async function pairwiseSubject(
  kernel: Kernel,
  settings: ProviderSettings,
  account: Pick<AccountRow, 'id' | 'personId'>,
  sector: string,
  cache?: Map<string, string>,
): Promise<string> {
  const personId = account.personId;
  if (!personId) {
    return createHmac('sha256', settings.pairwiseKey).update(`${sector}\n${account.id}`).digest('base64url');
  }
  const key = `${personId}\n${sector}`;
  const known = cache?.get(key);
  if (known) return known;
  const token = await change(kernel, { actor: systemActor('login') }, (c) =>
    sectorTokenFor(c, settings.sectorKeys, personId, sector),
  );
  if (cache && cache.size > 10_000) cache.clear();
  cache?.set(key, token);
  return token;
}

/** Claims a linked account can release from the civil register, and where each comes from. */
const REGISTER_CLAIMS: Record<string, (person: PersonView) => unknown> = {
  uin: (person) => person.uin,
  given_name: (person) => person.givenNames,
  family_name: (person) => person.surname,
  birthdate: (person) => person.dateOfBirth,
};

function accountClaims(account: AccountRow): Record<string, unknown> {
  const verified = account.loginVerifiedAt !== null;
  return {
    sub: account.id,
    ...(account.loginKind === 'email' ? { email: account.login, email_verified: verified } : {}),
    ...(account.loginKind === 'phone'
      ? { phone_number: account.login, phone_number_verified: verified }
      : {}),
    uin_linked: account.personId !== null,
  };
}

export function createProvider(kernel: Kernel, settings: ProviderSettings): Provider {
  const { config } = kernel;
  const api = apiResource(kernel);
  const sectorCache = new Map<string, string>();
  // One read of an account per request: the level check, findAccount, the pairwise subject and
  // the token claims each ask for it (a code exchange asked four times); a token read with its
  // account already (adapter.ts) makes it none.
  const accountIn = (ctx: KoaContextWithOIDC, id: string) =>
    readOnce(ctx, `Account:${id}`, () => accountById(kernel, id));
  const activeAccount = async (ctx: KoaContextWithOIDC, id: string) => {
    const account = await accountIn(ctx, id);
    return account && account.status === 'active' ? account : undefined;
  };

  /** The level this request needs, from the client, the request and the staff rule. */
  const levelFor = (ctx: KoaContextWithOIDC, staff: boolean) =>
    requiredLevel({
      clientRequires: (ctx.oidc.client as Client | undefined)?.mmuso_required_acr,
      acrValues: ctx.oidc.params?.acr_values,
      claimsAcr: (ctx.oidc.claims as { id_token?: { acr?: unknown } } | undefined)?.id_token?.acr,
      staff,
    });

  // oidc-provider advertises acr values but does not enforce them: this check does, asking for
  // the login prompt again (a step-up) while the session's level is below what is needed. It
  // replaces the library's exact-match acr checks, since our levels are ordered.
  const { Check, base } = interactionPolicy;
  const policy = base();
  const loginPrompt = policy.get('login');
  loginPrompt?.checks.remove('essential_acrs');
  loginPrompt?.checks.remove('essential_acr');
  loginPrompt?.checks.add(
    new Check('mmuso_level', 'the sign-in is below the level this service needs', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return Check.NO_NEED_TO_PROMPT;
      const account = await activeAccount(ctx, accountId);
      if (!account) return Check.REQUEST_PROMPT;
      const achieved = isAcr(ctx.oidc.acr) ? ctx.oidc.acr : undefined;
      return meets(achieved, levelFor(ctx, account.kind === 'staff'))
        ? Check.NO_NEED_TO_PROMPT
        : Check.REQUEST_PROMPT;
    }),
  );
  /**
   * Staff sessions and refresh tokens live 15 minutes from their last use (every save renews
   * them). The account is known only where the provider loaded it; elsewhere a session keeps the
   * expiry it has, so a request that did not load the account never extends a staff session.
   */
  const staffLoaded = (ctx: KoaContextWithOIDC) =>
    (ctx.oidc?.account as { kind?: string } | undefined)?.kind === 'staff';
  const sessionTtl = (ctx: KoaContextWithOIDC, session: { exp?: number; accountId?: string }) => {
    if (staffLoaded(ctx)) return TTL.StaffIdle;
    const account = ctx.oidc?.account as { kind?: string } | undefined;
    if (!account && session.accountId && session.exp) {
      return Math.max(1, session.exp - Math.floor(Date.now() / 1000));
    }
    return TTL.Session;
  };

  const configuration: Configuration = {
    adapter: (name: string) => new PostgresAdapter(name, kernel.db, () => Provider.ctx),
    clients: [],
    jwks: { keys: settings.signingKeys as never },
    cookies: {
      keys: settings.cookieKeys,
      long: { sameSite: 'lax', signed: true },
      short: { sameSite: 'lax', signed: true },
    },
    scopes: [...SCOPES],
    // acr, amr and auth_time in every id_token, not only when asked for: a service must see how a
    // person signed in (the level, the methods, and whether through the national ID provider: amr `fed`).
    claims: { sid: null, iss: null, ...SCOPE_CLAIMS, openid: ['sub', 'acr', 'amr', 'auth_time'] } as never,
    acrValues: [...ACR_VALUES],
    subjectTypes: ['public', 'pairwise'],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: TTL.AccessToken,
      AuthorizationCode: TTL.AuthorizationCode,
      IdToken: TTL.IdToken,
      Interaction: TTL.Interaction,
      Grant: TTL.Grant,
      Session: sessionTtl as never,
      RefreshToken: ((ctx: KoaContextWithOIDC) =>
        staffLoaded(ctx) ? TTL.StaffIdle : TTL.RefreshToken) as never,
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'PS256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'EdDSA', 'PS256', 'RS256'],
    } as never,
    extraClientMetadata: {
      properties: ['mmuso_sector', 'mmuso_allowed_claims', 'mmuso_name_st', 'mmuso_required_acr'],
    },
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form, ctx.oidc.client?.clientName);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = loggedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, client, oneOf) =>
          oneOf ?? (client.scope?.split(' ').includes('api') ? api : undefined),
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== api || !client.scope?.split(' ').includes('api')) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: api,
            accessTokenTTL: TTL.AccessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    async findAccount(ctx, id) {
      const account = await activeAccount(ctx, id);
      if (!account) return undefined;
      return {
        accountId: account.id,
        kind: account.kind,
        async claims(_use, scope) {
          const client = ctx.oidc.client as Client | undefined;
          const allowed = new Set(client?.mmuso_allowed_claims ?? ['sub']);
          // Nothing outside the client's allow-list is ever released, whatever was granted.
          const claims: Record<string, unknown> = Object.fromEntries(
            Object.entries(accountClaims(account)).filter(([name]) => name === 'sub' || allowed.has(name)),
          );
          // Claims from the civil register, for a linked account only, each on the allow-list and
          // under a granted scope; one audited read names what went to whom.
          const scopes = scope.split(' ');
          const wanted = Object.keys(REGISTER_CLAIMS).filter(
            (name) => allowed.has(name) && scopes.some((s) => SCOPE_CLAIMS[s]?.includes(name)),
          );
          const personId = account.personId;
          if (personId && wanted.length) {
            const person = await change(kernel, { actor: systemActor('login') }, (c) =>
              readPerson(c, personId, `${wanted.join(', ')} released to ${client?.clientId} at sign-in`),
            );
            for (const name of wanted) claims[name] = REGISTER_CLAIMS[name]?.(person);
          }
          return claims as { sub: string };
        },
      };
    },
    async pairwiseIdentifier(ctx, accountId, client) {
      const sector = (client as Client).mmuso_sector;
      if (!sector) throw new Error(`client ${client.clientId} has no sector`);
      const account = await accountIn(ctx, accountId);
      return pairwiseSubject(
        kernel,
        settings,
        { id: accountId, personId: account?.personId ?? null },
        sector,
        sectorCache,
      );
    },
    async extraTokenClaims(ctx, token) {
      // Only access tokens for the platform API carry the actor claims src/core/http/tokens.ts reads.
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const account = await activeAccount(ctx, token.accountId);
      if (!account) return undefined;
      return {
        mmuso_actor: account.kind,
        ...(account.kind === 'staff'
          ? { roles: account.roles, ministry: account.ministry, office: account.office }
          : {}),
      };
    },
    formats: {
      customizers: {
        // The platform API knows callers by account id; only clients allowed the `api` scope (the
        // portal and other services the platform runs itself) get such tokens.
        async jwt(_ctx, token, jwt) {
          const accountId = (token as { accountId?: string }).accountId;
          if (jwt.payload.aud === api && accountId) jwt.payload.sub = accountId;
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(out as unknown as Record<string, string>);
    },
  };
  const provider = new Provider(`${config.publicUrl}/oidc`, configuration);
  provider.proxy = config.NODE_ENV === 'production' && Boolean(config.PUBLIC_URL);
  // Client secrets are stored as SHA-256 only: compare the hash of what is presented.
  const proto = provider.Client.prototype as unknown as {
    clientSecret?: string;
    compareClientSecret(this: { clientSecret?: string }, actual: string): boolean;
  };
  proto.compareClientSecret = function (actual: string) {
    return secretMatches(this.clientSecret, actual);
  };
  return provider;
}

export type { KoaContextWithOIDC };
