import * as oidc from 'openid-client';
import { parseLogin } from '../../src/modules/auth/index.js';
import { type Answer, CookieJar } from './cookie-jar.js';
import { lastCodeSentTo } from './outbox.js';

/**
 * A relying party's sign-in at one of our servers, by password through the pages (signing up
 * first when asked to), consent allowed; returns the tokens. `jar` keeps the session between calls.
 */
export interface PasswordSignIn {
  issuer: string;
  clientId: string;
  /** The client secret, or another client authentication (private_key_jwt). */
  secret: string | oidc.ClientAuth;
  redirectUri: string;
  scope: string;
  resource?: string;
  /** A pushed authorization request, with prompt and a DPoP handle as a service would send them. */
  par?: boolean;
  prompt?: string;
  dpop?: oidc.DPoPHandle;
  login: string;
  password: string;
  signUp?: boolean;
  /** The server's DATA_DIR, where a sign-up's code is read from (simulated SMS or e-mail). */
  dataDir?: string;
  jar?: CookieJar;
}

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const action = (page: string, step: string) => new RegExp(`/interaction/[\\w-]+/${step}`).exec(page)?.[0];

/**
 * A code flow request as a service sends it: PKCE (S256) and a fresh `state` (unless `parameters`
 * names one), pushed (PAR) when asked; the URL and what the code exchange checks.
 */
export async function authorizationRequest(
  config: oidc.Configuration,
  parameters: Record<string, string>,
  options: { par?: boolean; dpop?: oidc.DPoPHandle | undefined } = {},
): Promise<{ url: URL; verifier: string; state: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const all: Record<string, string> = {
    state: oidc.randomState(),
    ...parameters,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  const url = options.par
    ? await oidc.buildAuthorizationUrlWithPAR(config, all, options.dpop ? { DPoP: options.dpop } : {})
    : oidc.buildAuthorizationUrl(config, all);
  return { url, verifier, state: all.state as string };
}

/** The sign-in up to the service's redirect URI, with what the code exchange needs. */
export async function signInUntilCallback(options: PasswordSignIn) {
  const jar = options.jar ?? new CookieJar();
  const origin = new URL(options.issuer).origin;
  const away = (next: URL) => next.origin !== origin;
  const secret = typeof options.secret === 'string' ? options.secret : undefined;
  const auth = typeof options.secret === 'string' ? undefined : options.secret;
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  const { url, verifier, state } = await authorizationRequest(
    config,
    {
      redirect_uri: options.redirectUri,
      scope: options.scope,
      ...(options.resource ? { resource: options.resource } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    },
    { par: options.par ?? false, dpop: options.dpop },
  );
  let page: Answer & { stoppedAt?: URL } = await jar.follow(url, away);
  const credentials = { login: options.login, password: options.password };
  if (!page.stoppedAt && options.signUp) {
    const form = await jar.request(`${origin}${action(page.body, 'login')?.replace(/login$/, 'signup')}`);
    page = await jar.follow(`${origin}${action(form.body, 'signup')}`, away, {
      csrf: csrfOf(form.body),
      ...credentials,
    });
    // The login is proved by the code sent to it before the account exists.
    if (!page.stoppedAt && action(page.body, 'verify') && options.dataDir) {
      const to = parseLogin(options.login);
      page = await jar.follow(`${origin}${action(page.body, 'verify')}`, away, {
        csrf: csrfOf(page.body),
        code: lastCodeSentTo(options.dataDir, to.ok ? to.login : options.login) ?? '',
      });
    }
  } else if (!page.stoppedAt && action(page.body, 'login')) {
    page = await jar.follow(`${origin}${action(page.body, 'login')}`, away, {
      csrf: csrfOf(page.body),
      ...credentials,
    });
  }
  if (!page.stoppedAt && action(page.body, 'consent')) {
    page = await jar.follow(`${origin}${action(page.body, 'consent')}`, away, {
      csrf: csrfOf(page.body),
      decision: 'allow',
    });
  }
  if (!page.stoppedAt)
    throw new Error(`the sign-in did not come back to the service: ${page.status} ${page.body}`);
  return {
    callback: page.stoppedAt,
    checks: { pkceCodeVerifier: verifier, expectedState: state },
    jar,
    config,
  };
}

export async function passwordSignIn(options: PasswordSignIn) {
  const { callback, checks, jar, config } = await signInUntilCallback(options);
  const tokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    checks,
    options.resource ? { resource: options.resource } : undefined,
  );
  return { tokens, jar, config };
}
