import { translate } from '../../core/i18n/index.js';
import { html, type Raw } from '../html.js';
import { type FormContext, field, layout } from './pages.js';

/**
 * The second-factor pages of a sign-in: the code step, enrolling an authenticator app or a phone,
 * and the recovery codes shown once. Same rules as the other login pages: no script, an error
 * summary linking to the field, English and Sesotho.
 */
export type FactorMethod = 'totp' | 'sms' | 'recovery';

const tr = (ctx: FormContext) => (key: string, values?: Record<string, unknown>) =>
  translate(ctx.locale, key, values);

/** A hidden-CSRF form that posts to a step of this interaction. */
function stepForm(ctx: FormContext, step: string, body: Raw | string, submit: string, secondary = false) {
  return html`<form method="post" action="/interaction/${ctx.uid}/${step}" novalidate>
<input type="hidden" name="csrf" value="${ctx.csrf}">
${body}<button type="submit" class="button${secondary ? ' button-secondary' : ''}">${submit}</button>
</form>`;
}

function codeField(ctx: FormContext, label: string, hint?: string) {
  return field(ctx.locale, 'code', label, {
    autocomplete: 'one-time-code',
    errors: ctx.errors,
    ...(hint ? { hint } : {}),
  });
}

const cancelForm = (ctx: FormContext) =>
  stepForm(ctx, 'abort', '', translate(ctx.locale, 'auth.mfa.cancel'), true);

export interface FactorPageContext extends FormContext {
  method: FactorMethod;
  available: { totp: boolean; sms: boolean; recovery: boolean };
  /** The masked phone an SMS code went to. */
  sentTo?: string;
}

export function factorPage(ctx: FactorPageContext): string {
  const t = tr(ctx);
  const other = (method: FactorMethod) =>
    ctx.method !== method && ctx.available[method]
      ? html`<li><a href="/interaction/${ctx.uid}/factor?method=${method}">${t(`auth.mfa.use.${method}`)}</a></li>`
      : '';
  const smsForm = ctx.available.sms
    ? stepForm(
        ctx,
        'factor/send',
        '',
        t(
          ctx.method !== 'sms'
            ? 'auth.mfa.use.sms'
            : ctx.sentTo
              ? 'auth.mfa.sms.resend'
              : 'auth.mfa.sms.enrol.send',
        ),
        true,
      )
    : '';
  return layout(
    ctx.locale,
    t(`auth.mfa.${ctx.method}.title`),
    html`<p class="lead">${t('auth.signin.for', { client: ctx.client })}</p>
${ctx.method === 'sms' && ctx.sentTo ? html`<p>${t('auth.mfa.sms.sent', { phone: ctx.sentTo })}</p>` : ''}
${stepForm(ctx, 'factor', html`<input type="hidden" name="method" value="${ctx.method}">${codeField(ctx, t(`auth.mfa.${ctx.method}.label`), ctx.method === 'recovery' ? t('auth.mfa.recovery.hint') : undefined)}`, t('auth.mfa.submit'))}
${smsForm}
<ul class="other-ways">${other('totp')}${other('recovery')}</ul>
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}

export function enrolChoicePage(ctx: FormContext & { staff: boolean }): string {
  const t = tr(ctx);
  return layout(
    ctx.locale,
    t('auth.mfa.enrol.title'),
    html`<p class="lead">${t(ctx.staff ? 'auth.mfa.enrol.staff' : 'auth.mfa.enrol.level', { client: ctx.client })}</p>
${stepForm(ctx, 'enrol/totp', '', t('auth.mfa.enrol.totp'))}
<p><a href="/interaction/${ctx.uid}/enrol/sms">${t('auth.mfa.enrol.sms')}</a></p>
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}

export function totpEnrolPage(ctx: FormContext & { qrDataUrl: string; secret: string }): string {
  const t = tr(ctx);
  const grouped = ctx.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return layout(
    ctx.locale,
    t('auth.mfa.totp.enrol.title'),
    html`<p>${t('auth.mfa.totp.enrol.lead')}</p>
<p><img class="qr" src="${ctx.qrDataUrl}" alt="${t('auth.mfa.totp.enrol.qr')}" width="220" height="220"></p>
<p>${t('auth.mfa.totp.enrol.key')} <code class="secret">${grouped}</code></p>
${stepForm(ctx, 'enrol/totp/confirm', codeField(ctx, t('auth.mfa.totp.label')), t('auth.mfa.submit'))}
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}

export function smsPhonePage(ctx: FormContext & { phone?: string }): string {
  const t = tr(ctx);
  return layout(
    ctx.locale,
    t('auth.mfa.sms.enrol.title'),
    html`${stepForm(ctx, 'enrol/sms', field(ctx.locale, 'phone', t('auth.mfa.sms.enrol.phone'), { type: 'tel', value: ctx.phone ?? '', hint: t('auth.mfa.sms.enrol.hint'), autocomplete: 'tel', errors: ctx.errors }), t('auth.mfa.sms.enrol.send'))}
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}

export function smsConfirmPage(ctx: FormContext & { sentTo: string }): string {
  const t = tr(ctx);
  return layout(
    ctx.locale,
    t('auth.mfa.sms.title'),
    html`<p>${t('auth.mfa.sms.sent', { phone: ctx.sentTo })}</p>
${stepForm(ctx, 'enrol/sms/confirm', codeField(ctx, t('auth.mfa.sms.label')), t('auth.mfa.submit'))}
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}

export function recoveryCodesPage(ctx: FormContext & { codes: string[] }): string {
  const t = tr(ctx);
  return layout(
    ctx.locale,
    t('auth.mfa.recovery.codes.title'),
    html`<p class="lead">${t('auth.factors.recovery.notice')}</p>
<ul class="recovery-codes">${ctx.codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
${stepForm(ctx, 'continue', '', t('auth.mfa.recovery.codes.saved'))}`,
  );
}

export function verifySignUpPage(ctx: FormContext & { sentTo: string }): string {
  const t = tr(ctx);
  return layout(
    ctx.locale,
    t('auth.signup.verify.title'),
    html`<p>${t('auth.signup.verify.lead', { to: ctx.sentTo })}</p>
${stepForm(ctx, 'verify', codeField(ctx, t('auth.signup.verify.label')), t('auth.mfa.submit'))}
${cancelForm(ctx)}`,
    { errors: ctx.errors },
  );
}
