import { LOCALES, type Locale, translate } from '../../core/i18n/index.js';
import { html, type Raw, raw } from '../html.js';

/**
 * The national login's pages: one question per page, an error summary at the top linking to each
 * field, no JavaScript, no inline script or style (the CSP forbids both), English and Sesotho.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export function layout(
  locale: Locale,
  title: string,
  body: Raw,
  options: { langBase?: string; errors?: FieldProblem[] } = {},
) {
  const t = (key: string) => translate(locale, key);
  const errors = options.errors ?? [];
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${errors.length ? `${t('auth.error.summary')}: ` : ''}${title} – Mmuso</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css"><link rel="stylesheet" href="/assets/login.css"></head>
<body>
<header><strong>Mmuso</strong></header>
<main>
${options.langBase ? html`<nav class="lang">${LOCALES.map((l) => html`<a href="${options.langBase}?lang=${l}" lang="${l}">${translate(l, `language.${l}`)}</a>`)}</nav>` : ''}
${
  errors.length
    ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${t('auth.error.summary')}</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul>
</div>`
    : ''
}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.html;
}

export function field(
  locale: Locale,
  name: string,
  label: string,
  options: { type?: string; value?: string; hint?: string; autocomplete: string; errors?: FieldProblem[] },
) {
  const error = options.errors?.find((e) => e.field === name);
  const described = [options.hint ? `${name}-hint` : '', error ? `${name}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="form-group${error ? ' form-group-error' : ''}">
<label for="${name}">${label}</label>
${options.hint ? html`<div id="${name}-hint" class="hint">${options.hint}</div>` : ''}
${error ? html`<p id="${name}-error" class="error-message"><span class="visually-hidden">${translate(locale, 'auth.error.summary')}:</span> ${error.message}</p>` : ''}
<input id="${name}" name="${name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}" autocomplete="${options.autocomplete}" spellcheck="false"${raw(described ? ` aria-describedby="${described}"` : '')}${raw(error ? ' aria-invalid="true"' : '')}>
</div>`;
}

export interface FormContext {
  locale: Locale;
  uid: string;
  csrf: string;
  client: string;
  errors?: FieldProblem[];
  /** The external provider's name when federated sign-in is on (the sign-in page offers it). */
  federation?: string | undefined;
}

/** Sign-in and sign-up ask the same two things; the texts, the target and the autocomplete differ. */
const CREDENTIALS = {
  signin: {
    title: 'auth.signin.title',
    submit: 'auth.signin.submit',
    action: 'login',
    passwordHint: undefined,
    passwordAutocomplete: 'current-password',
    other: { lead: 'auth.signin.no-account', link: 'auth.signin.create', path: '/signup' },
  },
  signup: {
    title: 'auth.signup.title',
    submit: 'auth.signup.submit',
    action: 'signup',
    passwordHint: 'auth.signup.password.hint',
    passwordAutocomplete: 'new-password',
    other: { lead: 'auth.signup.have-account', link: 'auth.signin.submit', path: '' },
  },
} as const;

export function credentialsPage(
  mode: keyof typeof CREDENTIALS,
  ctx: FormContext & { login?: string },
): string {
  const t = (key: string, values?: Record<string, unknown>) => translate(ctx.locale, key, values);
  const texts = CREDENTIALS[mode];
  const self = `/interaction/${ctx.uid}${mode === 'signup' ? '/signup' : ''}`;
  return layout(
    ctx.locale,
    t(texts.title),
    html`<p class="lead">${t('auth.signin.for', { client: ctx.client })}</p>
<form method="post" action="/interaction/${ctx.uid}/${texts.action}" novalidate>
<input type="hidden" name="csrf" value="${ctx.csrf}">
${field(ctx.locale, 'login', t('auth.signin.login'), { value: ctx.login ?? '', hint: t('auth.signin.login.hint'), autocomplete: 'username', errors: ctx.errors })}
${field(ctx.locale, 'password', t('auth.signin.password'), { type: 'password', ...(texts.passwordHint ? { hint: t(texts.passwordHint) } : {}), autocomplete: texts.passwordAutocomplete, errors: ctx.errors })}
<button type="submit" class="button">${t(texts.submit)}</button>
</form>
${
  mode === 'signin' && ctx.federation
    ? html`<p>${t('auth.federation.or')}</p>
<p><a class="button button-secondary" href="/interaction/${ctx.uid}/federation">${t('auth.federation.button', { name: ctx.federation })}</a></p>`
    : ''
}
<p>${t(texts.other.lead)} <a href="/interaction/${ctx.uid}${texts.other.path}">${t(texts.other.link)}</a></p>`,
    { langBase: self, errors: ctx.errors },
  );
}

export const signInPage = (ctx: FormContext & { login?: string }) => credentialsPage('signin', ctx);
export const signUpPage = (ctx: FormContext & { login?: string }) => credentialsPage('signup', ctx);

export function consentPage(ctx: FormContext & { claims: string[]; api: boolean; offline: boolean }): string {
  const t = (key: string) => translate(ctx.locale, key, { client: ctx.client });
  const items = [
    ...ctx.claims.map((claim) => html`<li data-claim="${claim}">${t(`auth.claim.${claim}`)}</li>`),
    ...(ctx.api ? [html`<li data-scope="api">${t('auth.consent.api')}</li>`] : []),
    ...(ctx.offline ? [html`<li data-scope="offline_access">${t('auth.consent.offline')}</li>`] : []),
  ];
  return layout(
    ctx.locale,
    t('auth.consent.title'),
    html`<p>${t('auth.consent.lead')}</p>
<ul class="claims">${items.length ? items : html`<li>${t('auth.consent.nothing')}</li>`}</ul>
<form method="post" action="/interaction/${ctx.uid}/consent">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit" class="button" name="decision" value="allow">${t('auth.consent.allow')}</button>
<button type="submit" class="button button-secondary" name="decision" value="deny">${t('auth.consent.deny')}</button>
</form>`,
    { langBase: `/interaction/${ctx.uid}` },
  );
}

export function errorPage(out: Record<string, string>, locale: Locale = 'en'): string {
  const t = (key: string) => translate(locale, key);
  return layout(
    locale,
    t('auth.page.error.title'),
    html`<p>${t('auth.page.error.lead')}</p>
<p class="hint"><code>${out.error ?? 'error'}</code>${out.error_description ? html`: ${out.error_description}` : ''}</p>`,
  );
}

/** `form` is the provider's own hidden form (id op.logoutForm, with its xsrf field). */
export function logoutPage(form: string, client: string | undefined, locale: Locale = 'en'): string {
  const t = (key: string) => translate(locale, key);
  return layout(
    locale,
    t('auth.page.logout.title'),
    html`${raw(form)}${client ? html`<p>${client}</p>` : ''}
<button type="submit" class="button" form="op.logoutForm" name="logout" value="yes">${t('auth.page.logout.yes')}</button>
<button type="submit" class="button button-secondary" form="op.logoutForm">${t('auth.page.logout.no')}</button>`,
  );
}

export function loggedOutPage(locale: Locale = 'en'): string {
  return layout(locale, translate(locale, 'auth.page.logged-out.title'), html``);
}
