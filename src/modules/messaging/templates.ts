import { LOCALES, type Locale } from '../../core/i18n/index.js';

/**
 * A notification template in one language: `subject` is the e-mail subject and the notice's
 * title, `body` the e-mail text and the notice, `sms` the short form (GSM-7 fallback applied
 * when sent, so Sesotho's š costs nothing extra). Placeholders are `{{name}}`, as in i18next.
 */
export interface TemplateTexts {
  subject: string;
  body: string;
  sms: string;
}

const PARTS = ['subject', 'body', 'sms'] as const;
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;
const ID = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

interface Template {
  texts: Record<Locale, TemplateTexts>;
  /** The placeholders it needs. */
  needs: ReadonlySet<string>;
}

const templates = new Map<string, Template>();

function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/**
 * Declares templates (data: a module's catalogue, JSON or TypeScript) in English and Sesotho.
 * Both languages must have every part and the same placeholders, so a Sesotho reader never sees
 * a raw `{{reference}}`.
 */
export function addTemplates(definitions: Record<string, Record<Locale, TemplateTexts>>): void {
  for (const [id, byLocale] of Object.entries(definitions)) {
    if (!ID.test(id))
      throw new Error(`notification template id ${id}: use dotted lower-case words, e.g. services.submitted`);
    const needed = new Map<Locale, string>();
    for (const locale of LOCALES) {
      const texts = byLocale[locale];
      for (const part of PARTS) {
        if (!texts?.[part]?.trim())
          throw new Error(`notification template ${id}: ${locale}.${part} is missing`);
      }
      needed.set(locale, [...new Set(PARTS.flatMap((p) => placeholders(texts[p])))].sort().join(','));
    }
    if (new Set(needed.values()).size > 1) {
      throw new Error(`notification template ${id}: the languages use different placeholders`);
    }
    templates.set(id, {
      texts: { en: { ...byLocale.en }, st: { ...byLocale.st } },
      needs: new Set(PARTS.flatMap((p) => placeholders(byLocale.en[p]))),
    });
  }
}

export function hasTemplate(id: string): boolean {
  return templates.has(id);
}

/** The template's texts in this language with the parameters filled in. */
export function renderTemplate(
  id: string,
  locale: Locale,
  params: Readonly<Record<string, string | number>>,
): TemplateTexts {
  const template = templates.get(id);
  if (!template) throw new Error(`unknown notification template ${id}`);
  const missing = [...template.needs].filter((name) => params[name] === undefined);
  if (missing.length) throw new Error(`notification template ${id} needs ${missing.join(', ')}`);
  // Filled in directly: through i18next this was half of what a notification cost in Node.
  const texts = template.texts[locale];
  const render = (p: (typeof PARTS)[number]) =>
    texts[p].replace(PLACEHOLDER, (_, name: string) => String(params[name]));
  return { subject: render('subject'), body: render('body'), sms: render('sms') };
}
