import { type Locale, translate } from '../../core/i18n/index.js';
import { html } from '../html.js';
import { layout } from './pages.js';

/** The signed-in person's remembered consents, each with a button that withdraws it. */
export interface ConsentItem {
  clientId: string;
  name: string;
  claims: string[];
  grantedAt: string;
}

export function consentsPage(ctx: {
  locale: Locale;
  csrf: string;
  consents: ConsentItem[];
  withdrawn?: string;
}) {
  const t = (key: string, values?: Record<string, unknown>) => translate(ctx.locale, key, values);
  const items = ctx.consents.map(
    (c) => html`<li data-client="${c.clientId}"><h2>${c.name}</h2>
<p class="hint">${t('auth.consents.since', { date: c.grantedAt.slice(0, 10) })}</p>
<ul class="claims">${c.claims.map((claim) => html`<li>${t(`auth.claim.${claim}`, { client: c.name })}</li>`)}</ul>
<form method="post" action="/account/consents/${encodeURIComponent(c.clientId)}/withdraw">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit" class="button button-secondary">${t('auth.consents.withdraw', { client: c.name })}</button>
</form></li>`,
  );
  return layout(
    ctx.locale,
    t('auth.consents.title'),
    html`${ctx.withdrawn ? html`<p class="notice" role="status">${t('auth.consents.withdrawn', { client: ctx.withdrawn })}</p>` : ''}
<p class="lead">${t('auth.consents.lead')}</p>
${items.length ? html`<ul class="consents">${items}</ul>` : html`<p>${t('auth.consents.none')}</p>`}`,
    { langBase: '/account/consents' },
  );
}

export function signedOutPage(locale: Locale) {
  return layout(
    locale,
    translate(locale, 'auth.consents.signed-out'),
    html`<p>${translate(locale, 'auth.page.error.lead')}</p>`,
  );
}
