import { Type } from 'typebox';
import { type App, actionContext, fieldError, HttpProblem, problems } from '../../core/http/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import type { SmsGateway } from '../messaging/sms/index.js';
import { listConsents, revokeConsent } from './consents.js';
import { type FactorKeys, sendSms } from './factors/index.js';
import { confirmRegistryLink, DOCUMENTS, linkAtCentre, startRegistryLink } from './linking.js';

/**
 * The signed-in person's own login settings on the platform API (remembered consents, linking
 * to the UIN) and the service-centre linking done by staff.
 */
const tags = ['login'];
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const LinkClaims = {
  uin: Text(20),
  givenNames: Text(200),
  surname: Text(200),
  dateOfBirth: Type.String({
    minLength: 4,
    maxLength: 10,
    description: 'YYYY-MM-DD (or YYYY-MM, YYYY as registered)',
  }),
};
const Consent = Type.Object({
  clientId: Type.String(),
  name: Type.Object({ en: Type.String(), st: Type.String() }),
  scopes: Type.Array(Type.String()),
  claims: Type.Array(Type.String()),
  grantedAt: Type.String({ format: 'date-time' }),
});
const CITIZEN = { actors: ['citizen'] } as const;

function tooSoon(seconds: number) {
  return new HttpProblem(429, 'rate-limited', 'problem.rate-limited', {
    detail: 'problem.rate-limited.detail',
    headers: { 'retry-after': String(seconds) },
  });
}

export function accountRoutes(app: App, kernel: Kernel, deps: { keys: FactorKeys; sms: SmsGateway }) {
  app.get(
    '/api/v1/me/consents',
    {
      config: { access: CITIZEN },
      schema: {
        tags,
        summary: 'The services I allowed to know about me, and what each may have',
        response: { 200: Type.Object({ items: Type.Array(Consent) }) },
      },
    },
    async (request) => ({ items: await listConsents(kernel.db.orm, request.actor.id) }),
  );

  app.delete(
    '/api/v1/me/consents/:clientId',
    {
      config: { access: CITIZEN },
      schema: {
        tags,
        summary: 'Withdraw my consent for a service: its grant and every token it gave end now',
        params: Type.Object({ clientId: Text(100) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await change(kernel, actionContext(request), (c) =>
        revokeConsent(c, request.actor.id, request.params.clientId),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/uin-link',
    {
      config: { access: CITIZEN },
      schema: {
        tags,
        summary: 'Link my account to my UIN: a code goes to the phone the civil register holds',
        description:
          'The names and date of birth must match the register. A mismatch and an unknown UIN give the same 422; nothing of the record is returned. Confirm with the code at /api/v1/me/uin-link/confirm.',
        body: Type.Object(LinkClaims),
        response: {
          202: Type.Object({ sentTo: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
        },
      },
    },
    async (request, reply) => {
      const issued = await change(kernel, actionContext(request), (c) =>
        startRegistryLink(c, deps.keys, {
          accountId: request.actor.id,
          claims: request.body,
          locale: request.locale,
        }),
      );
      if (!issued.ok) throw tooSoon(issued.retryAfterSeconds);
      await sendSms(deps.sms, issued.sms);
      return reply
        .code(202)
        .send({ sentTo: issued.sentTo as string, expiresAt: issued.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/v1/me/uin-link/confirm',
    {
      config: { access: CITIZEN },
      schema: {
        tags,
        summary: 'Confirm the link to my UIN with the code sent to the register’s phone',
        body: Type.Object({ code: Text(20) }),
        response: { 200: Type.Object({ linked: Type.Literal(true) }) },
      },
    },
    async (request) => {
      const result = await change(kernel, actionContext(request), (c) =>
        confirmRegistryLink(c, deps.keys, { accountId: request.actor.id, code: request.body.code }),
      );
      if (result.ok) return { linked: true as const };
      if (result.retryAfterSeconds) throw tooSoon(result.retryAfterSeconds);
      throw problems.invalid([fieldError('/code', result.reason, 'auth.factors.error.code')]);
    },
  );

  app.post(
    '/api/v1/uin-links',
    {
      config: { access: { actors: ['staff'], roles: ['centre_agent', 'registrar'] } },
      schema: {
        tags,
        summary: 'Link a person’s login account to their UIN after checking them in person',
        description:
          'For a centre agent or registrar who saw the person and an identity document. The document and officer are recorded with the link and in the audit log.',
        body: Type.Object({
          login: Text(320),
          ...LinkClaims,
          document: Type.Union(DOCUMENTS.map((d) => Type.Literal(d))),
          documentNumber: Text(40),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 201: Type.Object({ accountId: Type.String({ format: 'uuid' }) }) },
      },
    },
    async (request, reply) => {
      const { login, document, documentNumber, note, ...claims } = request.body;
      const linked = await change(kernel, actionContext(request), (c) =>
        linkAtCentre(c, {
          login,
          claims,
          evidence: { document, documentNumber, ...(note ? { note } : {}) },
        }),
      );
      return reply.code(201).send({ accountId: linked.accountId });
    },
  );
}
