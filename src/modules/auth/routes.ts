import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { type Static, Type } from 'typebox';
import { systemActor } from '../../core/actors/index.js';
import { HttpProblem, type RoutesPlugin } from '../../core/http/index.js';
import { translate } from '../../core/i18n/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import {
  consentPage,
  errorPage,
  type FieldProblem,
  type FormContext,
  signInPage,
  signUpPage,
} from '../../web/auth/pages.js';
import { PERSON_DIED } from '../identity/index.js';
import { disableAccountOfPerson, parseLogin, signIn, signUp } from './accounts.js';
import { ACR, SCOPE_CLAIMS } from './clients.js';
import { federationRoutes, federationUpstream } from './federation/index.js';
import { publicJwk, sharedSecret, signingKeys } from './keys.js';
import { hashPassword, passwordProblem } from './passwords.js';

const css = fs.readFileSync(new URL('../../web/auth/login.css', import.meta.url), 'utf8');
const CSRF_COOKIE = 'mmuso_csrf';
const subscribed = new WeakSet<object>();

/** Death registration disables the person's account (delivered through the outbox, at least once). */
export function subscribeToIdentity(kernel: Kernel): void {
  if (subscribed.has(kernel.events)) return;
  subscribed.add(kernel.events);
  kernel.events.subscribe(PERSON_DIED, 'auth.disable-account', async (event) => {
    const { personId } = event.payload as { personId: string };
    await change(kernel, { actor: systemActor('login') }, (c) =>
      disableAccountOfPerson(c, personId, 'death registered'),
    );
  });
}

export async function startProvider(kernel: Kernel) {
  // Loaded only when a server starts: oidc-provider warns on import under Node 20.
  const { apiResource, createProvider } = await import('./provider.js');
  const keys = await signingKeys(kernel.db);
  const provider = createProvider(kernel, {
    signingKeys: keys,
    cookieKeys: [await sharedSecret(kernel.db, 'oidc-cookies')],
    pairwiseKey: await sharedSecret(kernel.db, 'pairwise-subjects'),
    sectorKeys: { dataDir: kernel.config.dataDir, version: kernel.config.SECTOR_TOKEN_KEY_VERSION },
  });
  return { provider, publicKeys: keys.map(publicJwk), apiResource };
}

const FormBody = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 200 })),
  login: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 1000 })),
  decision: Type.Optional(Type.String({ maxLength: 10 })),
});
const Uid = Type.Object({ uid: Type.String({ pattern: '^[\\w-]{1,64}$' }) });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 5 })) });

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export const authRoutes: RoutesPlugin = async (app, kernel) => {
  const { provider, publicKeys, apiResource } = await startProvider(kernel);
  app.trustTokenKeys(publicKeys);
  subscribeToIdentity(kernel);
  const callback = provider.callback();
  const secure = kernel.config.publicUrl.startsWith('https://');
  const csrfKey = await sharedSecret(kernel.db, 'csrf');
  const upstream = await federationUpstream(kernel.config);
  if (upstream) await federationRoutes(app, kernel, provider, upstream);
  const federation = upstream && kernel.config.FEDERATION_NAME;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  // The provider's own endpoints: hijacked before Fastify parses the body, with the /oidc prefix
  // moved from url to originalUrl so the provider derives its mount path.
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/oidc/*',
    config: { access: { public: true }, rawHttp: true },
    schema: { hide: true },
    onRequest: (request, reply) => {
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice('/oidc'.length) || '/';
      void callback(raw, reply.raw);
    },
    handler: async () => undefined,
  });

  app.get(
    '/assets/login.css',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  const csrfFor = (uid: string, cookie: string) =>
    createHmac('sha256', csrfKey).update(`${cookie}.${uid}`).digest('base64url');
  /** Double-submit token bound to the interaction: cookie value, and an HMAC of it with the uid in the form. */
  function csrfToken(request: FastifyRequest, reply: FastifyReply, uid: string, rotate = false): string {
    let cookie = request.cookies[CSRF_COOKIE];
    if (rotate || !cookie || !/^[\w-]{43}$/.test(cookie)) {
      cookie = randomBytes(32).toString('base64url');
      reply.setCookie(CSRF_COOKIE, cookie, { path: '/interaction', httpOnly: true, sameSite: 'lax', secure });
    }
    return csrfFor(uid, cookie);
  }
  function csrfValid(request: FastifyRequest, uid: string, given: string | undefined): boolean {
    const cookie = request.cookies[CSRF_COOKIE];
    if (!cookie || !given) return false;
    const expected = Buffer.from(csrfFor(uid, cookie));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /**
   * Browsers apply the page's CSP form-action to every redirect after a form is sent: our forms
   * end at the relying party's redirect URI (already checked by the provider), so allow its origin.
   */
  function allowRedirectTo(reply: FastifyReply, redirectUri: unknown) {
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy !== 'string' || typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return;
    const origin = new URL(redirectUri).origin;
    reply.header(
      'content-security-policy',
      policy.replace("form-action 'self'", `form-action 'self' ${origin}`),
    );
  }

  async function details(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<InteractionDetails | undefined> {
    try {
      const d = await provider.interactionDetails(request.raw, reply.raw);
      allowRedirectTo(reply, d.params.redirect_uri);
      return d;
    } catch (error) {
      request.log.info({ err: error }, 'interaction not found');
      return undefined;
    }
  }
  const sendHtml = (reply: FastifyReply, page: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  const expired = (request: FastifyRequest, reply: FastifyReply) =>
    sendHtml(reply, errorPage({ error: 'session_expired' }, request.locale), 400);

  async function clientOf(d: InteractionDetails) {
    const client = await provider.Client.find(String(d.params.client_id));
    if (!client) throw new HttpProblem(400, 'bad-request', 'problem.bad-request');
    const extra = client as unknown as {
      mmuso_name_st?: string;
      mmuso_allowed_claims?: string[];
      mmuso_required_acr?: string;
    };
    return {
      client,
      name: (locale: string) =>
        (locale === 'st' && extra.mmuso_name_st) || client.clientName || client.clientId,
      allowedClaims: new Set(extra.mmuso_allowed_claims ?? ['sub']),
      allowedScopes: new Set((client.scope ?? 'openid').split(' ')),
      requiredAcr: extra.mmuso_required_acr,
    };
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) {
    const to = await provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: false,
    });
    return reply.redirect(to, 303);
  }

  function consentView(d: InteractionDetails, c: Awaited<ReturnType<typeof clientOf>>) {
    const scopes = String(d.params.scope ?? '')
      .split(' ')
      .filter((s) => c.allowedScopes.has(s));
    const claims = [...new Set(scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? []))].filter(
      (claim) => claim !== 'sub' && c.allowedClaims.has(claim),
    );
    return {
      scopes,
      claims: ['sub', ...claims],
      api: scopes.includes('api'),
      offline: scopes.includes('offline_access'),
    };
  }

  app.get(
    '/interaction/:uid',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, querystring: Lang } },
    async (request, reply) => {
      const d = await details(request, reply);
      if (!d || d.uid !== request.params.uid) return expired(request, reply);
      if (request.query.lang === request.locale) {
        reply.setCookie('lang', request.locale, {
          path: '/',
          sameSite: 'lax',
          httpOnly: true,
          maxAge: 31_536_000,
          secure,
        });
      }
      const c = await clientOf(d);
      // No second factor yet: a service that demands more than a password cannot be served.
      if (c.requiredAcr && c.requiredAcr !== ACR.low) {
        return finish(request, reply, {
          error: 'unmet_authentication_requirements',
          error_description: translate('en', 'auth.error.acr'),
        });
      }
      const base = {
        locale: request.locale,
        uid: d.uid,
        csrf: csrfToken(request, reply, d.uid),
        client: c.name(request.locale),
        federation,
      };
      if (d.prompt.name === 'login') return sendHtml(reply, signInPage(base));
      return sendHtml(reply, consentPage({ ...base, ...consentView(d, c) }));
    },
  );

  app.get(
    '/interaction/:uid/signup',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, querystring: Lang } },
    async (request, reply) => {
      const d = await details(request, reply);
      if (!d || d.uid !== request.params.uid || d.prompt.name !== 'login') return expired(request, reply);
      const c = await clientOf(d);
      return sendHtml(
        reply,
        signUpPage({
          locale: request.locale,
          uid: d.uid,
          csrf: csrfToken(request, reply, d.uid),
          client: c.name(request.locale),
        }),
      );
    },
  );

  const t = (request: FastifyRequest, key: string, values?: Record<string, unknown>) =>
    translate(request.locale, key, values);

  const FIELD_ORDER = ['login', 'password'];
  /**
   * What signing in and signing up share: the live interaction, the form shown again with its
   * errors (in field order, for the error summary), the CSRF check and the required fields.
   * `answered` means the reply is already sent.
   */
  async function credentialsForm(
    request: FastifyRequest,
    reply: FastifyReply,
    render: (ctx: FormContext & { login?: string }) => string,
  ) {
    const { uid } = request.params as { uid: string };
    const body = request.body as Static<typeof FormBody>;
    const d = await details(request, reply);
    if (!d || d.uid !== uid || d.prompt.name !== 'login') return { answered: expired(request, reply) };
    const c = await clientOf(d);
    const page = (errors: FieldProblem[], status: number) =>
      sendHtml(
        reply,
        render({
          locale: request.locale,
          uid: d.uid,
          csrf: csrfToken(request, reply, d.uid),
          client: c.name(request.locale),
          login: body.login ?? '',
          federation,
          errors: [...errors].sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field)),
        }),
        status,
      );
    if (!csrfValid(request, d.uid, body.csrf)) {
      return { answered: page([{ field: 'login', message: t(request, 'auth.error.csrf') }], 403) };
    }
    const errors: FieldProblem[] = [];
    if (!body.login?.trim())
      errors.push({ field: 'login', message: t(request, 'auth.error.login-required') });
    if (!body.password)
      errors.push({ field: 'password', message: t(request, 'auth.error.password-required') });
    return { d, page, errors, login: body.login ?? '', password: body.password ?? '' };
  }

  app.post(
    '/interaction/:uid/login',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, body: FormBody } },
    async (request, reply) => {
      const form = await credentialsForm(request, reply, signInPage);
      if ('answered' in form) return form.answered;
      const { d, page, errors } = form;
      if (errors.length) return page(errors, 400);
      const result = await signIn(kernel, {
        login: form.login,
        password: form.password,
        address: request.ip,
      });
      if (!result.ok) {
        const message =
          result.reason === 'locked'
            ? t(request, 'auth.error.locked', {
                minutes: Math.max(
                  1,
                  Math.ceil((result.until.getTime() - kernel.clock.now().getTime()) / 60_000),
                ),
              })
            : result.reason === 'throttled'
              ? t(request, 'auth.error.throttled')
              : t(request, 'auth.error.credentials');
        return page([{ field: 'login', message }], result.reason === 'invalid' ? 401 : 429);
      }
      csrfToken(request, reply, d.uid, true);
      return finish(request, reply, {
        login: { accountId: result.account.id, acr: ACR.low, amr: ['pwd'], remember: true },
      });
    },
  );

  app.post(
    '/interaction/:uid/signup',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, body: FormBody } },
    async (request, reply) => {
      const form = await credentialsForm(request, reply, signUpPage);
      if ('answered' in form) return form.answered;
      const { d, page, errors, login, password } = form;
      if (login.trim() && !parseLogin(login).ok) {
        errors.push({ field: 'login', message: t(request, 'auth.error.login-format') });
      }
      const weak = password ? passwordProblem(password) : undefined;
      if (weak) errors.push({ field: 'password', message: t(request, `auth.error.password-${weak}`) });
      if (errors.length) return page(errors, 400);
      const hash = await hashPassword(password);
      let accountId: string;
      try {
        const account = await change(kernel, { actor: request.actor, requestId: request.id }, (ch) =>
          signUp(ch, { login, password }, hash),
        );
        accountId = account.id;
      } catch (error) {
        if (error instanceof HttpProblem && error.status === 409) {
          return page([{ field: 'login', message: t(request, 'auth.error.login-taken') }], 409);
        }
        throw error;
      }
      csrfToken(request, reply, d.uid, true);
      return finish(request, reply, { login: { accountId, acr: ACR.low, amr: ['pwd'], remember: true } });
    },
  );

  app.post(
    '/interaction/:uid/consent',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, body: FormBody } },
    async (request, reply) => {
      const d = await details(request, reply);
      if (!d || d.uid !== request.params.uid || d.prompt.name !== 'consent') return expired(request, reply);
      const c = await clientOf(d);
      if (!csrfValid(request, d.uid, request.body.csrf)) {
        return sendHtml(
          reply,
          errorPage({ error: 'csrf', error_description: t(request, 'auth.error.csrf') }, request.locale),
          403,
        );
      }
      if (request.body.decision !== 'allow') {
        return finish(request, reply, {
          error: 'access_denied',
          error_description: 'the person did not allow it',
        });
      }
      const accountId = d.session?.accountId;
      if (!accountId) return expired(request, reply);
      const grant = d.grantId
        ? ((await provider.Grant.find(d.grantId)) ??
          new provider.Grant({ accountId, clientId: c.client.clientId }))
        : new provider.Grant({ accountId, clientId: c.client.clientId });
      const view = consentView(d, c);
      const missing = d.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      // Only what is on the client's allow-lists goes into the grant.
      const scopes = (missing.missingOIDCScope ?? []).filter((s) => view.scopes.includes(s));
      if (scopes.length) grant.addOIDCScope(scopes.join(' '));
      const claims = (missing.missingOIDCClaims ?? []).filter((claim) => c.allowedClaims.has(claim));
      if (claims.length) grant.addOIDCClaims(claims);
      for (const [resource, wanted] of Object.entries(missing.missingResourceScopes ?? {})) {
        const allowed = resource === apiResource(kernel) ? wanted.filter((s) => s === 'api' && view.api) : [];
        if (allowed.length) grant.addResourceScope(resource, allowed.join(' '));
      }
      const grantId = await grant.save();
      return finish(request, reply, { consent: { grantId } });
    },
  );
};
