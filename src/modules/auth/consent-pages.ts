import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../../core/http/index.js';
import { change } from '../../core/kernel/index.js';
import { consentsPage, signedOutPage } from '../../web/auth/consents-page.js';
import { accountById } from './accounts.js';
import { listConsents, revokeConsent } from './consents.js';
import { FormBody, type Kit, Lang } from './interaction/kit.js';

/**
 * The remembered-consents page for whoever is signed in to the national login in this browser
 * (the provider's session cookie): the same list and withdrawal as /api/v1/me/consents. The
 * routes are public in the route table because the session is checked here, as on the sign-in pages.
 */
export function consentPageRoutes(app: App, kit: Kit) {
  const { kernel, provider } = kit;

  async function signedIn(request: FastifyRequest, reply: FastifyReply) {
    const session = await provider.Session.get({ req: request.raw, res: reply.raw } as never);
    const account = session.accountId ? await accountById(kernel, session.accountId) : undefined;
    return account?.status === 'active' ? { account, binding: `account:${session.uid}` } : undefined;
  }

  async function show(request: FastifyRequest, reply: FastifyReply, withdrawn?: string) {
    const who = await signedIn(request, reply);
    if (!who) return kit.sendHtml(reply, signedOutPage(request.locale), 401);
    const consents = (await listConsents(kernel.db.orm, who.account.id)).map((c) => ({
      clientId: c.clientId,
      name: request.locale === 'st' ? c.name.st : c.name.en,
      claims: [
        'sub',
        ...c.claims,
        ...c.scopes.flatMap((s) => (s === 'api' || s === 'offline_access' ? [] : [])),
      ],
      grantedAt: c.grantedAt,
    }));
    return kit.sendHtml(
      reply,
      consentsPage({
        locale: request.locale,
        csrf: kit.csrfToken(request, reply, who.binding),
        consents,
        ...(withdrawn ? { withdrawn } : {}),
      }),
    );
  }

  app.get(
    '/account/consents',
    { config: { access: { public: true } }, schema: { hide: true, querystring: Lang } },
    (request, reply) => show(request, reply),
  );

  app.post(
    '/account/consents/:clientId/withdraw',
    {
      config: { access: { public: true } },
      schema: {
        hide: true,
        params: Type.Object({ clientId: Type.String({ maxLength: 100 }) }),
        body: FormBody,
      },
    },
    async (request, reply) => {
      const who = await signedIn(request, reply);
      if (!who) return kit.sendHtml(reply, signedOutPage(request.locale), 401);
      if (!kit.csrfValid(request, who.binding, request.body.csrf)) return kit.csrfRefused(request, reply);
      const consent = (await listConsents(kernel.db.orm, who.account.id)).find(
        (c) => c.clientId === request.params.clientId,
      );
      if (!consent) return show(request, reply);
      await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
        revokeConsent(c, who.account.id, consent.clientId),
      );
      return show(request, reply, request.locale === 'st' ? consent.name.st : consent.name.en);
    },
  );
}
