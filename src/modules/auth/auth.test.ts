import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { systemActor } from '../../core/actors/index.js';
import { HttpProblem } from '../../core/http/index.js';
import { change } from '../../core/kernel/index.js';
import { lockMinutes, parseLogin, signIn, signUp } from './accounts.js';
import { PostgresAdapter } from './adapter.js';
import { clientMetadata, registerClient, secretMatches } from './clients.js';
import { rotateSigningKey, signingKeys } from './keys.js';
import { passwordProblem } from './passwords.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('passwords and logins', () => {
  it('refuses short and common passwords, whatever their case', () => {
    expect(passwordProblem('short-1')).toBe('too-short');
    expect(passwordProblem('Password123')).toBe('common');
    expect(passwordProblem('QWERTYUIOP')).toBe('common');
    expect(passwordProblem('lesotho2024')).toBe('common');
    expect(passwordProblem('Mokorotlo-on-the-hill')).toBeUndefined();
  });

  it('normalises logins: E.164 phones, lower-case e-mail', () => {
    expect(parseLogin('5812 3456')).toEqual({ ok: true, login: '+26658123456', kind: 'phone' });
    expect(parseLogin(' Palesa@Example.ORG ')).toEqual({
      ok: true,
      login: 'palesa@example.org',
      kind: 'email',
    });
    expect(parseLogin('not a login').ok).toBe(false);
  });

  it('locks progressively: 1, 2, 4 … minutes from the fifth failure, at most an hour', () => {
    expect([1, 4, 5, 6, 7, 12].map(lockMinutes)).toEqual([0, 0, 1, 2, 4, 60]);
  });

  it('one account per login; sign-in finds it whichever way the login is written', async () => {
    await change(t.kernel, { actor: systemActor('test') }, (c) =>
      signUp(c, { login: '+266 5800 1111', password: 'Sehlabathebe-Park-1' }),
    );
    await expect(
      change(t.kernel, { actor: systemActor('test') }, (c) =>
        signUp(c, { login: '58001111', password: 'Another-Password-22' }),
      ),
    ).rejects.toBeInstanceOf(HttpProblem);
    const result = await signIn(t.kernel, {
      login: '266-5800-1111',
      password: 'Sehlabathebe-Park-1',
      address: '10.0.0.1',
    });
    expect(result.ok).toBe(true);
    // Nobody sent a code to this login: it is not claimed as verified.
    expect(result.ok && result.account.loginVerifiedAt).toBeNull();
  });

  it('a login proven by a returned code is recorded as verified, with the time', async () => {
    const account = await change(t.kernel, { actor: systemActor('test') }, (c) =>
      signUp(c, { login: 'lineo@example.org', password: 'Maletsunyane-Falls-9', loginProven: true }),
    );
    expect(account.loginVerifiedAt).toEqual(account.createdAt);
  });

  it('refuses an address with too many failures, even with the right password', async () => {
    for (let i = 0; i < 50; i++) {
      await signIn(t.kernel, {
        login: `nobody${i}@example.org`,
        password: 'wrong-wrong-wrong',
        address: '10.9.9.9',
      });
    }
    const result = await signIn(t.kernel, {
      login: '58001111',
      password: 'Sehlabathebe-Park-1',
      address: '10.9.9.9',
    });
    expect(result).toEqual({ ok: false, reason: 'throttled' });
  });
});

describe('relying-party registry', () => {
  it('keeps only the SHA-256 of the secret and compares in constant time', async () => {
    const { client, secret } = await change(t.kernel, { actor: systemActor('test') }, (c) =>
      registerClient(c, {
        name: { en: 'Transport', st: 'Lipalangoang' },
        redirectUris: ['https://transport.gov.ls/cb'],
        authMethod: 'client_secret_basic',
        sector: 'transport',
      }),
    );
    expect(secret).toBeTruthy();
    expect(client.secretSha256).not.toContain(secret as string);
    expect(secretMatches(client.secretSha256, secret as string)).toBe(true);
    expect(secretMatches(client.secretSha256, `${secret}x`)).toBe(false);
    expect(clientMetadata(client)).toMatchObject({
      subject_type: 'pairwise',
      mmuso_sector: 'transport',
      scope: 'openid',
    });
  });

  it('refuses redirect URIs that are not https, on several hosts, or carry a fragment', async () => {
    const attempt = (redirectUris: string[]) =>
      change(t.kernel, { actor: systemActor('test') }, (c) =>
        registerClient(c, { name: { en: 'x', st: 'x' }, redirectUris, authMethod: 'none', sector: 'tax' }),
      );
    for (const uris of [
      ['http://tax.example/cb'],
      ['https://a.example/cb', 'https://b.example/cb'],
      ['https://a.example/cb#x'],
    ]) {
      await expect(attempt(uris)).rejects.toMatchObject({ status: 422 });
    }
  });
});

describe('PostgreSQL adapter for oidc-provider', () => {
  it('stores, finds by id and uid, and hides expired records', async () => {
    const sessions = new PostgresAdapter('Session', t.kernel.db);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a1' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'a1' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a1' });
    await sessions.upsert('s2', { uid: 'u2' }, 60);
    await t.kernel.db.query(
      `UPDATE auth.oidc_store SET expires_at = now() - interval '1 second' WHERE id = 's2'`,
    );
    expect(await sessions.find('s2')).toBeUndefined();
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('consumes a code once, atomically, even when redeemed concurrently', async () => {
    const codes = new PostgresAdapter('AuthorizationCode', t.kernel.db);
    const tokens = new PostgresAdapter('AccessToken', t.kernel.db);
    await codes.upsert('c1', { grantId: 'g1', kind: 'AuthorizationCode' }, 60);
    await tokens.upsert('t1', { grantId: 'g1', kind: 'AccessToken' }, 60);
    const results = await Promise.allSettled([codes.consume('c1'), codes.consume('c1'), codes.consume('c1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(errors.InvalidGrant);
    // A replay revokes what the grant gave.
    expect(await tokens.find('t1')).toBeUndefined();
  });

  it('marks a consumed record so the provider sees `consumed`', async () => {
    const codes = new PostgresAdapter('AuthorizationCode', t.kernel.db);
    await codes.upsert('c2', { grantId: 'g2' }, 60);
    await codes.consume('c2');
    expect((await codes.find('c2'))?.consumed).toEqual(expect.any(Number));
  });

  it('revokes every token of a grant', async () => {
    const refresh = new PostgresAdapter('RefreshToken', t.kernel.db);
    const access = new PostgresAdapter('AccessToken', t.kernel.db);
    await refresh.upsert('r3', { grantId: 'g3' }, 600);
    await access.upsert('a3', { grantId: 'g3' }, 60);
    await access.upsert('a4', { grantId: 'g4' }, 60);
    await access.revokeByGrantId('g3');
    expect(await refresh.find('r3')).toBeUndefined();
    expect(await access.find('a3')).toBeUndefined();
    expect(await access.find('a4')).toBeDefined();
  });

  it('reads a token with its grant in one statement, for that request only', async () => {
    const request = {};
    const grants = new PostgresAdapter('Grant', t.kernel.db, () => request);
    const access = new PostgresAdapter('AccessToken', t.kernel.db, () => request);
    await grants.upsert('g5', { accountId: 'not-an-account', clientId: 'c' }, 600);
    await access.upsert('a5', { grantId: 'g5', accountId: 'not-an-account' }, 60);
    expect(await access.find('a5')).toMatchObject({ grantId: 'g5' });
    // Removed behind this request's back: the request keeps what it read with its token...
    await t.kernel.db.query(`DELETE FROM auth.oidc_store WHERE model = 'Grant' AND id = 'g5'`);
    expect(await grants.find('g5')).toMatchObject({ clientId: 'c' });
    // ...the next request sees the grant is gone...
    expect(await new PostgresAdapter('Grant', t.kernel.db, () => ({})).find('g5')).toBeUndefined();
    // ...and a write within the request makes it read again.
    await grants.upsert('g5', { accountId: 'not-an-account', clientId: 'd' }, 600);
    expect(await grants.find('g5')).toMatchObject({ clientId: 'd' });
    await access.upsert('a6', { grantId: 'g5', accountId: 'not-an-account' }, 60);
    await access.find('a6');
    await t.kernel.db.query(`DELETE FROM auth.oidc_store WHERE model = 'Grant' AND id = 'g5'`);
    await access.revokeByGrantId('g5');
    expect(await grants.find('g5')).toBeUndefined();
  });
});

describe('signing keys', () => {
  it('rotation adds a key that signs first; the old one stays published until it retires', async () => {
    const [first] = await signingKeys(t.kernel.db);
    const { kid } = await rotateSigningKey(t.kernel.db);
    const keys = await signingKeys(t.kernel.db);
    expect(keys.map((k) => k.kid)).toEqual([kid, first?.kid]);
    await t.kernel.db.query(
      `UPDATE auth.signing_keys SET retire_at = now() - interval '1 second' WHERE kid = $1`,
      [first?.kid],
    );
    expect((await signingKeys(t.kernel.db)).map((k) => k.kid)).toEqual([kid]);
  });
});
