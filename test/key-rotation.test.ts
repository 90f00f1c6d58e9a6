import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/core/actors/index.js';
import { change } from '../src/core/kernel/index.js';
import { registerClient, rotateSigningKey } from '../src/modules/auth/index.js';
import { type ChildServer, freePort, ROOT, runNode, startServer } from './support/child-server.js';
import { createTestApp, type TestApp } from './support/kernel.js';
import { passwordSignIn } from './support/sign-in.js';

/**
 * `mmuso keys rotate` takes effect in running servers, without a restart: new tokens are signed
 * with the new key, tokens signed before stay valid while their key is published, and a retired
 * key leaves the JWKS (and its tokens stop working on the API).
 */
const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid as string;
const jwksKids = async (base: string) =>
  ((await (await fetch(`${base}/oidc/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const REDIRECT = 'https://portal.example.gov.ls/callback';

describe('signing key rotation in a running server', () => {
  let t: TestApp;
  let base: string;
  let secret: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ PUBLIC_URL: base, RATE_LIMIT_PER_MINUTE: '0', AUTH_KEYS_CHECK_SECONDS: '1' });
    await t.app.listen({ port, host: '127.0.0.1' });
    ({ secret } = (await change(t.kernel, { actor: systemActor('test') }, (c) =>
      registerClient(c, {
        clientId: 'portal-keys',
        name: { en: 'Portal', st: 'Portal' },
        redirectUris: [REDIRECT],
        authMethod: 'client_secret_basic',
        sector: 'portal',
        scopes: ['openid', 'api'],
      }),
    )) as { secret: string });
  });
  afterAll(() => t?.close());

  const signIn = (jar?: Awaited<ReturnType<typeof passwordSignIn>>['jar']) =>
    passwordSignIn({
      issuer: `${base}/oidc`,
      clientId: 'portal-keys',
      secret,
      redirectUri: REDIRECT,
      scope: 'openid api',
      resource: `${base}/api`,
      login: 'keys@example.org',
      password: 'Maletsunyane-Falls-192',
      signUp: !jar,
      dataDir: t.dataDir,
      ...(jar ? { jar } : {}),
    });
  const api = async (accessToken: string) =>
    (await fetch(`${base}/api/v1/announcements`, { headers: { authorization: `Bearer ${accessToken}` } }))
      .status;

  it('signs with the new key at once, keeps the old one published until it retires', async () => {
    const first = await signIn();
    const oldKid = kidOf(first.tokens.id_token as string);
    expect(kidOf(first.tokens.access_token)).toBe(oldKid);
    expect(await jwksKids(base)).toEqual([oldKid]);

    const { kid: newKid, retiring } = await rotateSigningKey(t.kernel.db);
    expect(retiring).toEqual([oldKid]);
    await until('the new key is published', async () => (await jwksKids(base)).includes(newKid));
    expect(await jwksKids(base)).toEqual([newKid, oldKid]);

    const second = await signIn(first.jar);
    expect(kidOf(second.tokens.id_token as string)).toBe(newKid);
    expect(kidOf(second.tokens.access_token)).toBe(newKid);
    // Both generations verify against the published keys, and both work on the API.
    const jwks = createRemoteJWKSet(new URL(`${base}/oidc/jwks`));
    for (const token of [first.tokens.id_token, second.tokens.id_token]) {
      await expect(jwtVerify(token as string, jwks, { issuer: `${base}/oidc` })).resolves.toBeDefined();
    }
    expect(await api(first.tokens.access_token)).toBe(200);
    expect(await api(second.tokens.access_token)).toBe(200);

    // Once the old key retires (its tokens have expired by then), it leaves the JWKS and the API.
    await t.kernel.db.query(
      `UPDATE auth.signing_keys SET retire_at = now() - interval '1 second' WHERE kid = $1`,
      [oldKid],
    );
    await until('the retired key is withdrawn', async () => !(await jwksKids(base)).includes(oldKid));
    expect(await api(first.tokens.access_token)).toBe(401);
    expect(await api(second.tokens.access_token)).toBe(200);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('`mmuso keys rotate` against PostgreSQL, two servers', () => {
  let t: TestApp;
  const servers: ChildServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-keys-'));
      dirs.push(dataDir);
      servers.push(
        await startServer({
          dataDir,
          databaseUrl: t.database.url,
          env: { AUTH_KEYS_CHECK_SECONDS: '1', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn' },
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const server of servers) await server.stop(10_000);
    await t?.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each running server publishes the key the command made, first (the signing one)', async () => {
    const before = await jwksKids(servers[0]?.url as string);
    const run = await runNode([path.join(ROOT, 'bin/mmuso.js'), 'keys', 'rotate'], {
      DATABASE_URL: t.database.url as string,
      DATA_DIR: dirs[0] as string,
      LOG_LEVEL: 'silent',
    });
    expect(run.code, run.stderr).toBe(0);
    const newKid = /New signing key (\S+)/.exec(run.stdout)?.[1] as string;
    expect(newKid).toBeTruthy();
    for (const server of servers) {
      await until(
        `server ${server.url} publishes the new key`,
        async () => (await jwksKids(server.url))[0] === newKid,
      );
      expect(await jwksKids(server.url)).toEqual([newKid, ...before]);
    }
  }, 60_000);
});
