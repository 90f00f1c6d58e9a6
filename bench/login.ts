import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { type ChildServer, ROOT, runNode, type ServerOptions } from '../test/support/child-server.js';
import type { CookieJar } from '../test/support/cookie-jar.js';
import { passwordSignIn } from '../test/support/sign-in.js';
import { type LoadSettings, type LoadTarget, type Measurement, measureInTurns, type Row } from './measure.js';

/**
 * The login group (BENCH_ONLY=login): the token endpoint's code exchange and userinfo of the
 * national login, on PostgreSQL, each beside a bare Fastify route doing one ES256 JWT sign
 * (resp. verify) in bench/baseline-server.ts. Targets (issue 5): ≥ 400 code exchanges/s and
 * ≥ 2,500 userinfo/s on 2 cores; the ratio to the baseline is shown for scale.
 *
 * Setup, not measured: a relying party registered with `mmuso clients add`, one person signed
 * up through the pages (session and consent), then authorization codes made through the session
 * (GET /oidc/auth, no page) before the warm-up and before each round — a code lives 60 s and is
 * redeemed once, so each request of the load takes the next one — and 100 access tokens.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REDIRECT = 'https://bench.example.gov.ls/cb';
const VERIFIER = oidc.randomPKCECodeVerifier();

export interface LoginGroupContext {
  settings: LoadSettings;
  databaseUrl: string;
  start(label: string, options: ServerOptions): Promise<ChildServer>;
  tempDir(label: string): string;
  ourEnv: Record<string, string>;
  onRound(label: string, round: number, requestsPerSecond: number): void;
}

async function registerClient(databaseUrl: string, dataDir: string): Promise<string> {
  const run = await runNode(
    [
      path.join(ROOT, 'bin/mmuso.js'),
      'clients',
      'add',
      '--name',
      'Bench service',
      '--redirect-uri',
      REDIRECT,
      '--sector',
      'bench',
      '--client-id',
      'bench-rp',
    ],
    { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
  );
  const secret = /client_secret (\S+)/.exec(run.stdout)?.[1];
  if (run.code !== 0 || !secret) throw new Error(`mmuso clients add failed: ${run.stderr}`);
  return secret;
}

/** Codes for the signed-in person, made `parallel` at a time through the session. */
async function makeCodes(jar: CookieJar, issuer: string, count: number, parallel = 8): Promise<string[]> {
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'bench-rp',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'bench',
    code_challenge: await oidc.calculatePKCECodeChallenge(VERIFIER),
    code_challenge_method: 'S256',
  }).toString();
  const codes: string[] = [];
  const worker = async () => {
    while (codes.length < count) {
      const answer = await jar.request(url);
      const code = answer.location?.searchParams.get('code');
      if (!code) throw new Error(`no code: ${answer.status} ${answer.location} ${answer.body.slice(0, 200)}`);
      codes.push(code);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return codes;
}

const form = (code: string) =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  }).toString();

export async function loginGroup(context: LoginGroupContext): Promise<Row[]> {
  const { settings, databaseUrl } = context;
  const ours = await context.start('platform on PostgreSQL', {
    dataDir: context.tempDir('login'),
    databaseUrl,
    env: context.ourEnv,
  });
  const baseline = await context.start('baseline', {
    dataDir: context.tempDir('login-baseline'),
    entry: path.join(HERE, 'baseline-server.ts'),
    readyPath: '/health/live',
    env: { NODE_ENV: 'production' },
  });
  const issuer = `${ours.url}/oidc`;
  const secret = await registerClient(databaseUrl, context.tempDir('login-cli'));
  const basic = `Basic ${Buffer.from(`bench-rp:${encodeURIComponent(secret)}`).toString('base64')}`;
  const { jar } = await passwordSignIn({
    issuer,
    clientId: 'bench-rp',
    secret,
    redirectUri: REDIRECT,
    scope: 'openid',
    login: 'bench@example.org',
    password: 'Mohale-Dam-Bench-2026',
    signUp: true,
    dataDir: ours.dataDir,
  });

  // Access tokens for userinfo, from real exchanges (which also proves the exchange answers 200).
  const accessTokens: string[] = [];
  for (const code of await makeCodes(jar, issuer, 100)) {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(code),
    });
    const body = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || !body.access_token) throw new Error(`code exchange: ${response.status}`);
    accessTokens.push(body.access_token);
  }
  const baselineToken = (
    (await (
      await fetch(`${baseline.url}/baseline/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'code=bench',
      })
    ).json()) as { access_token: string }
  ).access_token;

  // Codes, first in first out, made just before they are needed (a code lives 60 s): twice what
  // the last round took, at least 600/s (the warm-up has no last round).
  const pool: string[] = [];
  let taken = 0;
  let takenBefore = 0;
  let lastSeconds = 0;
  const perRound = settings.seconds / settings.rounds;
  const refill = async (round: number) => {
    const seconds = round === 0 ? settings.warmupSeconds : perRound;
    const lastRate = lastSeconds ? (taken - takenBefore) / lastSeconds : 0;
    [takenBefore, lastSeconds] = [taken, seconds];
    const wanted = Math.ceil(Math.max(lastRate * 2, 600) * seconds);
    const began = Date.now();
    pool.push(...(await makeCodes(jar, issuer, Math.max(0, wanted - pool.length))));
    const made = ((Date.now() - began) / 1000).toFixed(1);
    console.log(
      `  ${pool.length} codes ready for ${round === 0 ? 'the warm-up' : `round ${round}`} (made in ${made} s)`,
    );
  };
  const exchange: LoadTarget = {
    url: `${issuer}/token`,
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    each: () => {
      taken++;
      return { body: form(pool.shift() ?? 'the-pool-ran-dry') };
    },
  };
  const baselineSign: LoadTarget = {
    url: `${baseline.url}/baseline/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    each: () => ({ body: 'code=bench' }),
  };
  console.log('\n(c) code exchange POST /oidc/token (client_secret_basic, PKCE) vs one JWT sign');
  const [oursToken, baseToken] = await measureInTurns(
    [exchange, baselineSign],
    settings,
    (url, round, rps) => context.onRound(url === exchange.url ? 'ours' : 'baseline', round, rps),
    refill,
  );

  let next = 0;
  const userinfo: LoadTarget = {
    url: `${issuer}/me`,
    method: 'GET',
    each: () => ({ headers: { authorization: `Bearer ${accessTokens[next++ % accessTokens.length]}` } }),
  };
  const baselineVerify: LoadTarget = {
    url: `${baseline.url}/baseline/userinfo`,
    method: 'GET',
    headers: { authorization: `Bearer ${baselineToken}` },
  };
  console.log('\n(d) userinfo GET /oidc/me (pairwise sub) vs one JWT verify');
  const [oursInfo, baseInfo] = await measureInTurns([userinfo, baselineVerify], settings, (url, round, rps) =>
    context.onRound(url === userinfo.url ? 'ours' : 'baseline', round, rps),
  );
  await ours.stop(10_000);
  await baseline.stop(10_000);
  const need = (m: Measurement | undefined) => {
    if (!m) throw new Error('a measurement is missing');
    return m;
  };
  return [
    {
      name: 'code exchange, PostgreSQL',
      ours: need(oursToken),
      baseline: baseToken,
      minimum: 400,
      baselineLabel: 'one JWT sign',
    },
    {
      name: 'userinfo, PostgreSQL',
      ours: need(oursInfo),
      baseline: baseInfo,
      minimum: 2_500,
      baselineLabel: 'one JWT verify',
    },
  ];
}
