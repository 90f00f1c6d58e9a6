import type { App } from '../../../core/http/index.js';

import { SCOPE_CLAIMS } from '../clients.js';
import { type ClientView, FormBody, type InteractionDetails, type Kit, Uid } from './kit.js';

/** What the consent page lists and the grant may hold: only the client's allow-listed scopes and claims. */
export function consentView(d: InteractionDetails, c: ClientView) {
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

export function consentRoutes(app: App, kit: Kit, apiResource: string) {
  const { provider } = kit;
  app.post(
    '/interaction/:uid/consent',
    { config: { access: { public: true } }, schema: { hide: true, params: Uid, body: FormBody } },
    async (request, reply) => {
      const d = await kit.details(request, reply);
      if (d?.prompt.name !== 'consent') return kit.expired(request, reply);
      const c = await kit.clientOf(d);
      if (!kit.csrfValid(request, d.uid, request.body.csrf)) return kit.csrfRefused(request, reply);
      if (request.body.decision !== 'allow') {
        return kit.finish(request, reply, {
          error: 'access_denied',
          error_description: 'the person did not allow it',
        });
      }
      const accountId = d.session?.accountId;
      if (!accountId) return kit.expired(request, reply);
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
        const allowed = resource === apiResource ? wanted.filter((s) => s === 'api' && view.api) : [];
        if (allowed.length) grant.addResourceScope(resource, allowed.join(' '));
      }
      const grantId = await grant.save();
      return kit.finish(request, reply, { consent: { grantId } });
    },
  );
}
