import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/actors/index.js';
import { admits } from '../src/core/http/index.js';
import { change } from '../src/core/kernel/index.js';
import { totpCode, totpStep } from '../src/modules/auth/factors/index.js';
import {
  ACR,
  type ClientInput,
  createStaffAccount,
  linkAccountToPerson,
  parseLogin,
  registerClient,
} from '../src/modules/auth/index.js';
import { registerDeath } from '../src/modules/identity/index.js';
import { hasChromium, launchBrowser, relyingPartyPage } from './support/browser.js';
import { freePort } from './support/child-server.js';
import { actors, createTestApp, type TestApp } from './support/kernel.js';
import { lastCodeSentTo } from './support/outbox.js';
import { authorizationRequest } from './support/sign-in.js';

/**
 * The national login driven end to end by an independent relying-party library (openid-client 6)
 * against a listening server: sign-up and sign-in through the pages (plain form posts with a
 * cookie jar, as a browser without JavaScript would), consent, code + PKCE, id_token checked
 * against the JWKS, userinfo, and an API call with the access token.
 */
let t: TestApp;
let base: string;
let issuer: string;
const secrets = new Map<string, string>();

const execute = [oidc.allowInsecureRequests];

async function addClient(input: Omit<ClientInput, 'name'> & { clientId: string }) {
  const { secret } = await change(t.kernel, { actor: systemActor('test') }, (c) =>
    registerClient(c, {
      name: { en: `Service ${input.clientId}`, st: `Tšebeletso ${input.clientId}` },
      ...input,
    }),
  );
  if (secret) secrets.set(input.clientId, secret);
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  issuer = `${base}/oidc`;
  t = await createTestApp({ PUBLIC_URL: base, RATE_LIMIT_PER_MINUTE: '0' });
  await t.app.listen({ port, host: '127.0.0.1' });
  await addClient({
    clientId: 'portal-test',
    redirectUris: ['https://portal.example.gov.ls/callback'],
    postLogoutRedirectUris: ['https://portal.example.gov.ls/'],
    authMethod: 'client_secret_basic',
    sector: 'portal',
    scopes: ['openid', 'offline_access', 'email', 'phone', 'api'],
  });
  await addClient({
    clientId: 'health-test',
    redirectUris: ['https://health.example.gov.ls/cb'],
    authMethod: 'client_secret_basic',
    sector: 'health',
    scopes: ['openid', 'phone'],
    claims: ['phone_number'],
  });
});
afterAll(() => t?.close());

/** Just enough of a browser: cookies by name and path, redirects followed by hand. */
class Browser {
  private cookies = new Map<string, { value: string; path: string }>();

  private cookieHeader(url: URL): string {
    return [...this.cookies.entries()]
      .filter(
        ([, c]) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map(([name, c]) => `${name.split('|')[0]}=${c.value}`)
      .join('; ');
  }

  /** A cookie's value by name (any path). */
  cookie(name: string): string | undefined {
    return [...this.cookies.entries()].find(([key]) => key.split('|')[0] === name)?.[1].value;
  }

  private store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(`${name}|${path}`);
      else this.cookies.set(`${name}|${path}`, { value, path });
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const target = new URL(url, base);
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(target),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.store(response);
    const body = await response.text();
    return {
      status: response.status,
      location: response.headers.get('location'),
      body,
      headers: response.headers,
    };
  }

  /** Follows redirects within our server; stops at the first page or at a foreign location. */
  async follow(url: string) {
    let response = await this.request(url);
    for (let hops = 0; hops < 10 && response.location; hops++) {
      const next = new URL(response.location, base);
      if (next.origin !== base) return { ...response, final: next };
      response = await this.request(next.toString());
    }
    return { ...response, final: undefined };
  }
}

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

async function configFor(clientId: string) {
  const secret = secrets.get(clientId) as string;
  return oidc.discovery(new URL(issuer), clientId, secret, oidc.ClientSecretBasic(secret), { execute });
}

interface Started {
  browser: Browser;
  verifier: string;
  state: string;
  page: Awaited<ReturnType<Browser['follow']>>;
  redirectUri: string;
}

async function startLogin(
  config: oidc.Configuration,
  redirectUri: string,
  scope: string,
  options: { browser?: Browser; par?: boolean; resource?: string; prompt?: string } = {},
): Promise<Started> {
  const { url, verifier, state } = await authorizationRequest(
    config,
    {
      redirect_uri: redirectUri,
      scope,
      ...(options.resource ? { resource: options.resource } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    },
    { par: options.par ?? false },
  );
  const browser = options.browser ?? new Browser();
  const page = await browser.follow(url.toString());
  return { browser, verifier, state, page, redirectUri };
}

type Page = Awaited<ReturnType<Browser['follow']>>;
/** What a sign-in does between the password and the consent page (a second factor, an enrolment). */
type SecondStep = (browser: Browser, page: Page) => Promise<Page>;

/**
 * From the sign-in page: sign up (or sign in), the second step when one is asked for, then allow
 * on the consent page; returns the callback URL.
 */
async function completeLogin(
  started: Started,
  credentials: { login: string; password: string },
  mode: 'signup' | 'signin',
  secondStep?: SecondStep,
): Promise<URL> {
  const { browser } = started;
  let { page } = started;
  if (page.body.includes('name="password"')) {
    const uid = /\/interaction\/([\w-]+)\/login/.exec(page.body)?.[1];
    expect(uid).toBeTruthy();
    let formPage = page.body;
    if (mode === 'signup') formPage = (await browser.request(`/interaction/${uid}/signup`)).body;
    const posted = await browser.request(`/interaction/${uid}/${mode === 'signup' ? 'signup' : 'login'}`, {
      form: { csrf: csrfOf(formPage), ...credentials },
    });
    expect(posted.status, posted.body).toBe(303);
    page = await browser.follow(posted.location as string);
    if (mode === 'signup') page = await verifyLogin(browser, page, credentials.login);
  }
  if (secondStep && !page.final) page = await secondStep(browser, page);
  if (page.final) return page.final;
  expect(page.body).toContain('action="/interaction/');
  const uid = /\/interaction\/([\w-]+)\/consent/.exec(page.body)?.[1];
  const allowed = await browser.request(`/interaction/${uid}/consent`, {
    form: { csrf: csrfOf(page.body), decision: 'allow' },
  });
  expect(allowed.status, allowed.body).toBe(303);
  const done = await browser.follow(allowed.location as string);
  expect(done.final, done.body).toBeDefined();
  return done.final as URL;
}

const citizen = { login: '+266 5811 2233', password: 'Ntate-Moshoeshoe-1786' };

/** Registers a person in the civil register through its API, as a registrar would. */
async function registerInIdentity(person: Record<string, unknown>): Promise<{ id: string; uin: string }> {
  const registered = await t.app.inject({
    method: 'POST',
    url: '/api/v1/identity/births',
    headers: await t.as(actors.staff(['registrar'])),
    payload: { person },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  return (registered.json() as { person: { id: string; uin: string } }).person;
}

const uidOf = (body: string) => /\/interaction\/([\w-]+)\//.exec(body)?.[1] as string;

/** Posts one of the page's forms (with its CSRF token) to a step of its interaction. */
function postStep(browser: Browser, page: { body: string }, step: string, form: Record<string, string> = {}) {
  return browser.request(`/interaction/${uidOf(page.body)}/${step}`, {
    form: { csrf: csrfOf(page.body), ...form },
  });
}

/** The authenticator app's code now (the server's clock), or some steps later. */
const appCode = (secret: string, stepsLater = 0) => totpCode(secret, totpStep(t.clock.now()) + stepsLater);

/** The newest code the platform sent to this phone (E.164) or e-mail address. */
const lastSmsCode = (to: string) => lastCodeSentTo(t.dataDir, to) as string;

/** After the sign-up form: the code sent to the login, typed back; the page after it. */
async function verifyLogin(browser: Browser, page: Page, login: string): Promise<Page> {
  expect(page.body).toContain('Enter the code we sent you');
  const parsed = parseLogin(login);
  const posted = await postStep(browser, page, 'verify', {
    code: lastSmsCode(parsed.ok ? parsed.login : login),
  });
  expect(posted.status, posted.body).toBe(303);
  return browser.follow(posted.location as string);
}

/** From the enrolment page: an authenticator app set up with its QR code, the recovery codes kept. */
async function enrolAuthenticator(browser: Browser, page: Page) {
  expect(page.body).toContain('Set up a second way to prove it is you');
  const qr = await postStep(browser, page, 'enrol/totp');
  expect(qr.status, qr.body).toBe(200);
  expect(qr.body).toContain('src="data:image/svg+xml;base64,');
  const secret = (/class="secret">([A-Z2-7 ]+)</.exec(qr.body)?.[1] ?? '').replaceAll(' ', '');
  const codes = await postStep(browser, qr, 'enrol/totp/confirm', { code: appCode(secret) });
  expect(codes.status, codes.body).toBe(200);
  const recovery = [...codes.body.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code>/g)].map(
    (m) => m[1] as string,
  );
  const done = await postStep(browser, codes, 'continue');
  expect(done.status, done.body).toBe(303);
  return { secret, codes: recovery, page: await browser.follow(done.location as string) };
}

/** Enters a code on the second-factor page; the page after it (or the refusal). */
async function enterCode(browser: Browser, page: { body: string }, method: string, code: string) {
  const posted = await postStep(browser, page, 'factor', { method, code });
  if (posted.status !== 303) return { ...posted, final: undefined };
  return browser.follow(posted.location as string);
}

describe('national login: code flow with PKCE through the pages', () => {
  let portalSub: string;

  it('signs up, consents, exchanges the code, validates the id_token, reads userinfo and calls the API', async () => {
    const config = await configFor('portal-test');
    const started = await startLogin(
      config,
      'https://portal.example.gov.ls/callback',
      'openid phone offline_access api',
      {
        resource: `${base}/api`,
        // offline_access (a refresh token) is granted only with prompt=consent (OpenID Connect Core 11).
        prompt: 'consent',
      },
    );
    expect(started.page.status).toBe(200);
    expect(started.page.body).toContain('Sign in to government services');
    expect(started.page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const callback = await completeLogin(started, citizen, 'signup');
    expect(callback.searchParams.get('error')).toBeNull();

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    // The id_token, checked independently against the published JWKS.
    const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    const { payload: idToken, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, {
      issuer,
      audience: 'portal-test',
    });
    expect(protectedHeader.alg).toBe('ES256');
    portalSub = idToken.sub as string;
    expect(portalSub).toBe(tokens.claims()?.sub);

    // The code exchange asked for no resource: this token is for userinfo.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, portalSub);
    expect(info.phone_number).toBe('+26658112233');
    // Sign-up sent a code to that number and it came back.
    expect(info.phone_number_verified).toBe(true);
    expect(info.email).toBeUndefined();
    const [session] = await t.kernel.db.query<{ seconds: number }>(
      `SELECT extract(epoch FROM s.expires_at - now())::int AS seconds FROM auth.oidc_store s
       JOIN auth.accounts a ON a.id::text = s.payload->>'accountId' WHERE s.model = 'Session' AND a.login = '+26658112233'`,
    );
    expect(session?.seconds).toBeGreaterThan(7 * 3600);

    const [refresh] = await t.kernel.db.query<{ days: number }>(
      `SELECT extract(epoch FROM expires_at - now()) / 86400 AS days FROM auth.oidc_store
       WHERE model = 'RefreshToken' AND id = $1`,
      [tokens.refresh_token],
    );
    expect(Number(refresh?.days)).toBeGreaterThan(13.9);
    // Refresh with the API as resource: a JWT for /api/v1, and the refresh token rotates.
    const api = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: `${base}/api`,
    });
    expect(api.refresh_token).toBeDefined();
    expect(api.refresh_token).not.toBe(tokens.refresh_token);
    const { payload: at } = await jwtVerify(api.access_token, jwks, { issuer, audience: `${base}/api` });
    expect(at.mmuso_actor).toBe('citizen');
    const call = await fetch(`${base}/api/v1/announcements`, {
      headers: { authorization: `Bearer ${api.access_token}` },
    });
    expect(call.status).toBe(200);
    // Verified and known as a citizen: a registrar's route refuses it with 403, not 401.
    const staffOnly = await fetch(`${base}/api/v1/identity/adjudications`, {
      headers: { authorization: `Bearer ${api.access_token}` },
    });
    expect(staffOnly.status).toBe(403);
    // The old refresh token is spent.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('signs in again (pushed authorization request) and gets the same sub', async () => {
    const config = await configFor('portal-test');
    const started = await startLogin(config, 'https://portal.example.gov.ls/callback', 'openid phone', {
      par: true,
    });
    const callback = await completeLogin(started, citizen, 'signin');
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    expect(tokens.claims()?.sub).toBe(portalSub);
  });

  it('a staff account gets a token with its roles, which a registrar route accepts', async () => {
    await change(t.kernel, { actor: systemActor('test') }, (c) =>
      createStaffAccount(c, {
        login: 'registrar@home-affairs.gov.ls',
        password: 'Registrar-Desk-Maseru-7',
        roles: ['registrar'],
        ministry: 'home-affairs',
        office: 'maseru-hq',
      }),
    );
    const config = await configFor('portal-test');
    const started = await startLogin(
      config,
      'https://portal.example.gov.ls/callback',
      'openid api offline_access',
      {
        resource: `${base}/api`,
        prompt: 'consent',
      },
    );
    // First sign-in of a staff member: the second factor is set up before anything else.
    let enrolled: Awaited<ReturnType<typeof enrolAuthenticator>> | undefined;
    const callback = await completeLogin(
      started,
      { login: 'Registrar@Home-Affairs.gov.ls', password: 'Registrar-Desk-Maseru-7' },
      'signin',
      async (browser, page) => {
        expect(page.body).toContain('Government staff sign in with a password and a second proof');
        enrolled = await enrolAuthenticator(browser, page);
        return enrolled.page;
      },
    );
    expect(enrolled?.codes).toHaveLength(10);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: started.verifier, expectedState: started.state },
      { resource: `${base}/api` },
    );
    expect(tokens.claims()).toMatchObject({ acr: ACR.substantial, amr: ['pwd', 'otp', 'mfa'] });
    // Idle timeout: a staff session lives 15 minutes from its last use (a citizen's 8 hours).
    const sessions = await t.kernel.db.query<{ account: string; seconds: number }>(
      `SELECT payload->>'accountId' AS account, extract(epoch FROM expires_at - now())::int AS seconds
       FROM auth.oidc_store WHERE model = 'Session' AND payload->>'accountId' IS NOT NULL`,
    );
    const [staffId] = await t.kernel.db.query<{ id: string }>(
      `SELECT id FROM auth.accounts WHERE kind = 'staff'`,
    );
    const staffSession = sessions.find((row) => row.account === staffId?.id);
    expect(staffSession?.seconds).toBeGreaterThan(14 * 60);
    expect(staffSession?.seconds).toBeLessThanOrEqual(15 * 60);
    // A staff refresh token too: 15 minutes, renewed only by using it (a citizen's lives 14 days).
    const refreshLife = async (token: string) => {
      const [row] = await t.kernel.db.query<{ seconds: number }>(
        `SELECT extract(epoch FROM expires_at - now())::int AS seconds FROM auth.oidc_store
         WHERE model = 'RefreshToken' AND id = $1`,
        [token],
      );
      return row?.seconds;
    };
    expect(tokens.refresh_token).toBeDefined();
    expect(await refreshLife(tokens.refresh_token as string)).toBeGreaterThan(14 * 60);
    expect(await refreshLife(tokens.refresh_token as string)).toBeLessThanOrEqual(15 * 60);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: `${base}/api`,
    });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await refreshLife(refreshed.refresh_token as string)).toBeLessThanOrEqual(15 * 60);
    expect(await refreshLife(refreshed.refresh_token as string)).toBeGreaterThan(14 * 60);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: `${base}/api`,
    });
    expect(payload).toMatchObject({ mmuso_actor: 'staff', roles: ['registrar'], ministry: 'home-affairs' });
    const response = await fetch(`${base}/api/v1/identity/adjudications`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('pairwise subjects', () => {
  it('two sectors get two different, stable subs for the same person', async () => {
    const { id: personId } = await registerInIdentity({
      givenNames: 'Lineo',
      surname: 'Mohapi',
      sex: 'F',
      dateOfBirth: '1990-05-04',
      placeOfBirth: { district: 'A', village: 'Ha Abia' },
    });
    const person = { login: 'lineo@example.org', password: 'Maloti-Mountains-2026' };

    const subs: Record<string, string[]> = { 'portal-test': [], 'health-test': [] };
    const browser = new Browser();
    let accountLinked = false;
    for (let round = 0; round < 2; round++) {
      for (const clientId of ['portal-test', 'health-test'] as const) {
        const config = await configFor(clientId);
        const redirect =
          clientId === 'portal-test'
            ? 'https://portal.example.gov.ls/callback'
            : 'https://health.example.gov.ls/cb';
        const started = await startLogin(config, redirect, 'openid', {
          browser: round === 0 ? new Browser() : browser,
        });
        const callback = await completeLogin(started, person, accountLinked ? 'signin' : 'signup');
        if (!accountLinked) {
          const [account] = await t.kernel.db.query<{ id: string }>(
            `SELECT id FROM auth.accounts WHERE login = 'lineo@example.org'`,
          );
          await change(t.kernel, { actor: systemActor('test') }, (c) =>
            linkAccountToPerson(c, account?.id as string, personId, 'checked in person (test)'),
          );
          accountLinked = true;
        }
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: started.verifier,
          expectedState: started.state,
        });
        subs[clientId]?.push(tokens.claims()?.sub as string);
      }
    }
    const [portal1, portal2] = subs['portal-test'] as string[];
    const [health1, health2] = subs['health-test'] as string[];
    // The first portal login happened before the link (account-derived sub); after it, stable.
    expect(health1).toBe(health2);
    expect(portal2).toBeDefined();
    expect(portal2).not.toBe(health2);
    expect(portal1).not.toBe(health1);
    // The person's sub is their Identity sector token for the client's sector.
    const [token] = await t.kernel.db.query<{ token: string }>(
      `SELECT token FROM identity.sector_tokens WHERE person_id = $1 AND sector = 'health'`,
      [personId],
    );
    expect(health1).toBe(token?.token);
  });
});

describe('refusals change nothing', () => {
  const redirect = 'https://portal.example.gov.ls/callback';
  const signedIn = new Browser();

  /** A code for the signed-in citizen (the session and the grant exist: no page in between). */
  async function freshCode(config: oidc.Configuration) {
    const started = await startLogin(config, redirect, 'openid phone', { browser: signedIn });
    const callback = started.page.final ?? (await completeLogin(started, citizen, 'signin'));
    return { ...started, callback };
  }
  const count = async (model: string) =>
    Number(
      (
        await t.kernel.db.query<{ n: string }>(`SELECT count(*) AS n FROM auth.oidc_store WHERE model = $1`, [
          model,
        ])
      )[0]?.n,
    );

  it('an unregistered redirect_uri is refused at the provider, with no interaction started', async () => {
    const config = await configFor('portal-test');
    const before = await count('Interaction');
    const started = await startLogin(config, 'https://portal.example.gov.ls/elsewhere', 'openid');
    expect(started.page.status).toBe(400);
    expect(started.page.body).toContain('redirect_uri');
    expect(started.page.final).toBeUndefined();
    expect(await count('Interaction')).toBe(before);
  });

  it('a wrong PKCE verifier or a wrong client secret is refused, and the code still works once after', async () => {
    const config = await configFor('portal-test');
    const { callback, verifier, state } = await freshCode(config);
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    const wrongSecret = await oidc.discovery(new URL(issuer), 'portal-test', 'not-the-secret', undefined, {
      execute,
    });
    await expect(
      oidc.authorizationCodeGrant(wrongSecret, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.access_token).toBeTruthy();
  });

  it('a replayed code is refused with invalid_grant and the tokens it gave are revoked', async () => {
    const config = await configFor('portal-test');
    const { callback, verifier, state } = await freshCode(config);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const sub = tokens.claims()?.sub as string;
    expect((await oidc.fetchUserInfo(config, tokens.access_token, sub)).sub).toBe(sub);
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toBeDefined();
  });

  it('two concurrent redemptions of one code: exactly one succeeds', async () => {
    const config = await configFor('portal-test');
    const { callback, verifier, state } = await freshCode(config);
    const results = await Promise.allSettled(
      [1, 2, 3].map(() =>
        oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('a form posted without its CSRF token is refused', async () => {
    const config = await configFor('portal-test');
    const started = await startLogin(config, redirect, 'openid');
    const uid = /\/interaction\/([\w-]+)\/login/.exec(started.page.body)?.[1];
    const posted = await started.browser.request(`/interaction/${uid}/login`, {
      form: { csrf: 'forged', ...citizen },
    });
    expect(posted.status).toBe(403);
    expect(posted.body).toContain('The form expired');
  });
});

describe('sign-in protection', () => {
  const redirect = 'https://portal.example.gov.ls/callback';

  async function attempt(login: string, password: string) {
    const config = await configFor('portal-test');
    const started = await startLogin(config, redirect, 'openid');
    const uid = /\/interaction\/([\w-]+)\/login/.exec(started.page.body)?.[1];
    const begun = performance.now();
    const posted = await started.browser.request(`/interaction/${uid}/login`, {
      form: { csrf: csrfOf(started.page.body), login, password },
    });
    const ms = performance.now() - begun;
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(posted.body)?.[0] ?? '';
    return { status: posted.status, summary, ms };
  }

  it('the same answer, after the same work, for an unknown login and a wrong password', async () => {
    const known = { login: 'timing@example.org', password: 'Morija-Museum-1833' };
    await completeLogin(
      await startLogin(await configFor('portal-test'), redirect, 'openid'),
      known,
      'signup',
    );
    const wrong: Awaited<ReturnType<typeof attempt>>[] = [];
    const unknown: Awaited<ReturnType<typeof attempt>>[] = [];
    // Four each: one short of the lockout.
    for (let i = 0; i < 4; i++) {
      wrong.push(await attempt(known.login, `not-my-password-${i}`));
      unknown.push(await attempt(`+266 5899 000${i}`, `not-my-password-${i}`));
    }
    for (const r of [...wrong, ...unknown]) {
      expect(r.status).toBe(401);
      expect(r.summary).toBe(wrong[0]?.summary);
    }
    expect(wrong[0]?.summary).toContain('The phone number or e-mail address, or the password, is not right');
    // Both spend one argon2id check (12-15 ms here); without the dummy hash an unknown login
    // would answer in a millisecond or two.
    const median = (rs: { ms: number }[]) =>
      rs.map((r) => r.ms).sort((a, b) => a - b)[rs.length / 2] as number;
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.4);
  });

  it('sign-up does not tell whether a login is taken: same answer, the owner is told instead, no code works', async () => {
    const owner = { login: '+266 5833 4411', password: 'Bokong-Nature-Reserve-7' };
    await completeLogin(
      await startLogin(await configFor('portal-test'), redirect, 'openid'),
      owner,
      'signup',
    );
    const [before] = await t.kernel.db.query(`SELECT * FROM auth.accounts WHERE login = '+26658334411'`);
    async function signUpAs(login: string) {
      const started = await startLogin(await configFor('portal-test'), redirect, 'openid');
      const form = await started.browser.request(`/interaction/${uidOf(started.page.body)}/signup`);
      const begun = performance.now();
      const posted = await postStep(started.browser, form, 'signup', {
        login,
        password: 'Someone-Else-Tries-42',
      });
      const ms = performance.now() - begun;
      const page = await started.browser.follow(posted.location as string);
      const shape = page.body
        .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
        .replace(/value="[^"]+"/g, '');
      return { status: posted.status, page, shape, browser: started.browser, ms };
    }
    const taken: Awaited<ReturnType<typeof signUpAs>>[] = [];
    const fresh: Awaited<ReturnType<typeof signUpAs>>[] = [];
    for (let i = 0; i < 5; i++) {
      taken.push(await signUpAs('5833 4411'));
      fresh.push(await signUpAs(`5833 44${20 + i}`));
    }
    for (const [a, b] of taken.map((x, i) => [x, fresh[i]] as const)) {
      expect(a.status).toBe(b?.status);
      expect(a.shape.replace('+26658334411', 'LOGIN')).toBe(b?.shape.replace(/\+2665833442\d/, 'LOGIN'));
    }
    // The owner got a notice, not a code; whatever is typed, no account changes hands.
    const notice = fs
      .readFileSync(path.join(t.dataDir, 'sms-outbox.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { to: string; text: string })
      .filter((m) => m.to === '+26658334411')
      .at(-1);
    expect(notice?.text).toContain('You already have one: sign in instead');
    const guess = await postStep(taken[0]?.browser as Browser, taken[0]?.page as Page, 'verify', {
      code: '123456',
    });
    expect(guess.status).toBe(400);
    expect(guess.body).toContain('This code is not right');
    const [after] = await t.kernel.db.query(`SELECT * FROM auth.accounts WHERE login = '+26658334411'`);
    expect(after).toEqual(before);
    // Both answers hash the password and send one message (a loose bound: the machine is shared).
    const median = (rs: { ms: number }[]) => rs.map((r) => r.ms).sort((a, b) => a - b)[2] as number;
    expect(median(taken)).toBeGreaterThan(median(fresh) * 0.3);
    expect(median(fresh)).toBeGreaterThan(median(taken) * 0.3);
  });

  it('locks a login after repeated failures, known or not, with the same message', async () => {
    const victim = { login: 'lockme@example.org', password: 'Correct-Horse-Battery-9' };
    const config = await configFor('portal-test');
    await completeLogin(await startLogin(config, redirect, 'openid'), victim, 'signup');
    const known: number[] = [];
    const unknownLogin: number[] = [];
    let knownSummary = '';
    let unknownSummary = '';
    for (let i = 0; i < 5; i++) {
      const a = await attempt(victim.login, `wrong-password-${i}`);
      const b = await attempt('nobody-here@example.org', `wrong-password-${i}`);
      known.push(a.status);
      unknownLogin.push(b.status);
      knownSummary = a.summary;
      unknownSummary = b.summary;
    }
    expect(known).toEqual([401, 401, 401, 401, 429]);
    expect(unknownLogin).toEqual(known);
    expect(knownSummary).toContain('Too many failed attempts');
    expect(unknownSummary).toBe(knownSummary);
    // Locked: even the right password is refused until the lock ends.
    expect((await attempt(victim.login, victim.password)).status).toBe(429);
    t.clock.advance(2 * 60_000);
    const after = await attempt(victim.login, victim.password);
    expect(after.status).toBe(303);
  });
});

describe('death registration', () => {
  it('disables the person’s account (through the outbox): its tokens stop working and sign-in fails', async () => {
    const { id: personId, uin } = await registerInIdentity({
      givenNames: 'Teboho',
      surname: 'Letsie',
      sex: 'M',
      dateOfBirth: '1950-01-02',
      placeOfBirth: { district: 'B', village: 'Ha Ntsi' },
    });
    const person = { login: '+266 6234 5678', password: 'Thaba-Bosiu-Fortress-1824' };
    const config = await configFor('portal-test');
    const started = await startLogin(config, 'https://portal.example.gov.ls/callback', 'openid phone');
    const callback = await completeLogin(started, person, 'signup');
    const [account] = await t.kernel.db.query<{ id: string }>(
      `SELECT id FROM auth.accounts WHERE login = '+26662345678'`,
    );
    await change(t.kernel, { actor: systemActor('test') }, (c) =>
      linkAccountToPerson(c, account?.id as string, personId, 'checked in person (test)'),
    );
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const sub = tokens.claims()?.sub as string;
    expect((await oidc.fetchUserInfo(config, tokens.access_token, sub)).sub).toBe(sub);

    await change(t.kernel, { actor: actors.staff(['registrar']) }, (c) =>
      registerDeath(c, { uin, dateOfDeath: '2026-11-20' }, 'death reported by the family (test)'),
    );
    await t.kernel.events.dispatchOnce();
    const [row] = await t.kernel.db.query<{ status: string }>(
      `SELECT status FROM auth.accounts WHERE id = $1`,
      [account?.id],
    );
    expect(row?.status).toBe('disabled');
    await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toBeDefined();
    const again = await startLogin(config, 'https://portal.example.gov.ls/callback', 'openid');
    const uid = /\/interaction\/([\w-]+)\/login/.exec(again.page.body)?.[1];
    const posted = await again.browser.request(`/interaction/${uid}/login`, {
      form: { csrf: csrfOf(again.page.body), ...person },
    });
    expect(posted.status).toBe(401);
    expect(posted.body).toContain('The phone number or e-mail address, or the password, is not right');
  });
});

describe('private_key_jwt clients and Sesotho pages', () => {
  it('a client authenticating with a signed assertion gets its tokens', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'tax-1', alg: 'ES256', use: 'sig' };
    await addClient({
      clientId: 'tax-test',
      redirectUris: ['https://tax.example.gov.ls/cb'],
      authMethod: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
      sector: 'tax',
      scopes: ['openid'],
    });
    const config = await oidc.discovery(
      new URL(issuer),
      'tax-test',
      undefined,
      oidc.PrivateKeyJwt({ key: pair.privateKey, kid: 'tax-1' }),
      { execute },
    );
    const started = await startLogin(config, 'https://tax.example.gov.ls/cb', 'openid');
    expect(started.page.body).toContain('Service tax-test');
    const callback = await completeLogin(started, citizen, 'signin');
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    expect(tokens.claims()?.sub).toBeTruthy();
  });

  it('the sign-in page speaks Sesotho when asked', async () => {
    const config = await configFor('health-test');
    const started = await startLogin(config, 'https://health.example.gov.ls/cb', 'openid');
    const uid = /\/interaction\/([\w-]+)\/login/.exec(started.page.body)?.[1];
    const page = await started.browser.request(`/interaction/${uid}?lang=st`);
    expect(page.body).toContain('<html lang="st">');
    expect(page.body).toContain('Kena litšebeletsong tsa ’muso');
    expect(page.body).toContain('Tšebeletso health-test');
    expect(page.body).not.toMatch(/<script|style=/);
  });
});

describe('RP-initiated logout', () => {
  it('ends the session and returns to the registered post-logout address', async () => {
    const config = await configFor('portal-test');
    const browser = new Browser();
    const started = await startLogin(config, 'https://portal.example.gov.ls/callback', 'openid', { browser });
    const callback = await completeLogin(
      started,
      { login: 'leaving@example.org', password: 'Qiloane-Pinnacle-9' },
      'signup',
    );
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const end = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'https://portal.example.gov.ls/',
    });
    const page = await browser.request(end.toString());
    expect(page.status).toBe(200);
    expect(page.body).toContain('Do you want to sign out?');
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const confirmed = await browser.request(action, { form: { xsrf, logout: 'yes' } });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe('https://portal.example.gov.ls/');
    // Signed out: the next authorization request asks for the password again.
    const again = await startLogin(config, 'https://portal.example.gov.ls/callback', 'openid', { browser });
    expect(again.page.body).toContain('name="password"');
  });
});

describe.skipIf(!hasChromium)('in a real browser (Chromium)', () => {
  it('signs up with an error corrected on the way, consents and comes back with a code, with no CSP violation', {
    timeout: 60_000,
  }, async () => {
    const browser = await launchBrowser();
    try {
      const { context, page, problems, returned } = await relyingPartyPage(
        browser,
        'https://portal.example.gov.ls',
      );
      const config = await configFor('portal-test');
      const { url, verifier, state } = await authorizationRequest(config, {
        redirect_uri: 'https://portal.example.gov.ls/callback',
        scope: 'openid email',
      });
      await page.goto(url.href);
      expect(await page.locator('h1').textContent()).toBe('Sign in to government services');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Phone number or e-mail address').fill('Browser.User@Example.org');
      await page.getByLabel('Password').fill('password123');
      await page.getByRole('button', { name: 'Create account' }).click();
      // The error summary links to the field in error.
      expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#password');
      expect(await page.locator('.error-summary').textContent()).toContain('This password is too common');
      await page.getByLabel('Password').fill('Katse-Dam-Reservoir-1996');
      await page.getByRole('button', { name: 'Create account' }).click();
      // The address is proved by a code sent to it before the account exists.
      expect(await page.locator('h1').textContent()).toBe('Enter the code we sent you');
      await page.getByLabel('Code').fill(lastSmsCode('browser.user@example.org'));
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await page.locator('ul.claims').textContent()).toContain('Your e-mail address');
      await page.getByRole('button', { name: 'Allow and continue' }).click();
      await page.waitForURL('https://portal.example.gov.ls/**');
      expect(returned.url).toBeDefined();
      const tokens = await oidc.authorizationCodeGrant(config, new URL(returned.url as string), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub as string);
      expect(info.email).toBe('browser.user@example.org');
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});

describe('second factors and assurance levels', () => {
  const portal = 'https://portal.example.gov.ls/callback';
  const passports = 'https://passports.example.gov.ls/cb';
  const border = 'https://border.example.gov.ls/cb';
  const mpho = { login: 'mpho@example.org', password: 'Sani-Pass-Summit-2874' };
  let mphoId = '';
  let secret = '';
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    await addClient({
      clientId: 'passport-test',
      redirectUris: [passports],
      authMethod: 'client_secret_basic',
      sector: 'passports',
      requiredAcr: ACR.substantial,
    });
    await addClient({
      clientId: 'border-test',
      redirectUris: [border],
      authMethod: 'client_secret_basic',
      sector: 'border',
      requiredAcr: ACR.high,
    });
  });

  const accountId = async (login: string) =>
    (await t.kernel.db.query<{ id: string }>(`SELECT id FROM auth.accounts WHERE login = $1`, [login]))[0]
      ?.id as string;
  const sessionsOf = async (id: string) =>
    Number(
      (
        await t.kernel.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM auth.oidc_store WHERE model = 'Session' AND payload->>'accountId' = $1`,
          [id],
        )
      )[0]?.n,
    );
  /** Password accepted, second-factor page shown: where the refusal tests start. */
  async function atSecondFactor(clientId: string, redirect: string, person = mpho) {
    const started = await startLogin(await configFor(clientId), redirect, 'openid');
    const posted = await started.browser.request(`/interaction/${uidOf(started.page.body)}/login`, {
      form: { csrf: csrfOf(started.page.body), ...person },
    });
    expect(posted.status, posted.body).toBe(303);
    return { started, page: await started.browser.follow(posted.location as string) };
  }
  async function tokensFor(clientId: string, started: Started, callback: URL) {
    const config = await configFor(clientId);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const { payload } = await jwtVerify(
      tokens.id_token as string,
      createRemoteJWKSet(new URL(`${issuer}/jwks`)),
      {
        issuer,
        audience: clientId,
      },
    );
    return { config, tokens, idToken: payload };
  }

  it('login → enrol an authenticator app → consent → token → id_token (JWKS) → userinfo, at substantial', async () => {
    const started = await startLogin(await configFor('passport-test'), passports, 'openid');
    const callback = await completeLogin(started, mpho, 'signup', async (browser, page) => {
      // The service needs more than a password and the new account has no factor: set one up.
      expect(page.body).toContain('Service passport-test needs more than a password');
      const enrolled = await enrolAuthenticator(browser, page);
      secret = enrolled.secret;
      recoveryCodes = enrolled.codes;
      return enrolled.page;
    });
    const { config, tokens, idToken } = await tokensFor('passport-test', started, callback);
    expect(idToken).toMatchObject({ acr: ACR.substantial, amr: ['pwd', 'otp', 'mfa'] });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub as string);
    expect(info.sub).toBe(idToken.sub);
    mphoId = await accountId(mpho.login);
    expect(recoveryCodes).toHaveLength(10);
    // Only HMACs of the recovery codes are kept.
    const stored = await t.kernel.db.query<{ text: string }>(
      `SELECT to_jsonb(r)::text AS text FROM auth.recovery_codes r WHERE account_id = $1`,
      [mphoId],
    );
    for (const code of recoveryCodes)
      expect(stored.map((r) => r.text).join()).not.toContain(code.replace('-', ''));
  });

  it('an account with a factor is asked for it even by a low-assurance service; a reused code is refused', async () => {
    const { started, page } = await atSecondFactor('portal-test', portal);
    expect(page.body).toContain('Enter the code from your authenticator app');
    const before = await sessionsOf(mphoId);
    // The code of the enrolment's time step was used once already.
    const reused = await enterCode(started.browser, page, 'totp', appCode(secret));
    expect(reused.status).toBe(400);
    expect(reused.body).toContain('This code is not right or can no longer be used');
    const wrong = await enterCode(started.browser, reused, 'totp', '000000');
    expect(wrong.status).toBe(400);
    expect(await sessionsOf(mphoId)).toBe(before);
    t.clock.advance(30_000);
    const next = await enterCode(started.browser, wrong, 'totp', appCode(secret));
    const callback = await completeLogin({ ...started, page: next }, mpho, 'signin');
    const { idToken } = await tokensFor('portal-test', started, callback);
    expect(idToken.acr).toBe(ACR.substantial);
  });

  it('wrong codes lock the second factor too: even the right code waits for the lock to end', async () => {
    const { started, page } = await atSecondFactor('portal-test', portal);
    t.clock.advance(30_000);
    let current: { status: number; body: string } = page;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      current = await enterCode(started.browser, current, 'totp', `00000${i}`);
      statuses.push(current.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    expect(current.body).toContain('Too many attempts');
    const locked = await enterCode(started.browser, current, 'totp', appCode(secret));
    expect(locked.status).toBe(429);
    t.clock.advance(61_000);
    const after = await enterCode(started.browser, locked, 'totp', appCode(secret));
    expect(after.status).toBe(200);
    expect(after.body).toContain('wants to know about you');
  });

  it('a recovery code signs in once; used again it is refused', async () => {
    const first = await atSecondFactor('portal-test', portal);
    const page = await first.started.browser.request(
      `/interaction/${uidOf(first.page.body)}/factor?method=recovery`,
    );
    expect(page.body).toContain('Enter one of your recovery codes');
    const used = await enterCode(first.started.browser, page, 'recovery', recoveryCodes[0] as string);
    expect(used.status).toBe(200);
    const second = await atSecondFactor('portal-test', portal);
    const again = await enterCode(
      second.started.browser,
      second.page,
      'recovery',
      recoveryCodes[0] as string,
    );
    expect(again.status).toBe(400);
    expect(again.body).toContain('This code is not right or can no longer be used');
  });

  it('SMS codes: enrol a phone; an expired code is refused and changes nothing; a new one signs in', async () => {
    const person = { login: '+266 5877 1122', password: 'Maletsunyane-Falls-192' };
    const started = await startLogin(await configFor('passport-test'), passports, 'openid');
    const callback = await completeLogin(started, person, 'signup', async (browser, page) => {
      const phonePage = await browser.request(`/interaction/${uidOf(page.body)}/enrol/sms`);
      const bad = await postStep(browser, phonePage, 'enrol/sms', { phone: '2231 0000' });
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('Enter a mobile phone number like 58123456');
      const sent = await postStep(browser, bad, 'enrol/sms', { phone: '5877 1122' });
      expect(sent.body).toContain('+266 •••• ••22');
      const codes = await postStep(browser, sent, 'enrol/sms/confirm', { code: lastSmsCode('+26658771122') });
      expect(codes.status, codes.body).toBe(200);
      const done = await postStep(browser, codes, 'continue');
      return browser.follow(done.location as string);
    });
    expect((await tokensFor('passport-test', started, callback)).idToken.amr).toEqual(['pwd', 'sms', 'mfa']);

    const id = await accountId('+26658771122');
    const { started: again, page } = await atSecondFactor('portal-test', portal, person);
    expect(page.body).toContain('We sent a code by text message to +266 •••• ••22');
    const before = await sessionsOf(id);
    t.clock.advance(6 * 60_000);
    const expired = await enterCode(again.browser, page, 'sms', lastSmsCode('+26658771122'));
    expect(expired.status).toBe(400);
    expect(expired.body).toContain('This code is not right or can no longer be used');
    expect(await sessionsOf(id)).toBe(before);
    const resent = await postStep(again.browser, expired, 'factor/send');
    expect(resent.status).toBe(303);
    const fresh = await again.browser.follow(resent.location as string);
    const signedIn = await completeLogin(
      { ...again, page: await enterCode(again.browser, fresh, 'sms', lastSmsCode('+26658771122')) },
      person,
      'signin',
    );
    expect((await tokensFor('portal-test', again, signedIn)).idToken.acr).toBe(ACR.substantial);
  });

  it.each<{ asked: string; person: { login: string; password: string }; demand: Record<string, string> }>([
    {
      asked: 'acr_values',
      person: { login: 'stepup@example.org', password: 'Semonkong-Lodge-2419' },
      demand: { acr_values: ACR.substantial },
    },
    {
      asked: 'the claims parameter',
      person: { login: 'stepup-claims@example.org', password: 'Ketane-Falls-8830' },
      demand: { claims: JSON.stringify({ id_token: { acr: { essential: true, value: ACR.substantial } } }) },
    },
  ])(
    'step-up: a password session asked for substantial ($asked) gets only the second-factor step',
    async ({ person, demand }) => {
      const browser = new Browser();
      const config = await configFor('portal-test');
      const low = await startLogin(config, portal, 'openid', { browser });
      const first = await tokensFor('portal-test', low, await completeLogin(low, person, 'signup'));
      expect(first.idToken).toMatchObject({ acr: ACR.low, amr: ['pwd'] });
      const { url, verifier, state } = await authorizationRequest(config, {
        redirect_uri: portal,
        scope: 'openid',
        ...demand,
      });
      const sessionBefore = browser.cookie('_session');
      expect(sessionBefore).toBeDefined();
      const page = await browser.follow(url.href);
      expect(page.body).not.toContain('name="password"');
      const enrolled = await enrolAuthenticator(browser, page);
      const callback =
        enrolled.page.final ??
        (await completeLogin(
          { browser, verifier, state, page: enrolled.page, redirectUri: portal },
          person,
          'signin',
        ));
      const stepped = await tokensFor(
        'portal-test',
        { browser, verifier, state, page, redirectUri: portal },
        callback,
      );
      // The session id is replaced when the sign-in completes (session fixation).
      expect(browser.cookie('_session')).toBeDefined();
      expect(browser.cookie('_session')).not.toBe(sessionBefore);
      expect(stepped.idToken).toMatchObject({
        acr: ACR.substantial,
        amr: ['pwd', 'otp', 'mfa'],
        sub: first.idToken.sub,
      });
    },
  );

  it('every form of the sign-in steps refuses a forged CSRF token and changes nothing (routes from the table)', async () => {
    const person = { login: 'csrf-check@example.org', password: 'Liqhobong-Mine-6620' };
    const started = await startLogin(await configFor('passport-test'), passports, 'openid');
    const uid = uidOf(started.page.body);
    const signedUp = await started.browser.request(`/interaction/${uid}/signup`, {
      form: { csrf: csrfOf((await started.browser.request(`/interaction/${uid}/signup`)).body), ...person },
    });
    const enrol = await verifyLogin(
      started.browser,
      await started.browser.follow(signedUp.location as string),
      person.login,
    );
    expect(enrol.body).toContain('Set up a second way');
    const forms = t.app.routeAccess.filter(
      (r) => r.method === 'POST' && r.url.startsWith('/interaction/:uid/'),
    );
    expect(forms.length).toBeGreaterThan(8);
    for (const route of forms) {
      const forged = await started.browser.request(route.url.replace(':uid', uid), {
        form: { csrf: 'forged', code: '123456', phone: '58771199', decision: 'allow', ...person },
      });
      // No consent is pending yet: that form is refused before its token is even read.
      expect(forged.status, route.url).toBe(route.url.endsWith('/consent') ? 400 : 403);
    }
    const id = await accountId(person.login);
    expect(
      await t.kernel.db.query(`SELECT 1 FROM auth.factor_enrolments WHERE account_id = $1`, [id]),
    ).toEqual([]);
    expect(await sessionsOf(id)).toBe(0);
    // The real token still works.
    const page = await started.browser.request(`/interaction/${uid}/enrol`);
    expect((await postStep(started.browser, page, 'enrol/totp')).status).toBe(200);
  });

  it('acr too low: a service needing high refuses an unlinked account with unmet_authentication_requirements, and signs nobody in', async () => {
    const before = await sessionsOf(mphoId);
    const { started, page } = await atSecondFactor('border-test', border);
    expect(page.final?.origin).toBe('https://border.example.gov.ls');
    expect(page.final?.searchParams.get('error')).toBe('unmet_authentication_requirements');
    await expect(
      oidc.authorizationCodeGrant(await configFor('border-test'), page.final as URL, {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
      }),
    ).rejects.toMatchObject({ error: 'unmet_authentication_requirements' });
    expect(await sessionsOf(mphoId)).toBe(before);
  });

  it('a linked account with a second factor reaches high', async () => {
    const { id: personId } = await registerInIdentity({
      givenNames: 'Mpho',
      surname: 'Sekhonyana',
      sex: 'F',
      dateOfBirth: '1988-02-14',
      placeOfBirth: { district: 'C', village: 'Ha Ramabanta' },
    });
    await change(t.kernel, { actor: systemActor('test') }, (c) =>
      linkAccountToPerson(c, mphoId, personId, 'checked in person (test)'),
    );
    const { started, page } = await atSecondFactor('border-test', border);
    t.clock.advance(30_000);
    const callback = await completeLogin(
      { ...started, page: await enterCode(started.browser, page, 'totp', appCode(secret)) },
      mpho,
      'signin',
    );
    expect((await tokensFor('border-test', started, callback)).idToken).toMatchObject({ acr: ACR.high });
  });
});

/** The few answer fields these tests read. */
interface Answer {
  items: { clientId: string; scopes: string[] }[];
  errors: unknown;
  sentTo: string;
  accountId: string;
}
const json = (response: Response) => response.json() as Promise<Answer>;

describe('linking to the UIN, register claims and consents', () => {
  const portal = 'https://portal.example.gov.ls/callback';
  const profileRedirect = 'https://profile.example.gov.ls/cb';
  const palesa = { login: 'palesa@example.org', password: 'Mohale-Dam-Tunnel-1998' };
  const claims = { givenNames: 'Palesa', surname: 'Mokoena', dateOfBirth: '1993-07-21' };
  let uin = '';
  let apiToken = '';

  beforeAll(async () => {
    await addClient({
      clientId: 'profile-test',
      redirectUris: [profileRedirect],
      authMethod: 'client_secret_basic',
      sector: 'social-development',
      scopes: ['openid', 'profile'],
      // family_name is not on this client's allow-list: it is never released to it.
      claims: ['given_name', 'birthdate'],
    });
    ({ uin } = await registerInIdentity({
      ...claims,
      sex: 'F',
      placeOfBirth: { district: 'D', village: 'Ha Lejone' },
      phones: ['+266 5866 4455'],
    }));
  });

  /** Signs up (or in) at the portal with the API as resource: a citizen's real API token. */
  async function apiTokenOf(person: { login: string; password: string }, mode: 'signup' | 'signin') {
    const config = await configFor('portal-test');
    const started = await startLogin(config, portal, 'openid api', { resource: `${base}/api` });
    const callback = await completeLogin(started, person, mode);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: started.verifier, expectedState: started.state },
      { resource: `${base}/api` },
    );
    return tokens.access_token;
  }
  const api = (method: string, url: string, token: string, payload?: unknown) =>
    fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload ? { body: JSON.stringify(payload) } : {}),
    });

  it('links by a code sent to the register’s phone; a mismatch and an unknown UIN get the same answer', async () => {
    apiToken = await apiTokenOf(palesa, 'signup');
    const wrongName = await api('POST', '/api/v1/me/uin-link', apiToken, {
      uin,
      ...claims,
      surname: 'Mokone',
    });
    const unknownUin = await api('POST', '/api/v1/me/uin-link', apiToken, {
      ...claims,
      // A well-formed UIN nobody holds.
      uin: (await t.kernel.db.query<{ uin: string }>(`SELECT uin FROM identity.uin_pool LIMIT 1`))[0]?.uin,
    });
    expect(wrongName.status).toBe(422);
    expect(unknownUin.status).toBe(422);
    const [a, b] = [await json(wrongName), await json(unknownUin)];
    expect(a.errors).toEqual(b.errors);
    expect(JSON.stringify(a)).not.toMatch(/5866|Mokoena/);

    const started = await api('POST', '/api/v1/me/uin-link', apiToken, { uin, ...claims });
    expect(started.status).toBe(202);
    expect((await json(started)).sentTo).toBe('+266 •••• ••55');
    const wrong = await api('POST', '/api/v1/me/uin-link/confirm', apiToken, { code: '000000' });
    expect(wrong.status).toBe(422);
    const confirmed = await api('POST', '/api/v1/me/uin-link/confirm', apiToken, {
      code: lastSmsCode('+26658664455'),
    });
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    const [link] = await t.kernel.db.query<{ method: string; linked_by: { type: string } }>(
      `SELECT l.method, l.linked_by FROM auth.uin_links l JOIN auth.accounts a ON a.id = l.account_id
       WHERE a.login = $1`,
      [palesa.login],
    );
    expect(link).toMatchObject({ method: 'registry-code', linked_by: { type: 'citizen' } });
  });

  it('at a service centre a centre agent links an account and the evidence is recorded; one account per UIN', async () => {
    const other = { login: '+266 5912 7788', password: 'Thabana-Ntlenyana-3482' };
    const token = await apiTokenOf(other, 'signup');
    const { uin: otherUin } = await registerInIdentity({
      givenNames: 'Retšelisitsoe',
      surname: 'Ntsane',
      dateOfBirth: '1979-12-02',
      sex: 'M',
      placeOfBirth: { district: 'E', village: 'Ha Mohale' },
    });
    const body = {
      login: '59127788',
      uin: otherUin,
      givenNames: 'Retselisitsoe',
      surname: 'Ntsane',
      dateOfBirth: '1979-12-02',
      document: 'national-id',
      documentNumber: 'LS-ID-448812',
    };
    // A citizen, even the account's owner, cannot vouch for themselves.
    expect((await api('POST', '/api/v1/uin-links', token, body)).status).toBe(403);
    const agent = (await t.as(actors.staff(['centre_agent'], 'agent-7', 'mafeteng-centre'))).authorization;
    const linked = await fetch(`${base}/api/v1/uin-links`, {
      method: 'POST',
      headers: { authorization: agent, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(linked.status, await linked.clone().text()).toBe(201);
    const [link] = await t.kernel.db.query<{ method: string; evidence: Record<string, unknown> }>(
      `SELECT method, evidence FROM auth.uin_links WHERE account_id = $1`,
      [(await json(linked)).accountId],
    );
    expect(link).toMatchObject({
      method: 'in-person',
      evidence: { document: 'national-id', documentNumber: 'LS-ID-448812', office: 'mafeteng-centre' },
    });
    // Palesa's UIN is taken by her account: no second account for it.
    await apiTokenOf({ login: 'second-try@example.org', password: 'Letseng-Diamonds-0711' }, 'signup');
    const again = await fetch(`${base}/api/v1/uin-links`, {
      method: 'POST',
      headers: { authorization: agent, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, login: 'second-try@example.org', uin, ...claims }),
    });
    expect(again.status).toBe(409);
    expect(
      (
        await t.kernel.db.query(
          `SELECT 1 FROM auth.uin_links l JOIN identity.persons p ON p.id = l.person_id
        WHERE p.uin = $1`,
          [uin],
        )
      ).length,
    ).toBe(1);
  });

  it('register claims go only within the allow-list and the consent; a consent is listed and withdrawn', async () => {
    const config = await configFor('profile-test');
    const browser = new Browser();
    const started = await startLogin(config, profileRedirect, 'openid profile', { browser });
    let consentPage = '';
    const callback = await completeLogin(started, palesa, 'signin', async (_b, page) => {
      consentPage = page.body;
      return page;
    });
    expect(consentPage).toContain('Your first names, as in the civil register');
    expect(consentPage).toContain('Your date of birth');
    expect(consentPage).not.toContain('Your surname');
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const sub = tokens.claims()?.sub as string;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    expect(info).toMatchObject({ given_name: 'Palesa', birthdate: '1993-07-21' });
    expect(info.family_name).toBeUndefined();

    const listed = await json(await api('GET', '/api/v1/me/consents', apiToken));
    const ids = listed.items.map((c) => c.clientId);
    expect(ids).toEqual(expect.arrayContaining(['portal-test', 'profile-test']));
    const profile = listed.items.find((c) => c.clientId === 'profile-test');
    expect(profile?.scopes).toEqual(expect.arrayContaining(['openid', 'profile']));

    // Another citizen sees none of Palesa's consents and cannot withdraw them.
    const stranger = await apiTokenOf(
      { login: 'stranger@example.org', password: 'Qacha-Nek-Border-5541' },
      'signup',
    );
    const theirs = await json(await api('GET', '/api/v1/me/consents', stranger));
    expect(theirs.items.map((c) => c.clientId)).not.toContain('profile-test');
    expect((await api('DELETE', '/api/v1/me/consents/profile-test', stranger)).status).toBe(404);

    expect((await api('DELETE', '/api/v1/me/consents/profile-test', apiToken)).status).toBe(204);
    const after = await json(await api('GET', '/api/v1/me/consents', apiToken));
    expect(after.items.map((c) => c.clientId)).not.toContain('profile-test');
    // The grant's tokens are gone with it, and the service has to ask again.
    await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toBeDefined();
    const askAgain = await startLogin(config, profileRedirect, 'openid profile', { browser });
    expect(askAgain.page.body).toContain('wants to know about you');
  });

  it('the consents page lists what each service may have and withdraws it (CSRF-protected); nobody else sees it', async () => {
    const config = await configFor('profile-test');
    const browser = new Browser();
    const started = await startLogin(config, profileRedirect, 'openid profile', { browser });
    await completeLogin(started, palesa, 'signin');
    const page = await browser.request('/account/consents');
    expect(page.status).toBe(200);
    const item = /<li data-client="profile-test">[\s\S]*?<\/form><\/li>/.exec(page.body)?.[0] ?? '';
    expect(item).toContain('Service profile-test');
    expect(item).toContain('Your first names, as in the civil register');
    expect(item).not.toContain('Your surname');
    expect((await new Browser().request('/account/consents')).status).toBe(401);
    const forged = await browser.request('/account/consents/profile-test/withdraw', {
      form: { csrf: 'forged' },
    });
    expect(forged.status).toBe(403);
    const withdrawn = await browser.request('/account/consents/profile-test/withdraw', {
      form: { csrf: csrfOf(page.body) },
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toContain('Service profile-test can no longer get this');
    expect(withdrawn.body).not.toContain('data-client="profile-test"');
    const sesotho = await browser.request('/account/consents?lang=st');
    expect(sesotho.body).toContain('Litšebeletso tseo u li lumelletseng ho tseba ka uena');
  });

  it('a citizen’s token from the real login is refused by every route that does not admit citizens', async () => {
    const { payload } = await jwtVerify(apiToken, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: `${base}/api`,
    });
    const citizenActor = actors.citizen(payload.sub as string);
    const refusing = t.app.routeAccess.filter(
      (r) => !('public' in r.access) && r.method !== 'HEAD' && !admits(r.access, citizenActor),
    );
    expect(refusing.length).toBeGreaterThan(5);
    for (const route of refusing) {
      const url = route.url
        .replace(/:[A-Za-z]+/g, '01a23092-d4a0-73c6-abe2-456975cfe593')
        .replace(/\*$/, 'x');
      const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const response = await fetch(`${base}${url}`, {
        method: route.method,
        headers: {
          authorization: `Bearer ${apiToken}`,
          ...(withBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(withBody ? { body: '{}' } : {}),
      });
      expect(response.status, `${route.method} ${route.url}`).toBe(403);
    }
  });
});
