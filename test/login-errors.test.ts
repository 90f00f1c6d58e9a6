import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/actors/index.js';
import { change } from '../src/core/kernel/index.js';
import { type ClientInput, registerClient } from '../src/modules/auth/index.js';
import { freePort } from './support/child-server.js';
import { CookieJar } from './support/cookie-jar.js';
import { createTestApp, type TestApp } from './support/kernel.js';
import { authorizationRequest, type PasswordSignIn, signInUntilCallback } from './support/sign-in.js';

/**
 * Per-client options of the relying-party registry (DPoP-bound tokens, private_key_jwt keys,
 * allowed scopes) and the token endpoint's refusals that test/login-flow.test.ts does not cover
 * (that one has: unregistered redirect_uri at the authorization endpoint, wrong PKCE verifier,
 * wrong client secret, replayed code, concurrent redemptions). Each refusal carries its OAuth
 * error and issues nothing: the code still works once after it.
 */
let t: TestApp;
let base: string;
const secrets = new Map<string, string>();
let registeredKey: Awaited<ReturnType<typeof generateKeyPair>>;
const jar = new CookieJar();
const person = { login: 'errors@example.org', password: 'Semonkong-Lodge-3008' };
let signedUp = false;

async function addClient(input: Omit<ClientInput, 'name' | 'redirectUris'> & { clientId: string }) {
  const { secret } = await change(t.kernel, { actor: systemActor('test') }, (c) =>
    registerClient(c, {
      name: { en: input.clientId, st: input.clientId },
      redirectUris: [`https://${input.clientId}.example.gov.ls/cb`],
      ...input,
    }),
  );
  if (secret) secrets.set(input.clientId, secret);
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createTestApp({ PUBLIC_URL: base, RATE_LIMIT_PER_MINUTE: '0' });
  await t.app.listen({ port, host: '127.0.0.1' });
  registeredKey = await generateKeyPair('ES256', { extractable: true });
  await addClient({
    clientId: 'dpop-rp',
    authMethod: 'client_secret_basic',
    sector: 'dpop',
    dpopBound: true,
  });
  await addClient({
    clientId: 'jwt-rp',
    authMethod: 'private_key_jwt',
    jwks: {
      keys: [{ ...(await exportJWK(registeredKey.publicKey)), kid: 'jwt-rp-1', alg: 'ES256', use: 'sig' }],
    },
    sector: 'jwt',
  });
  await addClient({
    clientId: 'narrow-rp',
    authMethod: 'client_secret_basic',
    sector: 'narrow',
    scopes: ['openid'],
  });
});
afterAll(() => t?.close());

/** A code for the one citizen of this file (signed up on first use, then by session). */
function codeFor(clientId: string, extra: Partial<PasswordSignIn> = {}) {
  const options: PasswordSignIn = {
    issuer: `${base}/oidc`,
    clientId,
    secret: secrets.get(clientId) as string,
    redirectUri: `https://${clientId}.example.gov.ls/cb`,
    scope: 'openid',
    ...person,
    signUp: !signedUp,
    dataDir: t.dataDir,
    jar,
    ...extra,
  };
  signedUp = true;
  return signInUntilCallback(options);
}

const discover = (clientId: string, secret?: string, auth?: oidc.ClientAuth) =>
  oidc.discovery(new URL(`${base}/oidc`), clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });

const issued = async () =>
  Number(
    (
      await t.kernel.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM auth.oidc_store WHERE model IN ('AccessToken', 'RefreshToken')`,
      )
    )[0]?.n,
  );
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { error?: string; code?: string }) => error.error ?? error.code,
  );

describe('per-client options', () => {
  it('a DPoP-bound client: without a proof the exchange is refused; with one the tokens are bound to its key', async () => {
    const { callback, checks, config } = await codeFor('dpop-rp');
    const before = await issued();
    // oidc-provider answers invalid_grant ("DPoP proof JWT not provided"), before the code is spent.
    expect(await refusal(oidc.authorizationCodeGrant(config, callback, checks))).toBe('invalid_grant');
    expect(await issued()).toBe(before);

    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks, undefined, { DPoP: dpop });
    expect(tokens.token_type).toBe('dpop');
    const sub = tokens.claims()?.sub as string;
    expect((await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP: dpop })).sub).toBe(sub);
    // The same token as a plain bearer token is worth nothing.
    const asBearer = await fetch(`${base}/oidc/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(asBearer.status).toBe(401);
  });

  it('private_key_jwt: an assertion signed with a key not in the client’s JWKS is invalid_client', async () => {
    const stranger = await generateKeyPair('ES256');
    const { callback, checks } = await codeFor('jwt-rp', {
      secret: oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'jwt-rp-1' }),
    });
    const impostor = await discover(
      'jwt-rp',
      undefined,
      oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'jwt-rp-1' }),
    );
    const before = await issued();
    expect(await refusal(oidc.authorizationCodeGrant(impostor, callback, checks))).toBe('invalid_client');
    expect(await issued()).toBe(before);
    const genuine = await discover(
      'jwt-rp',
      undefined,
      oidc.PrivateKeyJwt({ key: registeredKey.privateKey, kid: 'jwt-rp-1' }),
    );
    const tokens = await oidc.authorizationCodeGrant(genuine, callback, checks);
    expect(tokens.access_token).toBeTruthy();
  });

  it('a scope outside the client’s allow-list is refused at the authorization endpoint', async () => {
    const config = await discover('narrow-rp', secrets.get('narrow-rp'));
    const { url } = await authorizationRequest(config, {
      redirect_uri: 'https://narrow-rp.example.gov.ls/cb',
      scope: 'openid email',
      state: 'narrow',
    });
    const answer = await jar.follow(url, (next) => next.origin !== base);
    expect(answer.stoppedAt?.searchParams.get('error')).toBe('invalid_scope');
    expect(answer.stoppedAt?.searchParams.get('code')).toBeNull();
  });
});

describe('token endpoint refusals issue nothing', () => {
  it('a redirect_uri other than the one the code was issued for is invalid_grant', async () => {
    const { callback, checks, config } = await codeFor('narrow-rp');
    const elsewhere = new URL(callback);
    elsewhere.pathname = '/somewhere-else';
    const before = await issued();
    expect(await refusal(oidc.authorizationCodeGrant(config, elsewhere, checks))).toBe('invalid_grant');
    expect(await issued()).toBe(before);
    expect((await oidc.authorizationCodeGrant(config, callback, checks)).access_token).toBeTruthy();
  });

  it('an unknown client, and a client presenting another client’s code, are refused', async () => {
    const { callback, checks } = await codeFor('narrow-rp');
    const unknown = await discover('nobody-rp', 'a-secret');
    const other = await discover('dpop-rp', secrets.get('dpop-rp'));
    const before = await issued();
    expect(await refusal(oidc.authorizationCodeGrant(unknown, callback, checks))).toBe('invalid_client');
    const dpop = oidc.getDPoPHandle(other, await oidc.randomDPoPKeyPair('ES256'));
    expect(
      await refusal(oidc.authorizationCodeGrant(other, callback, checks, undefined, { DPoP: dpop })),
    ).toBe('invalid_grant');
    expect(await issued()).toBe(before);
  });
});
