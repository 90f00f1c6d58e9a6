import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import { Type } from 'typebox';
import { systemActor } from '../../../core/actors/index.js';
import type { App } from '../../../core/http/index.js';
import { change, type Kernel } from '../../../core/kernel/index.js';
import { federationErrorPage } from '../../../web/auth/federation.js';
import { ACR } from '../clients.js';
import { claimedUin, verifiedLogins } from './claims.js';
import { accountOfFederatedPerson, type FederationRefusal, FederationRefused } from './link.js';
import { beginFederatedSignIn, interactionOfState, takeFederatedSignIn } from './requests.js';
import { FEDERATION_CALLBACK_PATH, type Upstream } from './upstream.js';

/** The `amr` of a federated sign-in: `fed`, then whatever the external provider says it used. */
export const FEDERATED_AMR = 'fed';

const Uid = Type.Object({ uid: Type.String({ pattern: '^[\\w-]{1,64}$' }) });
const Callback = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 200 })),
    code: Type.Optional(Type.String({ maxLength: 2000 })),
    error: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: true },
);

type Failure = FederationRefusal | 'unavailable' | 'state' | 'upstream-error' | 'response';

/**
 * Sign-in through an external OpenID provider (eSignet), as a relying party of it:
 * 1. GET /interaction/:uid/federation: a state, nonce and PKCE verifier are stored for the
 *    interaction, and the person is sent to the provider;
 * 2. GET /auth/federation/callback (the one redirect URI registered there): the state names the
 *    interaction; the browser is sent on under /interaction/<uid>, where its interaction cookie is;
 * 3. GET /interaction/:uid/federation/callback: the request is taken once, the code exchanged,
 *    the id_token validated (issuer, audience, nonce, signature), the person found by UIN, and the
 *    interaction completes as a password sign-in would, with amr `fed`.
 * Any failure shows a page that offers the other ways to sign in, and changes no account.
 */
export async function federationRoutes(app: App, kernel: Kernel, provider: Provider, upstream: Upstream) {
  const level = ACR[kernel.config.FEDERATION_ACR];
  const now = () => kernel.clock.now();

  const fail = (request: FastifyRequest, reply: FastifyReply, failure: Failure, uid?: string) => {
    const status = failure === 'unavailable' ? 502 : 400;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(federationErrorPage(request.locale, failure, uid));
  };
  const interaction = async (request: FastifyRequest, reply: FastifyReply, uid: string) => {
    try {
      const d = await provider.interactionDetails(request.raw, reply.raw);
      return d.uid === uid && d.prompt.name === 'login' ? d : undefined;
    } catch {
      return undefined;
    }
  };

  app.get(
    '/interaction/:uid/federation',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid } },
    async (request, reply) => {
      const { uid } = request.params;
      if (!(await interaction(request, reply, uid))) return fail(request, reply, 'state');
      let configuration: oidc.Configuration;
      try {
        configuration = await upstream.configuration();
      } catch (error) {
        request.log.warn({ err: error, issuer: upstream.issuer }, 'federation: provider unreachable');
        return fail(request, reply, 'unavailable', uid);
      }
      const begun = await beginFederatedSignIn(kernel.db, uid, now());
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: upstream.redirectUri,
        scope: upstream.scope,
        state: begun.state,
        nonce: begun.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(begun.codeVerifier),
        code_challenge_method: 'S256',
        ui_locales: request.locale,
      });
      return reply.redirect(url.href, 303);
    },
  );

  app.get(
    FEDERATION_CALLBACK_PATH,
    { config: { access: { public: true } }, schema: { hide: true, querystring: Callback } },
    async (request, reply) => {
      const { state } = request.query;
      const uid = state ? await interactionOfState(kernel.db, state, now()) : undefined;
      if (!uid) return fail(request, reply, 'state');
      const query = request.raw.url?.slice(request.raw.url.indexOf('?')) ?? '';
      return reply.redirect(`/interaction/${uid}/federation/callback${query}`, 303);
    },
  );

  app.get(
    '/interaction/:uid/federation/callback',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, querystring: Callback } },
    async (request, reply) => {
      const { uid } = request.params;
      const { state } = request.query;
      if (!(await interaction(request, reply, uid))) return fail(request, reply, 'state');
      const taken = state ? await takeFederatedSignIn(kernel.db, state, uid, now()) : undefined;
      if (!taken) return fail(request, reply, 'state', uid);
      if (request.query.error) {
        request.log.info({ error: request.query.error }, 'federation: the provider answered with an error');
        return fail(request, reply, 'upstream-error', uid);
      }
      // What the provider sent back, as if it had arrived at the registered redirect URI.
      const returned = new URL(upstream.redirectUri);
      returned.search = new URL(request.url, 'http://callback').search;
      let claims: Record<string, unknown>;
      try {
        const configuration = await upstream.configuration();
        const tokens = await oidc.authorizationCodeGrant(configuration, returned, {
          pkceCodeVerifier: taken.codeVerifier,
          expectedState: taken.state,
          expectedNonce: taken.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims() as oidc.IDToken;
        claims = { ...idToken };
        // Providers put the UIN and the verified phone or address in userinfo more often than in the id_token.
        if (
          claimedUin(claims, kernel.config.FEDERATION_UIN_CLAIM) === undefined ||
          !verifiedLogins(claims).length
        ) {
          claims = {
            ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub)),
            ...idToken,
          };
        }
      } catch (error) {
        request.log.info({ err: error }, 'federation: the response was refused');
        return fail(request, reply, 'response', uid);
      }
      let accountId: string;
      try {
        const account = await change(kernel, { actor: systemActor('login'), requestId: request.id }, (c) =>
          accountOfFederatedPerson(c, {
            issuer: upstream.issuer,
            subject: String(claims.sub),
            uin: claimedUin(claims, kernel.config.FEDERATION_UIN_CLAIM),
            verifiedLogins: verifiedLogins(claims),
          }),
        );
        accountId = account.id;
      } catch (error) {
        if (!(error instanceof FederationRefused)) throw error;
        request.log.info({ reason: error.reason }, 'federation: sign-in refused');
        return fail(request, reply, error.reason, uid);
      }
      const upstreamAmr = Array.isArray(claims.amr) ? claims.amr.filter((m) => typeof m === 'string') : [];
      const to = await provider.interactionResult(
        request.raw,
        reply.raw,
        {
          login: {
            accountId,
            acr: level,
            amr: [FEDERATED_AMR, ...upstreamAmr.filter((m) => m !== FEDERATED_AMR)],
            remember: true,
          },
        },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(to, 303);
    },
  );

  app.get(
    '/auth/federation/jwks',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(upstream.publicJwks),
  );
}
