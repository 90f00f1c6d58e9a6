import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { App } from '../../../core/http/index.js';
import {
  consentPage,
  type FieldProblem,
  type FormContext,
  signInPage,
  signUpPage,
} from '../../../web/auth/pages.js';
import { accountById, parseLogin, signIn } from '../accounts.js';
import { hashPassword, passwordProblem } from '../passwords.js';
import { consentView } from './consent.js';
import { FormBody, inFieldOrder, type Kit, Lang, Uid } from './kit.js';
import type { secondFactorSteps } from './second-factor.js';
import { signUpSteps } from './sign-up.js';

const FIELD_ORDER = ['login', 'password'];

export function signInRoutes(app: App, kit: Kit, steps: ReturnType<typeof secondFactorSteps>) {
  const { kernel } = kit;
  const signUpFlow = signUpSteps(app, kit, steps);
  const secure = kernel.config.publicUrl.startsWith('https://');
  const pageOpts = {
    config: { access: { public: true } },
    schema: { hide: true, params: Uid, querystring: Lang },
  } as const;
  const postOpts = {
    config: { access: { public: true } },
    schema: { hide: true, params: Uid, body: FormBody },
  } as const;

  app.get('/interaction/:uid', pageOpts, async (request, reply) => {
    const d = await kit.details(request, reply);
    if (!d) return kit.expired(request, reply);
    if (request.query.lang === request.locale) {
      reply.setCookie('lang', request.locale, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        maxAge: 31_536_000,
        secure,
      });
    }
    const c = await kit.clientOf(d);
    const base = kit.formContext(request, reply, d, c);
    if (d.prompt.name === 'login') {
      // Signed in already, but below the level this service needs: the second factor, not the password.
      const sessionAccount = d.session?.accountId
        ? await accountById(kernel, d.session.accountId)
        : undefined;
      if (sessionAccount?.status === 'active' && d.prompt.reasons.every((r) => r === 'mmuso_level')) {
        return steps.afterFirstFactor(request, reply, d, sessionAccount, true);
      }
      return kit.sendHtml(reply, signInPage(base));
    }
    return kit.sendHtml(reply, consentPage({ ...base, ...consentView(d, c) }));
  });

  app.get('/interaction/:uid/signup', pageOpts, async (request, reply) => {
    const d = await kit.details(request, reply);
    if (d?.prompt.name !== 'login') return kit.expired(request, reply);
    const c = await kit.clientOf(d);
    return kit.sendHtml(reply, signUpPage(kit.formContext(request, reply, d, c)));
  });

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
    const body = request.body as Static<typeof FormBody>;
    const d = await kit.details(request, reply);
    if (d?.prompt.name !== 'login') return { answered: kit.expired(request, reply) };
    const c = await kit.clientOf(d);
    const page = (errors: FieldProblem[], status: number) =>
      kit.sendHtml(
        reply,
        render({
          ...kit.formContext(request, reply, d, c),
          login: body.login ?? '',
          errors: inFieldOrder(errors, FIELD_ORDER),
        }),
        status,
      );
    if (!kit.csrfValid(request, d.uid, body.csrf)) {
      return { answered: page([{ field: 'login', message: kit.t(request, 'auth.error.csrf') }], 403) };
    }
    const errors: FieldProblem[] = [];
    if (!body.login?.trim())
      errors.push({ field: 'login', message: kit.t(request, 'auth.error.login-required') });
    if (!body.password)
      errors.push({ field: 'password', message: kit.t(request, 'auth.error.password-required') });
    return { d, page, errors, login: body.login ?? '', password: body.password ?? '' };
  }

  app.post('/interaction/:uid/login', postOpts, async (request, reply) => {
    const form = await credentialsForm(request, reply, signInPage);
    if ('answered' in form) return form.answered;
    const { d, page, errors } = form;
    if (errors.length) return page(errors, 400);
    const result = await signIn(kernel, { login: form.login, password: form.password, address: request.ip });
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? kit.t(request, 'auth.error.locked', {
              minutes: Math.max(
                1,
                Math.ceil((result.until.getTime() - kernel.clock.now().getTime()) / 60_000),
              ),
            })
          : result.reason === 'throttled'
            ? kit.t(request, 'auth.error.throttled')
            : kit.t(request, 'auth.error.credentials');
      return page([{ field: 'login', message }], result.reason === 'invalid' ? 401 : 429);
    }
    return steps.afterFirstFactor(request, reply, d, result.account, false);
  });

  app.post('/interaction/:uid/signup', postOpts, async (request, reply) => {
    const form = await credentialsForm(request, reply, signUpPage);
    if ('answered' in form) return form.answered;
    const { d, page, errors, login, password } = form;
    if (login.trim() && !parseLogin(login).ok) {
      errors.push({ field: 'login', message: kit.t(request, 'auth.error.login-format') });
    }
    const weak = password ? passwordProblem(password) : undefined;
    if (weak) errors.push({ field: 'password', message: kit.t(request, `auth.error.password-${weak}`) });
    if (errors.length) return page(errors, 400);
    const parsed = parseLogin(login);
    if (!parsed.ok) return page(errors, 400);
    // Hashed now, taken or not, so both answers cost the same.
    return signUpFlow.start(request, reply, d, parsed, await hashPassword(password));
  });
}
