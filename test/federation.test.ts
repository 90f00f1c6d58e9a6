import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/actors/index.js';
import { change } from '../src/core/kernel/index.js';
import { linkAccountToPerson, registerClient, signUp } from '../src/modules/auth/index.js';
import { identitySettings, registerPerson } from '../src/modules/identity/index.js';
import { freePort } from './support/child-server.js';
import { CookieJar } from './support/cookie-jar.js';
import { createTestApp, type TestApp } from './support/kernel.js';
import { authorizationRequest } from './support/sign-in.js';

/**
 * Federated sign-in end to end, with two platforms in one test: `upstream` (a second instance of
 * our own provider) stands in for MOSIP eSignet and is configured as the external provider of
 * `ours`; a ministry's service signs in at `ours` with openid-client. The upstream is reached
 * through a pass-through proxy (the network in between), which can swap a token response's
 * id_token to show that one minted for another audience is refused.
 */
const execute = [oidc.allowInsecureRequests];
let upstream: TestApp;
let ours: TestApp;
let proxy: http.Server;
let upstreamUrl: string; // through the proxy
let oursUrl: string;
let keyDir: string;
let swapIdToken: string | undefined;
const RP_REDIRECT = 'https://health.example.gov.ls/cb';
let rpSecret: string;
let otherRpSecret: string;

interface Citizen {
  uin: string;
  personId: string;
  login: string;
  password: string;
}

/** The same person in both civil registers under one UIN (as with eSignet and our register). */
async function personInBoth(givenNames: string, login: string, inOurs = true): Promise<Citizen> {
  const person = {
    givenNames,
    surname: 'Mokoena',
    sex: 'F' as const,
    dateOfBirth: '1991-03-12',
    placeOfBirth: { district: 'A', village: 'Ha Thetsane' },
  };
  const register = (t: TestApp) =>
    change(t.kernel, { actor: systemActor('test') }, (c) =>
      registerPerson(c, identitySettings(t.kernel.config), person),
    );
  const up = await register(upstream);
  let uin = up.person.uin as string;
  let personId = '';
  if (inOurs) {
    const here = await register(ours);
    uin = here.person.uin as string;
    personId = here.person.id;
    await upstream.kernel.db.query('UPDATE identity.persons SET uin = $1 WHERE id = $2', [uin, up.person.id]);
  }
  const password = 'Sehlabathebe-Park-2026';
  await change(upstream.kernel, { actor: systemActor('test') }, async (c) => {
    const account = await signUp(c, { login, password });
    await linkAccountToPerson(c, account.id, up.person.id, 'checked in person (test)');
  });
  return { uin, personId, login, password };
}

async function listenOn(t: TestApp, port: number, host: string) {
  await t.app.listen({ port, host });
}

beforeAll(async () => {
  const [upstreamPort, proxyPort, oursPort] = [await freePort(), await freePort(), await freePort()];
  upstreamUrl = `http://localhost:${proxyPort}`;
  oursUrl = `http://127.0.0.1:${oursPort}`;

  const pair = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(pair.privateKey);
  privateJwk.kid = await calculateJwkThumbprint(privateJwk);
  privateJwk.alg = 'ES256';
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-federation-'));
  const keyFile = path.join(keyDir, 'federation.jwk.json');
  fs.writeFileSync(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });

  upstream = await createTestApp({ PUBLIC_URL: upstreamUrl, RATE_LIMIT_PER_MINUTE: '0' });
  await listenOn(upstream, upstreamPort, '127.0.0.1');
  proxy = http.createServer((request, response) => {
    const forwarded = http.request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      async (answer) => {
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        let body = Buffer.concat(chunks);
        if (swapIdToken && request.url?.startsWith('/oidc/token') && answer.statusCode === 200) {
          body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), id_token: swapIdToken }));
          swapIdToken = undefined;
        }
        response.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': body.length });
        response.end(body);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));

  await change(upstream.kernel, { actor: systemActor('test') }, async (c) => {
    const { d: _d, ...publicJwk } = privateJwk;
    await registerClient(c, {
      clientId: 'mmuso-lesotho',
      name: { en: 'Mmuso', st: 'Mmuso' },
      redirectUris: [`${oursUrl}/auth/federation/callback`],
      authMethod: 'private_key_jwt',
      jwks: { keys: [{ ...publicJwk, use: 'sig' }] },
      sector: 'national-id',
      scopes: ['openid', 'uin'],
    });
    ({ secret: otherRpSecret } = (await registerClient(c, {
      clientId: 'other-rp',
      name: { en: 'Another service', st: 'Tšebeletso e ’ngoe' },
      redirectUris: ['https://other.example.gov.ls/cb'],
      authMethod: 'client_secret_basic',
      sector: 'other',
      scopes: ['openid', 'uin'],
    })) as { secret: string });
  });

  ours = await createTestApp({
    PUBLIC_URL: oursUrl,
    RATE_LIMIT_PER_MINUTE: '0',
    FEDERATION_ISSUER: `${upstreamUrl}/oidc`,
    FEDERATION_CLIENT_ID: 'mmuso-lesotho',
    FEDERATION_PRIVATE_KEY_FILE: keyFile,
    FEDERATION_SCOPE: 'openid uin',
    FEDERATION_UIN_CLAIM: 'uin',
    FEDERATION_NAME: 'Test ID',
  });
  await listenOn(ours, oursPort, '127.0.0.1');
  ({ secret: rpSecret } = (await change(ours.kernel, { actor: systemActor('test') }, (c) =>
    registerClient(c, {
      clientId: 'health-rp',
      name: { en: 'Health appointments', st: 'Likopano tsa bophelo' },
      redirectUris: [RP_REDIRECT],
      authMethod: 'client_secret_basic',
      sector: 'health',
      scopes: ['openid'],
    }),
  )) as { secret: string });
});

afterAll(async () => {
  await ours?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await upstream?.close();
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
});

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const uidOf = (page: string, action: string) =>
  new RegExp(`/interaction/([\\w-]+)/${action}`).exec(page)?.[1] as string;
/** Stops before leaving our two servers (at the service's redirect URI). */
const foreign = (next: URL) => next.origin !== oursUrl && next.origin !== upstreamUrl;
/** Stops when the upstream sends the browser back to us. */
const backAtOurs = (next: URL) => next.pathname === '/auth/federation/callback' || foreign(next);

async function rpStart(jar: CookieJar) {
  const config = await oidc.discovery(new URL(`${oursUrl}/oidc`), 'health-rp', rpSecret, undefined, {
    execute,
  });
  const { url, verifier, state } = await authorizationRequest(config, {
    redirect_uri: RP_REDIRECT,
    scope: 'openid',
  });
  const page = await jar.follow(url, foreign);
  return { config, verifier, state, page };
}

/** From our sign-in page to the upstream's, signed in there, up to its consent page. */
async function signInUpstream(jar: CookieJar, signInPage: string, who: Citizen) {
  const uid = uidOf(signInPage, 'federation');
  expect(uid, 'the sign-in page offers the national ID').toBeTruthy();
  const upstreamPage = await jar.follow(`${oursUrl}/interaction/${uid}/federation`, backAtOurs);
  expect(upstreamPage.url.origin).toBe(upstreamUrl);
  const upUid = uidOf(upstreamPage.body, 'login');
  const consent = await jar.follow(`${upstreamUrl}/interaction/${upUid}/login`, backAtOurs, {
    csrf: csrfOf(upstreamPage.body),
    login: who.login,
    password: who.password,
  });
  return { uid, consent };
}

/** Allows (or denies) at the upstream's consent page; returns where it sends the browser back to us. */
async function decideUpstream(jar: CookieJar, consentPage: string, decision: 'allow' | 'deny') {
  const back = await jar.follow(
    `${upstreamUrl}/interaction/${uidOf(consentPage, 'consent')}/consent`,
    backAtOurs,
    { csrf: csrfOf(consentPage), decision },
  );
  expect(back.stoppedAt?.pathname).toBe('/auth/federation/callback');
  return back.stoppedAt as URL;
}

/** A person (new) through the upstream's sign-in and decision, up to the answer it sends back to us. */
async function upToUpstreamAnswer(givenNames: string, decision: 'allow' | 'deny', inOurs = true) {
  const who = await personInBoth(givenNames, `${givenNames.toLowerCase()}@id.example.ls`, inOurs);
  const jar = new CookieJar();
  const { page } = await rpStart(jar);
  const { uid, consent } = await signInUpstream(jar, page.body, who);
  return { jar, uid, decide: () => decideUpstream(jar, consent.body, decision) };
}

const accounts = async () =>
  (
    await ours.kernel.db.query<{ id: string; person_id: string | null; login_kind: string }>(
      'SELECT id, person_id, login_kind FROM auth.accounts ORDER BY id',
    )
  ).map((r) => `${r.id}:${r.person_id}:${r.login_kind}`);

describe('federated sign-in through an external OpenID provider', () => {
  it('signs a person in through the upstream, links the account by UIN, and the service gets its tokens', async () => {
    const lineo = await personInBoth('Lineo', 'lineo@id.example.ls');
    const subs: string[] = [];
    for (let round = 0; round < 2; round++) {
      const jar = new CookieJar();
      const { config, verifier, state, page } = await rpStart(jar);
      expect(page.body).toContain('Sign in with Test ID');
      const { consent } = await signInUpstream(jar, page.body, lineo);
      if (round === 0) expect(consent.body).toContain('Your national identity number (UIN)');
      const back = consent.stoppedAt ?? (await decideUpstream(jar, consent.body, 'allow'));
      const ourConsent = await jar.follow(back, foreign);
      const done =
        ourConsent.stoppedAt ??
        (
          await jar.follow(`${oursUrl}/interaction/${uidOf(ourConsent.body, 'consent')}/consent`, foreign, {
            csrf: csrfOf(ourConsent.body),
            decision: 'allow',
          })
        ).stoppedAt;
      expect(done?.origin).toBe('https://health.example.gov.ls');
      const tokens = await oidc.authorizationCodeGrant(config, done as URL, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const claims = tokens.claims() as oidc.IDToken;
      expect(claims.acr).toBe('urn:mmuso:loa:substantial');
      expect(claims.amr).toContain('fed');
      expect((await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).sub).toBe(claims.sub);
      subs.push(claims.sub);
    }
    // One account, linked to the person; its sub is the person's sector token for health.
    const linked = await ours.kernel.db.query<{
      id: string;
      login_kind: string;
      password_hash: string | null;
    }>('SELECT id, login_kind, password_hash FROM auth.accounts WHERE person_id = $1', [lineo.personId]);
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ login_kind: 'federated', password_hash: null });
    const [token] = await ours.kernel.db.query<{ token: string }>(
      `SELECT token FROM identity.sector_tokens WHERE person_id = $1 AND sector = 'health'`,
      [lineo.personId],
    );
    expect(subs).toEqual([token?.token, token?.token]);
  });

  describe('refusals show a page and create or link no account', () => {
    let before: string[];
    const expectNothingChanged = async () => expect(await accounts()).toEqual(before);

    it('a callback whose state is not ours (or was already used)', async () => {
      const { jar, decide } = await upToUpstreamAnswer('Palesa', 'allow');
      before = await accounts();
      const back = await decide();
      const forged = new URL(back);
      forged.searchParams.set('state', 'not-the-state-we-sent');
      const refused = await jar.follow(forged, foreign);
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('This sign-in has expired or was already used');
      // The genuine answer still works once; replayed, it is refused.
      const once = await jar.follow(back, foreign);
      expect(once.status).toBe(200);
      expect(once.body).toContain('wants to know about you');
      const replayed = await jar.follow(back, foreign);
      expect(replayed.status).toBe(400);
      expect(replayed.body).toContain('This sign-in has expired or was already used');
      before = await accounts();
    });

    it('an answer naming another issuer', async () => {
      const { jar, uid, decide } = await upToUpstreamAnswer('Mpho', 'allow');
      before = await accounts();
      const back = await decide();
      expect(back.searchParams.get('iss')).toBe(`${upstreamUrl}/oidc`);
      back.searchParams.set('iss', 'https://impostor.example.org/oidc');
      const refused = await jar.follow(back, foreign);
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('could not be checked, so it was not used');
      expect(refused.body).toContain(`href="/interaction/${uid}"`);
      await expectNothingChanged();
    });

    it('an id_token minted for another audience', async () => {
      const who = await personInBoth('Thabo', 'thabo@id.example.ls');
      // A genuine id_token of the upstream for the same person, issued to another service.
      const other = await oidc.discovery(
        new URL(`${upstreamUrl}/oidc`),
        'other-rp',
        otherRpSecret,
        undefined,
        {
          execute,
        },
      );
      const jar = new CookieJar();
      const { url, verifier, state } = await authorizationRequest(other, {
        redirect_uri: 'https://other.example.gov.ls/cb',
        scope: 'openid uin',
      });
      const signIn = await jar.follow(url, foreign);
      const consent = await jar.follow(
        `${upstreamUrl}/interaction/${uidOf(signIn.body, 'login')}/login`,
        foreign,
        {
          csrf: csrfOf(signIn.body),
          login: who.login,
          password: who.password,
        },
      );
      const callback = await jar.follow(
        `${upstreamUrl}/interaction/${uidOf(consent.body, 'consent')}/consent`,
        foreign,
        { csrf: csrfOf(consent.body), decision: 'allow' },
      );
      const foreignTokens = await oidc.authorizationCodeGrant(other, callback.stoppedAt as URL, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(foreignTokens.claims()?.aud).toBe('other-rp');

      before = await accounts();
      const browser = new CookieJar();
      const { page } = await rpStart(browser);
      const { consent: upstreamConsent } = await signInUpstream(browser, page.body, who);
      const back = await decideUpstream(browser, upstreamConsent.body, 'allow');
      swapIdToken = foreignTokens.id_token;
      const refused = await browser.follow(back, foreign);
      expect(swapIdToken, 'the proxy swapped the id_token').toBeUndefined();
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('could not be checked, so it was not used');
      await expectNothingChanged();
    });

    it('an error answer from the upstream (the person said no there)', async () => {
      const { jar, decide } = await upToUpstreamAnswer('Nthabiseng', 'deny');
      before = await accounts();
      const back = await decide();
      expect(back.searchParams.get('error')).toBe('access_denied');
      const refused = await jar.follow(back, foreign);
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('did not sign you in');
      await expectNothingChanged();
    });

    it('a UIN our civil register does not hold, in Sesotho', async () => {
      const { jar, uid, decide } = await upToUpstreamAnswer('Rethabile', 'allow', false);
      before = await accounts();
      await jar.request(`${oursUrl}/interaction/${uid}?lang=st`);
      const back = await decide();
      const refused = await jar.follow(back, foreign);
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('<html lang="st">');
      expect(refused.body).toContain('ha e eo ngolisong ea sechaba');
      await expectNothingChanged();
    });
  });
});
