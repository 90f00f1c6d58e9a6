import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { Type } from 'typebox';
import { HttpProblem } from '../../../core/http/index.js';
import { translate } from '../../../core/i18n/index.js';
import type { Kernel } from '../../../core/kernel/index.js';
import { errorPage, type FieldProblem, type FormContext } from '../../../web/auth/pages.js';
import type { SmsGateway } from '../../messaging/sms/index.js';
import type { FactorKeys } from '../factors/index.js';
import { type Acr, requiredLevel } from '../levels.js';

/** What every interaction step shares: the provider, CSRF, the live interaction, page replies. */
export const CSRF_COOKIE = 'mmuso_csrf';

export const FormBody = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 200 })),
  login: Type.Optional(Type.String({ maxLength: 320 })),
  password: Type.Optional(Type.String({ maxLength: 1000 })),
  decision: Type.Optional(Type.String({ maxLength: 10 })),
  method: Type.Optional(Type.String({ maxLength: 10 })),
  code: Type.Optional(Type.String({ maxLength: 40 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
});
export const Uid = Type.Object({ uid: Type.String({ pattern: '^[\\w-]{1,64}$' }) });
export const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 5 })) });

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface ClientView {
  client: InstanceType<Provider['Client']>;
  name(locale: string): string;
  allowedClaims: Set<string>;
  allowedScopes: Set<string>;
  requiredAcr: string | undefined;
}

export interface Kit {
  kernel: Kernel;
  provider: Provider;
  factorKeys: FactorKeys;
  sms: SmsGateway;
  t(request: FastifyRequest, key: string, values?: Record<string, unknown>): string;
  csrfToken(request: FastifyRequest, reply: FastifyReply, uid: string, rotate?: boolean): string;
  csrfValid(request: FastifyRequest, uid: string, given: string | undefined): boolean;
  /** The interaction of this browser, if it is the one in the URL and still running. */
  details(request: FastifyRequest, reply: FastifyReply): Promise<InteractionDetails | undefined>;
  clientOf(d: InteractionDetails): Promise<ClientView>;
  /** The level this authorization request needs (the staff rule is added once the account is known). */
  levelFor(d: InteractionDetails, c: ClientView, staff: boolean): Acr;
  formContext(
    request: FastifyRequest,
    reply: FastifyReply,
    d: InteractionDetails,
    c: ClientView,
  ): FormContext;
  sendHtml(reply: FastifyReply, page: string, status?: number): FastifyReply;
  expired(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  csrfRefused(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: Record<string, unknown>,
  ): Promise<FastifyReply>;
}

export function interactionKit(options: {
  kernel: Kernel;
  provider: Provider;
  csrfKey: string;
  factorKeys: FactorKeys;
  sms: SmsGateway;
  /** The external provider's name when federated sign-in is configured (the sign-in page offers it). */
  federation?: string | undefined;
}): Kit {
  const { kernel, provider, csrfKey } = options;
  const secure = kernel.config.publicUrl.startsWith('https://');
  const csrfFor = (uid: string, cookie: string) =>
    createHmac('sha256', csrfKey).update(`${cookie}.${uid}`).digest('base64url');

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

  const sendHtml = (reply: FastifyReply, page: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  const t = (request: FastifyRequest, key: string, values?: Record<string, unknown>) =>
    translate(request.locale, key, values);

  const kit: Kit = {
    kernel,
    provider,
    factorKeys: options.factorKeys,
    sms: options.sms,
    t,
    /** Double-submit token: the cookie value, and in the form an HMAC of it with what the form is bound to (the interaction uid). */
    csrfToken(request, reply, uid, rotate = false) {
      let cookie = request.cookies[CSRF_COOKIE];
      if (rotate || !cookie || !/^[\w-]{43}$/.test(cookie)) {
        cookie = randomBytes(32).toString('base64url');
        // One cookie for the sign-in steps and the account pages; each form's token binds it to its page.
        reply.setCookie(CSRF_COOKIE, cookie, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure,
        });
      }
      return csrfFor(uid, cookie);
    },
    csrfValid(request, uid, given) {
      const cookie = request.cookies[CSRF_COOKIE];
      if (!cookie || !given) return false;
      const expected = Buffer.from(csrfFor(uid, cookie));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
    async details(request, reply) {
      try {
        const d = await provider.interactionDetails(request.raw, reply.raw);
        if (d.uid !== (request.params as { uid?: string }).uid) return undefined;
        allowRedirectTo(reply, d.params.redirect_uri);
        return d;
      } catch (error) {
        request.log.info({ err: error }, 'interaction not found');
        return undefined;
      }
    },
    async clientOf(d) {
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
    },
    levelFor(d, c, staff) {
      let claimsAcr: unknown;
      if (typeof d.params.claims === 'string') {
        try {
          claimsAcr = (JSON.parse(d.params.claims) as { id_token?: { acr?: unknown } }).id_token?.acr;
        } catch {
          // The provider already refused malformed claims; nothing to add.
        }
      }
      return requiredLevel({
        clientRequires: c.requiredAcr,
        acrValues: d.params.acr_values,
        claimsAcr,
        staff,
      });
    },
    formContext(request, reply, d, c) {
      return {
        locale: request.locale,
        uid: d.uid,
        csrf: kit.csrfToken(request, reply, d.uid),
        client: c.name(request.locale),
        ...(options.federation ? { federation: options.federation } : {}),
      };
    },
    sendHtml,
    expired: (request, reply) =>
      sendHtml(reply, errorPage({ error: 'session_expired' }, request.locale), 400),
    csrfRefused: (request, reply) =>
      sendHtml(
        reply,
        errorPage({ error: 'csrf', error_description: t(request, 'auth.error.csrf') }, request.locale),
        403,
      ),
    async finish(request, reply, result) {
      const to = await provider.interactionResult(request.raw, reply.raw, result, {
        mergeWithLastSubmission: false,
      });
      return reply.redirect(to, 303);
    },
  };
  return kit;
}

/** Sorts field problems into the page's field order, for the error summary. */
export function inFieldOrder(errors: FieldProblem[], order: readonly string[]): FieldProblem[] {
  return [...errors].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
}
