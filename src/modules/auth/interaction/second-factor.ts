import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { type App, HttpProblem } from '../../../core/http/index.js';
import { translate } from '../../../core/i18n/index.js';
import { change } from '../../../core/kernel/index.js';
import {
  enrolChoicePage,
  type FactorMethod,
  factorPage,
  recoveryCodesPage,
  smsConfirmPage,
  smsPhonePage,
  totpEnrolPage,
} from '../../../web/auth/factor-pages.js';
import type { FieldProblem, FormContext } from '../../../web/auth/pages.js';
import { accountById } from '../accounts.js';
import { ACR } from '../clients.js';
import {
  confirmSmsFactor,
  confirmTotp,
  enrolSmsFactor,
  enrolTotp,
  type FactorResult,
  generateRecoveryCodes,
  type IssueResult,
  issueSmsFactorCode,
  listFactors,
  maskPhone,
  pendingTotpEnrolment,
  remainingRecoveryCodes,
  sendSms,
  useRecoveryCode,
  verifySmsFactorCode,
  verifyTotp,
} from '../factors/index.js';
import { achievedLevel, meets } from '../levels.js';
import type { AccountRow } from '../schema.js';
import { FormBody, type InteractionDetails, type Kit, Lang, Uid } from './kit.js';
import type { ProgressStore, SignInProgress } from './progress.js';

/**
 * The second step of a sign-in. After the password (or, on a step-up, with the session's
 * account) a second factor is asked whenever the account has one, the service or the request
 * needs `substantial` or more, or the account is staff's. Without a factor yet, the person
 * enrols one here (an authenticator app with a QR code, or a phone) and is shown recovery codes
 * once. Every wrong code counts towards the account's second-factor throttle.
 */
const METHODS = ['totp', 'sms', 'recovery'] as const;
const Method = Type.Object({
  method: Type.Optional(Type.Union(METHODS.map((m) => Type.Literal(m)))),
  ...Lang.properties,
});

/** RFC 8176 method references for the id_token's `amr`. */
const AMR: Record<NonNullable<SignInProgress['factor']>, string[]> = {
  totp: ['otp', 'mfa'],
  sms: ['sms', 'mfa'],
  recovery: ['otp', 'mfa'],
};

export function secondFactorSteps(kit: Kit, progress: ProgressStore) {
  const { kernel } = kit;

  async function available(accountId: string) {
    const factors = (await listFactors(kernel.db.orm, accountId)).filter((f) => f.confirmedAt);
    return {
      totp: factors.some((f) => f.kind === 'totp'),
      sms: factors.some((f) => f.kind === 'sms'),
      recovery: (await remainingRecoveryCodes(kernel.db.orm, accountId)) > 0,
    };
  }

  const keep = (d: InteractionDetails, p: SignInProgress) => progress.put(d.uid, p, d.exp);

  /** Sends a sign-in code to the account's phone; the refusal (too soon, too many) when not. */
  async function sendSignInCode(request: FastifyRequest, accountId: string) {
    const issued = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
      issueSmsFactorCode(c, kit.factorKeys, { accountId, purpose: 'sign-in', locale: request.locale }),
    );
    if (issued.ok) await sendSms(kit.sms, issued.sms);
    return issued;
  }

  /** The sign-in is done: the level reached goes to the session (and the id_token's acr and amr). */
  async function complete(
    request: FastifyRequest,
    reply: FastifyReply,
    d: InteractionDetails,
    p: SignInProgress,
  ) {
    const account = await accountById(kernel, p.accountId);
    if (account?.status !== 'active') return kit.expired(request, reply);
    const level = achievedLevel({
      secondFactor: p.factor !== undefined,
      linkedToPerson: account.personId !== null,
    });
    await progress.drop(d.uid);
    if (!meets(level, p.required)) return unreachable(request, reply);
    kit.csrfToken(request, reply, d.uid, true);
    return kit.finish(request, reply, {
      login: {
        accountId: account.id,
        acr: level,
        amr: ['pwd', ...(p.factor ? AMR[p.factor] : [])],
        remember: true,
      },
    });
  }

  /** The level cannot be reached by this account: the service is told, and nothing is signed in. */
  function unreachable(request: FastifyRequest, reply: FastifyReply) {
    return kit.finish(request, reply, {
      error: 'unmet_authentication_requirements',
      error_description: translate('en', 'auth.mfa.error.unreachable'),
    });
  }

  /**
   * After the password (or the session, on a step-up): done at once when the service needs no
   * more and the account has no factor; otherwise on to the code, or to enrolling a factor.
   */
  async function afterFirstFactor(
    request: FastifyRequest,
    reply: FastifyReply,
    d: InteractionDetails,
    account: AccountRow,
    stepUp: boolean,
  ) {
    // A step-up arrives by GET (a redirect from the provider): it sends no SMS by itself.
    const c = await kit.clientOf(d);
    const required = kit.levelFor(d, c, account.kind === 'staff');
    if (required === ACR.high && account.personId === null) return unreachable(request, reply);
    const p: SignInProgress = { accountId: account.id, required, stepUp };
    const has = await available(account.id);
    if (!has.totp && !has.sms && required === ACR.low) return complete(request, reply, d, p);
    kit.csrfToken(request, reply, d.uid, true);
    if (!has.totp && !has.sms) {
      await keep(d, p);
      return reply.redirect(`/interaction/${d.uid}/enrol`, 303);
    }
    if (!has.totp && !stepUp) {
      const sent = await sendSignInCode(request, account.id);
      if (sent.ok) p.smsSentTo = maskPhone(sent.sms.to);
    }
    await keep(d, p);
    return reply.redirect(`/interaction/${d.uid}/factor?method=${has.totp ? 'totp' : 'sms'}`, 303);
  }

  return { afterFirstFactor, complete, available, sendSignInCode, keep };
}

export function secondFactorRoutes(app: App, kit: Kit, progress: ProgressStore) {
  const { kernel } = kit;
  const steps = secondFactorSteps(kit, progress);
  const pageOpts = {
    config: { access: { public: true } },
    schema: { hide: true, params: Uid, querystring: Lang },
  } as const;
  const factorOpts = { ...pageOpts, schema: { ...pageOpts.schema, querystring: Method } } as const;
  const postOpts = {
    config: { access: { public: true } },
    schema: { hide: true, params: Uid, body: FormBody },
  } as const;

  /** The live interaction and its sign-in progress; for a form, its CSRF token checked too. */
  async function step(request: FastifyRequest, reply: FastifyReply, form: boolean) {
    const d = await kit.details(request, reply);
    const p = d && d.prompt.name === 'login' ? await progress.get(d.uid) : undefined;
    if (!d || !p) return { answered: kit.expired(request, reply) };
    if (form && !kit.csrfValid(request, d.uid, (request.body as Static<typeof FormBody>).csrf)) {
      return { answered: kit.csrfRefused(request, reply) };
    }
    const c = await kit.clientOf(d);
    const ctx = (errors?: FieldProblem[]): FormContext => ({
      ...kit.formContext(request, reply, d, c),
      ...(errors ? { errors } : {}),
    });
    return { d, p, ctx };
  }

  /** A refused code, in the person's words: the same text whatever the reason, except a lockout. */
  function codeProblem(request: FastifyRequest, result: Exclude<FactorResult, { ok: true }>): FieldProblem {
    if (result.retryAfterSeconds) {
      return {
        field: 'code',
        message: kit.t(request, 'auth.factors.error.locked', {
          minutes: Math.ceil(result.retryAfterSeconds / 60),
        }),
      };
    }
    return { field: 'code', message: kit.t(request, 'auth.factors.error.code') };
  }
  const codeStatus = (result: Exclude<FactorResult, { ok: true }>) => (result.retryAfterSeconds ? 429 : 400);

  function issueProblem(request: FastifyRequest, issued: Exclude<IssueResult, { ok: true }>): FieldProblem {
    return {
      field: 'code',
      message:
        issued.reason === 'too-soon'
          ? kit.t(request, 'auth.factors.error.too-soon', { seconds: issued.retryAfterSeconds })
          : kit.t(request, 'auth.factors.error.locked', {
              minutes: Math.ceil(issued.retryAfterSeconds / 60),
            }),
    };
  }

  async function showFactor(
    reply: FastifyReply,
    s: { p: SignInProgress; ctx: (errors?: FieldProblem[]) => FormContext },
    method: FactorMethod | undefined,
    errors?: FieldProblem[],
    status = 200,
  ) {
    const has = await steps.available(s.p.accountId);
    const chosen = method && has[method] ? method : has.totp ? 'totp' : has.sms ? 'sms' : 'recovery';
    return kit.sendHtml(
      reply,
      factorPage({
        ...s.ctx(errors),
        method: chosen,
        available: has,
        ...(s.p.smsSentTo ? { sentTo: s.p.smsSentTo } : {}),
      }),
      status,
    );
  }

  app.get('/interaction/:uid/factor', factorOpts, async (request, reply) => {
    const s = await step(request, reply, false);
    if ('answered' in s) return s.answered;
    return showFactor(reply, s, request.query.method);
  });

  app.post('/interaction/:uid/factor', postOpts, async (request, reply) => {
    const s = await step(request, reply, true);
    if ('answered' in s) return s.answered;
    const method = (METHODS as readonly string[]).includes(request.body.method ?? '')
      ? (request.body.method as FactorMethod)
      : 'totp';
    const code = request.body.code?.trim() ?? '';
    if (!code) {
      return showFactor(
        reply,
        s,
        method,
        [{ field: 'code', message: kit.t(request, 'auth.mfa.error.code-required') }],
        400,
      );
    }
    const input = { accountId: s.p.accountId, code };
    const result = await change(
      kernel,
      { actor: request.actor, requestId: request.id },
      (c): Promise<FactorResult> =>
        method === 'sms'
          ? verifySmsFactorCode(c, kit.factorKeys, { ...input, purpose: 'sign-in' })
          : method === 'recovery'
            ? useRecoveryCode(c, kit.factorKeys, input)
            : verifyTotp(c, kit.factorKeys, input),
    );
    if (!result.ok) return showFactor(reply, s, method, [codeProblem(request, result)], codeStatus(result));
    return steps.complete(request, reply, s.d, { ...s.p, factor: method });
  });

  app.post('/interaction/:uid/factor/send', postOpts, async (request, reply) => {
    const s = await step(request, reply, true);
    if ('answered' in s) return s.answered;
    const sent = await steps.sendSignInCode(request, s.p.accountId);
    if (!sent.ok) {
      const errors = 'retryAfterSeconds' in sent ? [issueProblem(request, sent)] : undefined;
      return showFactor(reply, s, 'sms', errors, errors ? 429 : 200);
    }
    await steps.keep(s.d, { ...s.p, smsSentTo: maskPhone(sent.sms.to) });
    return reply.redirect(`/interaction/${s.d.uid}/factor?method=sms`, 303);
  });

  /** Enrolling is only for an account with no factor yet: a password alone never adds a second one. */
  async function enrolStep(request: FastifyRequest, reply: FastifyReply, form: boolean) {
    const s = await step(request, reply, form);
    if (!s.d) return { answered: s.answered };
    const has = await steps.available(s.p.accountId);
    if (has.totp || has.sms) return { answered: reply.redirect(`/interaction/${s.d.uid}/factor`, 303) };
    const account = await accountById(kernel, s.p.accountId);
    if (!account) return { answered: kit.expired(request, reply) };
    return { d: s.d, p: s.p, ctx: s.ctx, account };
  }

  app.get('/interaction/:uid/enrol', pageOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, false);
    if ('answered' in s) return s.answered;
    return kit.sendHtml(reply, enrolChoicePage({ ...s.ctx(), staff: s.account.kind === 'staff' }));
  });

  app.post('/interaction/:uid/enrol/totp', postOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, true);
    if ('answered' in s) return s.answered;
    const enrolment = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
      enrolTotp(c, kit.factorKeys, { accountId: s.account.id, login: s.account.login }),
    );
    return kit.sendHtml(
      reply,
      totpEnrolPage({ ...s.ctx(), qrDataUrl: enrolment.qrDataUrl, secret: enrolment.secret }),
    );
  });

  /** Recovery codes are made and shown once, when the first factor is confirmed. */
  async function showRecoveryCodes(
    request: FastifyRequest,
    reply: FastifyReply,
    s: { d: InteractionDetails; p: SignInProgress; ctx: () => FormContext },
    factor: 'totp' | 'sms',
  ) {
    const { codes } = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
      generateRecoveryCodes(c, kit.factorKeys, { accountId: s.p.accountId }),
    );
    const { smsEnrolment: _done, ...rest } = s.p;
    await steps.keep(s.d, { ...rest, factor });
    return kit.sendHtml(reply, recoveryCodesPage({ ...s.ctx(), codes }));
  }

  app.post('/interaction/:uid/enrol/totp/confirm', postOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, true);
    if ('answered' in s) return s.answered;
    const result = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
      confirmTotp(c, kit.factorKeys, { accountId: s.account.id, code: request.body.code ?? '' }),
    );
    if (result.ok) return showRecoveryCodes(request, reply, s, 'totp');
    const pending = await pendingTotpEnrolment(kernel.db.orm, kit.factorKeys, {
      accountId: s.account.id,
      login: s.account.login,
    });
    if (!pending) return reply.redirect(`/interaction/${s.d.uid}/enrol`, 303);
    return kit.sendHtml(
      reply,
      totpEnrolPage({
        ...s.ctx([codeProblem(request, result)]),
        qrDataUrl: pending.qrDataUrl,
        secret: pending.secret,
      }),
      codeStatus(result),
    );
  });

  app.get('/interaction/:uid/enrol/sms', pageOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, false);
    if ('answered' in s) return s.answered;
    return kit.sendHtml(reply, smsPhonePage(s.ctx()));
  });

  app.post('/interaction/:uid/enrol/sms', postOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, true);
    if ('answered' in s) return s.answered;
    const phone = request.body.phone?.trim() ?? '';
    const phoneProblem = (message: string) =>
      kit.sendHtml(reply, smsPhonePage({ ...s.ctx([{ field: 'phone', message }]), phone }), 400);
    if (!phone) return phoneProblem(kit.t(request, 'auth.mfa.error.phone-required'));
    let enrolled: Awaited<ReturnType<typeof enrolSmsFactor>>;
    try {
      enrolled = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
        enrolSmsFactor(c, kit.factorKeys, { accountId: s.account.id, phone, locale: request.locale }),
      );
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 422) {
        return phoneProblem(kit.t(request, 'auth.factors.error.phone'));
      }
      throw error;
    }
    if (!enrolled.issued.ok) {
      return kit.sendHtml(
        reply,
        smsPhonePage({ ...s.ctx([{ ...issueProblem(request, enrolled.issued), field: 'phone' }]), phone }),
        429,
      );
    }
    await sendSms(kit.sms, enrolled.issued.sms);
    const sentTo = maskPhone(enrolled.issued.sms.to);
    await steps.keep(s.d, { ...s.p, smsEnrolment: { enrolmentId: enrolled.enrolmentId, sentTo } });
    return kit.sendHtml(reply, smsConfirmPage({ ...s.ctx(), sentTo }));
  });

  app.post('/interaction/:uid/enrol/sms/confirm', postOpts, async (request, reply) => {
    const s = await enrolStep(request, reply, true);
    if ('answered' in s) return s.answered;
    const enrolment = s.p.smsEnrolment;
    if (!enrolment) return reply.redirect(`/interaction/${s.d.uid}/enrol/sms`, 303);
    const result = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
      confirmSmsFactor(c, kit.factorKeys, {
        accountId: s.account.id,
        enrolmentId: enrolment.enrolmentId,
        code: request.body.code ?? '',
      }),
    );
    if (result.ok) return showRecoveryCodes(request, reply, s, 'sms');
    return kit.sendHtml(
      reply,
      smsConfirmPage({ ...s.ctx([codeProblem(request, result)]), sentTo: enrolment.sentTo }),
      codeStatus(result),
    );
  });

  app.post('/interaction/:uid/continue', postOpts, async (request, reply) => {
    const s = await step(request, reply, true);
    if ('answered' in s) return s.answered;
    if (!s.p.factor) return reply.redirect(`/interaction/${s.d.uid}/factor`, 303);
    return steps.complete(request, reply, s.d, s.p);
  });

  app.post('/interaction/:uid/abort', postOpts, async (request, reply) => {
    const s = await step(request, reply, true);
    if ('answered' in s) return s.answered;
    await progress.drop(s.d.uid);
    return kit.finish(request, reply, {
      error: 'access_denied',
      error_description: 'the person cancelled the sign-in',
    });
  });

  return steps;
}
