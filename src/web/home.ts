import fs from 'node:fs';
import { Type } from 'typebox';
import type { RoutesPlugin } from '../core/http/index.js';
import { LOCALES, translate } from '../core/i18n/index.js';
import { currentAnnouncements } from '../modules/messaging/index.js';
import { html } from './html.js';

const css = fs.readFileSync(new URL('./assets.css', import.meta.url), 'utf8');

/** The start page: works without JavaScript on a slow phone, in English or Sesotho. */
export const homePage: RoutesPlugin = (app, kernel) => {
  app.get(
    '/assets/app.css',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  app.get(
    '/',
    {
      config: { access: { public: true } },
      schema: { hide: true, querystring: Type.Object({ lang: Type.Optional(Type.String()) }) },
    },
    async (request, reply) => {
      const locale = request.locale;
      const t = (key: string) => translate(locale, key);
      if (request.query.lang === locale) {
        reply.setCookie('lang', locale, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 31_536_000 });
      }
      const notices = await currentAnnouncements(kernel.db.orm, kernel.clock.now());
      const page = html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('home.title')}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css"></head>
<body>
<header><strong>Mmuso</strong></header>
<main>
<nav class="lang">${LOCALES.map((l) => html`<a href="/?lang=${l}" lang="${l}">${translate(l, `language.${l}`)}</a>`)}</nav>
<h1>${t('home.title')}</h1>
<p>${t('home.lead')}</p>
<h2>${t('home.notices')}</h2>
${
  notices.length
    ? notices.map((n) => html`<div class="notice"><h3>${n.title[locale]}</h3><p>${n.body[locale]}</p></div>`)
    : html`<p>${t('home.no-notices')}</p>`
}
<p><a href="/docs">${t('home.api')}</a></p>
</main>
</body>
</html>`;
      return reply.type('text/html; charset=utf-8').send(page.html);
    },
  );
};
