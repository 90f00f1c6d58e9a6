/** Escapes text for HTML; every value put into a page goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Tagged template that escapes interpolations; nest with `raw` for trusted fragments. */
export interface Raw {
  readonly html: string;
}
export const raw = (html: string): Raw => ({ html });

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const parts = Array.isArray(value) ? value : [value];
    out += parts
      .map((v) => (v && typeof v === 'object' && 'html' in v ? (v as Raw).html : escapeHtml(v)))
      .join('');
    out += strings[i + 1] ?? '';
  });
  return { html: out };
}
