import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, systemActor } from '../../src/core/actors/index.js';
import { change } from '../../src/core/kernel/index.js';
import {
  confirmTotp,
  enrolTotp,
  loadFactorKeys,
  totpCode,
  totpStep,
} from '../../src/modules/auth/factors/index.js';
import { ACR, registerClient, signUp } from '../../src/modules/auth/index.js';
import { hasChromium, launchBrowser, relyingPartyPage } from '../support/browser.js';
import { freePort } from '../support/child-server.js';
import { createTestApp, type TestApp } from '../support/kernel.js';
import { authorizationRequest } from '../support/sign-in.js';

/**
 * Signing in with a password and an authenticator-app code in Debian's Chromium: the pages work
 * without script under the strict CSP, the code step shows its error summary, and the service
 * gets an id_token at `substantial`.
 */
let t: TestApp;
let browser: Browser;
let issuer: string;
let secret = '';
let totpSecret = '';
const redirect = 'https://permits.example.gov.ls/cb';
const person = { login: 'nthabiseng@example.org', password: 'Ts’ehlanyane-Park-1058' };

describe.skipIf(!hasChromium)('sign-in with an authenticator app in a real browser', () => {
  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    issuer = `${base}/oidc`;
    t = await createTestApp({ PUBLIC_URL: base, RATE_LIMIT_PER_MINUTE: '0' });
    await t.app.listen({ port, host: '127.0.0.1' });
    ({ secret } = (await change(t.kernel, { actor: systemActor('test') }, (c) =>
      registerClient(c, {
        clientId: 'permits-test',
        name: { en: 'Building permits', st: 'Litumello tsa kaho' },
        redirectUris: [redirect],
        authMethod: 'client_secret_basic',
        sector: 'permits',
      }),
    )) as { secret: string });
    // The person enrolled an app earlier (the server reads the same factor keys from DATA_DIR).
    const keys = loadFactorKeys(t.dataDir);
    const account = await change(t.kernel, { actor: anonymous }, (c) => signUp(c, person));
    const enrolment = await change(t.kernel, { actor: anonymous }, (c) =>
      enrolTotp(c, keys, { accountId: account.id, login: account.login }),
    );
    totpSecret = enrolment.secret;
    await change(t.kernel, { actor: anonymous }, (c) =>
      confirmTotp(c, keys, { accountId: account.id, code: totpCode(totpSecret, totpStep(t.clock.now())) }),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('password, then a wrong code corrected, then consent: back at the service at substantial', {
    timeout: 60_000,
  }, async () => {
    const { context, page, problems, returned } = await relyingPartyPage(
      browser,
      'https://permits.example.gov.ls',
    );
    const config = await oidc.discovery(new URL(issuer), 'permits-test', secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const { url, verifier, state } = await authorizationRequest(config, {
      redirect_uri: redirect,
      scope: 'openid',
    });
    await page.goto(url.href);
    await page.getByLabel('Phone number or e-mail address').fill(person.login);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('h1').textContent()).toBe('Enter the code from your authenticator app');
    await page.getByLabel('Code from your authenticator app').fill('123 456');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#code');
    expect(await page.locator('.error-summary').textContent()).toContain('This code is not right');
    // The next time step: the enrolment's code was used once already.
    t.clock.advance(30_000);
    await page
      .getByLabel('Code from your authenticator app')
      .fill(totpCode(totpSecret, totpStep(t.clock.now())));
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('h1').textContent()).toBe('Building permits wants to know about you');
    await page.getByRole('button', { name: 'Allow and continue' }).click();
    await page.waitForURL('https://permits.example.gov.ls/**');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(returned.url as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({ acr: ACR.substantial, amr: ['pwd', 'otp', 'mfa'] });
    expect(problems).toEqual([]);
    await context.close();
  });
});
