import type { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, runNode } from './support/child-server.js';
import { createTestApp, type TestApp } from './support/kernel.js';
import { signInUntilCallback } from './support/sign-in.js';

/**
 * docs/login.md's worked example, step by step: the ministry's key pair, `mmuso clients add`
 * with its public JWKS and --dpop, discovery, a pushed authorization request, the code exchange
 * with private_key_jwt and DPoP, userinfo, a rotating refresh, and the logout URL.
 */
let t: TestApp;
let base: string;
let work: string;
const redirect = 'https://appointments.health.gov.ls/callback';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-example-'));
  t = await createTestApp({ PUBLIC_URL: base, RATE_LIMIT_PER_MINUTE: '0' });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the worked example of docs/login.md', () => {
  it('registers the ministry’s service and signs a person in with private_key_jwt, PAR and DPoP', async () => {
    // 1. The ministry's key pair.
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = 'health-appointments-2026-12';
    const jwks = path.join(work, 'health-public.jwks.json');
    fs.writeFileSync(
      jwks,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] }),
    );
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };

    // 2. `mmuso clients add`, against this server's database (PostgreSQL) or through the API of
    //    the module (PGlite allows one process per data folder).
    const args = [
      '--name',
      'Ministry of Health appointments',
      '--name-st',
      'Likopano tsa Lekala la Bophelo',
      '--redirect-uri',
      redirect,
      '--post-logout-uri',
      'https://appointments.health.gov.ls/',
      '--sector',
      'health',
      '--scope',
      'phone',
      '--scope',
      'offline_access',
      '--jwks',
      jwks,
      '--dpop',
      '--client-id',
      'health-appointments',
    ];
    if (t.database.url) {
      const run = await runNode([path.join(ROOT, 'bin/mmuso.js'), 'clients', 'add', ...args], {
        DATABASE_URL: t.database.url,
        DATA_DIR: work,
        LOG_LEVEL: 'silent',
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('auth method   private_key_jwt');
    } else {
      const { change } = await import('../src/core/kernel/index.js');
      const { systemActor } = await import('../src/core/actors/index.js');
      const { registerClient } = await import('../src/modules/auth/index.js');
      await change(t.kernel, { actor: systemActor('test') }, (c) =>
        registerClient(c, {
          clientId: 'health-appointments',
          name: { en: 'Ministry of Health appointments', st: 'Likopano tsa Lekala la Bophelo' },
          redirectUris: [redirect],
          postLogoutRedirectUris: ['https://appointments.health.gov.ls/'],
          authMethod: 'private_key_jwt',
          jwks: JSON.parse(fs.readFileSync(jwks, 'utf8')),
          sector: 'health',
          scopes: ['phone', 'offline_access'],
          dpopBound: true,
        }),
      );
    }

    // 3 and 4. Discovery, PAR, code exchange, userinfo, refresh, logout.
    const key = await importJWK(privateJwk, 'ES256');
    const auth = oidc.PrivateKeyJwt({ key: key as webcrypto.CryptoKey, kid });
    const discovered = await oidc.discovery(new URL(`${base}/oidc`), 'health-appointments', undefined, auth, {
      execute: [oidc.allowInsecureRequests],
    });
    const dpop = oidc.getDPoPHandle(discovered, await oidc.randomDPoPKeyPair('ES256'));
    const { callback, checks, config } = await signInUntilCallback({
      issuer: `${base}/oidc`,
      clientId: 'health-appointments',
      secret: auth,
      redirectUri: redirect,
      scope: 'openid phone offline_access',
      prompt: 'consent',
      par: true,
      dpop,
      login: '+266 5870 1234',
      password: 'Qacha-Nek-District-2026',
      signUp: true,
      dataDir: t.dataDir,
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, checks, undefined, { DPoP: dpop });
    const { sub, acr } = tokens.claims() as oidc.IDToken;
    expect(acr).toBe('urn:mmuso:loa:low');
    expect(tokens.token_type).toBe('dpop');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP: dpop });
    expect(info).toMatchObject({ sub, phone_number: '+26658701234' });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(
      oidc.refreshTokenGrant(config, tokens.refresh_token as string, undefined, { DPoP: dpop }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'https://appointments.health.gov.ls/',
    });
    expect(logout.pathname).toBe('/oidc/session/end');
  });
});
