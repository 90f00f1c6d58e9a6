import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type App, HttpProblem } from '../../../core/http/index.js';
import { translate } from '../../../core/i18n/index.js';
import { newId } from '../../../core/ids/index.js';
import { change } from '../../../core/kernel/index.js';
import { verifySignUpPage } from '../../../web/auth/factor-pages.js';
import { messagingChannels } from '../../messaging/index.js';
import { asE164, toGsm7 } from '../../messaging/sms/index.js';
import { accountByLogin, signUp } from '../accounts.js';
import {
  codeText,
  constantTimeEqual,
  newNumericCode,
  normalizeNumericCode,
  SMS_CODE,
} from '../factors/index.js';
import { FormBody, type InteractionDetails, type Kit, Uid } from './kit.js';
import { interactionStore } from './progress.js';
import type { secondFactorSteps } from './second-factor.js';

/**
 * Sign-up proves the login first: a code goes to the phone or e-mail address given, and the
 * account exists only once it comes back. For a login that is already taken the answer is the
 * same page after the same work, but the owner is told by SMS or e-mail instead and no code
 * ever works, so the form does not tell anyone which numbers and addresses have accounts.
 */
interface PendingSignUp {
  login: string;
  kind: 'phone' | 'email';
  passwordHash: string;
  /** HMAC of the code; for a taken login, of a code nobody was sent. */
  codeMac: string;
  keyVersion: number;
  attempts: number;
  expiresAt: number;
}

export function signUpSteps(app: App, kit: Kit, steps: ReturnType<typeof secondFactorSteps>) {
  const { kernel } = kit;
  const pending = interactionStore<PendingSignUp>(kernel.db, 'SignUpPending');
  const mac = (version: number, uid: string, code: string) =>
    kit.factorKeys.mac(version, `sign-up:${uid}:${code}`);

  async function deliver(
    request: FastifyRequest,
    to: { login: string; kind: 'phone' | 'email' },
    text: string,
  ) {
    const { sms, mail } = messagingChannels(kernel);
    if (to.kind === 'phone') await sms.send(asE164(to.login), toGsm7(text));
    else
      await mail.send({
        id: newId(),
        to: to.login,
        subject: translate(request.locale, 'auth.signup.verify.subject'),
        text,
      });
  }

  /** After a valid sign-up form: the code (or the owner's notice) goes out; the same page follows. */
  async function start(
    request: FastifyRequest,
    reply: FastifyReply,
    d: InteractionDetails,
    login: { login: string; kind: 'phone' | 'email' },
    passwordHash: string,
  ) {
    const taken = (await accountByLogin(kernel, login.login)) !== undefined;
    const code = newNumericCode(SMS_CODE.digits);
    const version = kit.factorKeys.version;
    await pending.put(
      d.uid,
      {
        ...login,
        passwordHash,
        codeMac: mac(version, d.uid, taken ? randomBytes(16).toString('hex') : code),
        keyVersion: version,
        attempts: 0,
        expiresAt: kernel.clock.now().getTime() + SMS_CODE.ttlSeconds * 1000,
      },
      d.exp,
    );
    await deliver(
      request,
      login,
      taken ? translate(request.locale, 'auth.signup.taken') : codeText(request.locale, code),
    );
    kit.csrfToken(request, reply, d.uid, true);
    return reply.redirect(`/interaction/${d.uid}/verify`, 303);
  }

  const pageOpts = { config: { access: { public: true } }, schema: { hide: true, params: Uid } } as const;
  const postOpts = {
    config: { access: { public: true } },
    schema: { hide: true, params: Uid, body: FormBody },
  } as const;

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    d: InteractionDetails,
    p: PendingSignUp,
    error?: string,
  ) {
    const c = await kit.clientOf(d);
    return kit.sendHtml(
      reply,
      verifySignUpPage({
        ...kit.formContext(request, reply, d, c),
        sentTo: p.login,
        ...(error ? { errors: [{ field: 'code', message: error }] } : {}),
      }),
      error ? 400 : 200,
    );
  }

  app.get('/interaction/:uid/verify', pageOpts, async (request, reply) => {
    const d = await kit.details(request, reply);
    const p = d?.prompt.name === 'login' ? await pending.get(d.uid) : undefined;
    if (!d || !p) return kit.expired(request, reply);
    return show(request, reply, d, p);
  });

  app.post('/interaction/:uid/verify', postOpts, async (request, reply) => {
    const d = await kit.details(request, reply);
    if (d && !kit.csrfValid(request, d.uid, request.body.csrf)) return kit.csrfRefused(request, reply);
    const p = d?.prompt.name === 'login' ? await pending.get(d.uid) : undefined;
    if (!d || !p) return kit.expired(request, reply);
    const code = normalizeNumericCode(request.body.code ?? '');
    const live = p.attempts < SMS_CODE.maxAttempts && p.expiresAt > kernel.clock.now().getTime();
    const right = code !== undefined && constantTimeEqual(mac(p.keyVersion, d.uid, code), p.codeMac);
    if (!live || !right) {
      await pending.put(d.uid, { ...p, attempts: p.attempts + 1 }, d.exp);
      return show(request, reply, d, p, kit.t(request, 'auth.factors.error.code'));
    }
    let account: Awaited<ReturnType<typeof signUp>>;
    try {
      account = await change(kernel, { actor: request.actor, requestId: request.id }, (c) =>
        signUp(c, { login: p.login, password: '', loginProven: true }, p.passwordHash),
      );
    } catch (error) {
      // Taken between the form and the code: the same refusal as a wrong code.
      if (error instanceof HttpProblem && error.status === 409) {
        return show(request, reply, d, p, kit.t(request, 'auth.factors.error.code'));
      }
      throw error;
    }
    await pending.drop(d.uid);
    return steps.afterFirstFactor(request, reply, d, account, false);
  });

  return { start };
}
