import { type FieldError, messageOf, pointerOf } from '../../core/http/index.js';
import type { Locale } from '../../core/i18n/index.js';
import type { CatalogueEntry } from './catalogue.js';

/**
 * Form data checked against the service's form schema: one error per field, in the caller's
 * language, with the ministry's own text where the definition gives one for the failed keyword
 * and the platform's otherwise. `base` is where the form sits in the request body.
 */
export function formErrors(
  entry: CatalogueEntry,
  data: unknown,
  locale: Locale,
  base = '/form',
): FieldError[] {
  const { validateForm, definition } = entry;
  if (validateForm(data)) return [];
  const byPointer = new Map<string, FieldError>();
  for (const error of validateForm.errors ?? []) {
    const pointer = pointerOf(error) === '/' ? '' : pointerOf(error);
    if (byPointer.has(pointer)) continue;
    const text = definition.form.fields[pointer];
    const field = text?.label[locale] ?? pointer.split('/').pop() ?? 'form';
    const own = text?.errors?.[error.keyword]?.[locale];
    byPointer.set(pointer, {
      pointer: `${base}${pointer}`,
      in: 'body',
      code: error.keyword,
      detail: own ?? messageOf(error, field, locale),
    });
  }
  return [...byPointer.values()];
}
