import i18next, { type i18n } from 'i18next';
import Negotiator from 'negotiator';
import { en, type MessageKey, st } from './messages.js';

export const LOCALES = ['en', 'st'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export type Catalogue = Record<string, string>;

/** Each module adds its texts under its own prefix; both languages must have the same keys. */
const catalogues: Record<Locale, Catalogue> = { en: { ...en }, st: { ...st } };
let instance: i18n | undefined;

export function addMessages(prefix: string, messages: Record<Locale, Catalogue>): void {
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(messages[locale])) catalogues[locale][`${prefix}.${key}`] = text;
  }
  instance = undefined;
}

/** Keys present in one language and not the other; empty when the catalogues are complete. */
export function missingMessages(): { locale: Locale; key: string }[] {
  const missing: { locale: Locale; key: string }[] = [];
  const all = new Set(LOCALES.flatMap((l) => Object.keys(catalogues[l])));
  for (const key of all) {
    for (const locale of LOCALES) {
      if (!catalogues[locale][key]?.trim()) missing.push({ locale, key });
    }
  }
  return missing;
}

function translator(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    instance.init({
      initImmediate: false,
      showSupportNotice: false,
      resources: { en: { translation: catalogues.en }, st: { translation: catalogues.st } },
      lng: DEFAULT_LOCALE,
      fallbackLng: DEFAULT_LOCALE,
      keySeparator: false,
      nsSeparator: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }
  return instance;
}

export function translate(
  locale: Locale,
  key: MessageKey | string,
  values?: Record<string, unknown>,
): string {
  return translator().getFixedT(locale)(key, values ?? {}) as string;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The person's choice (query), then their cookie, then what the browser asks for. */
export function chooseLocale(input: { query?: unknown; cookie?: unknown; acceptLanguage?: string }): Locale {
  if (isLocale(input.query)) return input.query;
  if (isLocale(input.cookie)) return input.cookie;
  if (input.acceptLanguage) {
    const preferred = new Negotiator({ headers: { 'accept-language': input.acceptLanguage } }).language([
      ...LOCALES,
    ]);
    if (isLocale(preferred)) return preferred;
  }
  return DEFAULT_LOCALE;
}

export type { MessageKey };
