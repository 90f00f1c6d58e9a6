import { type Locale, translate } from '../../core/i18n/index.js';
import { html } from '../html.js';
import { layout } from './pages.js';

/**
 * A federated sign-in that did not work: what went wrong in the person's words (never the
 * provider's raw error), and the way back to the other ways of signing in while the interaction lasts.
 */
export function federationErrorPage(locale: Locale, reason: string, uid?: string): string {
  const t = (key: string) => translate(locale, key);
  return layout(
    locale,
    t('auth.federation.failed.title'),
    html`<p>${t(`auth.federation.failed.${reason}`)}</p>
${uid ? html`<p><a class="button" href="/interaction/${uid}">${t('auth.federation.failed.back')}</a></p>` : html`<p>${t('auth.federation.failed.start-again')}</p>`}`,
  );
}
