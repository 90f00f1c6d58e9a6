import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { type Locale, translate } from '../i18n/index.js';
import type { FieldError } from './problem.js';

/**
 * Bodies are validated strictly: no type coercion ("5" is not 5), unknown fields refused rather
 * than silently dropped, every error reported at once. Query strings and path parameters arrive
 * as text, so they are coerced.
 */
function ajv(part: 'body' | 'other') {
  const instance = new Ajv({
    allErrors: part === 'body',
    coerceTypes: part === 'body' ? false : 'array',
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats.default(instance);
  return instance;
}

const bodyAjv = ajv('body');
const otherAjv = ajv('other');

/** Objects in a body schema refuse unknown properties unless the schema says otherwise. */
function closeObjects(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' && node.properties && node.additionalProperties === undefined) {
    node.additionalProperties = false;
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach(closeObjects);
    else closeObjects(value);
  }
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (httpPart === 'body') {
    closeObjects(schema);
    return bodyAjv.compile(schema as object);
  }
  return otherAjv.compile(schema as object);
};

/** The JSON pointer of the field an Ajv error is about (a missing or unknown property itself). */
export function pointerOf(error: ErrorObject): string {
  const base = error.instancePath;
  if (error.keyword === 'required')
    return `${base}/${(error.params as { missingProperty: string }).missingProperty}`;
  if (error.keyword === 'additionalProperties') {
    return `${base}/${(error.params as { additionalProperty: string }).additionalProperty}`;
  }
  return base || '/';
}

/** The kernel's text for an Ajv error about `field`, in `locale`. */
export function messageOf(error: ErrorObject, field: string, locale: Locale): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return translate(locale, 'field.required', { field });
    case 'additionalProperties':
      return translate(locale, 'field.unknown', { field });
    case 'type':
      return translate(locale, 'field.type', { field, type: params.type });
    case 'minLength':
      return translate(locale, 'field.too-short', { field, limit: params.limit });
    case 'maxLength':
      return translate(locale, 'field.too-long', { field, limit: params.limit });
    case 'enum':
      return translate(locale, 'field.one-of', {
        field,
        allowed: (params.allowedValues as unknown[]).join(', '),
      });
    default:
      return translate(locale, 'field.invalid', { field });
  }
}

/** One error per field (the first reason wins), each naming the field by JSON pointer. */
export function fieldErrors(errors: readonly ErrorObject[], where: string, locale: Locale): FieldError[] {
  const byPointer = new Map<string, FieldError>();
  // A union of literals fails once per literal: gather them into one "must be one of" message.
  const allowed = new Map<string, unknown[]>();
  for (const error of errors) {
    const pointer = pointerOf(error);
    const field = pointer === '/' ? where : (pointer.split('/').pop() ?? pointer);
    if (error.keyword === 'const') {
      const values = allowed.get(pointer) ?? [];
      values.push((error.params as { allowedValue: unknown }).allowedValue);
      allowed.set(pointer, values);
      const detail = translate(locale, 'field.one-of', { field, allowed: values.join(', ') });
      byPointer.set(pointer, { pointer, in: where, code: 'enum', detail });
      continue;
    }
    // anyOf/oneOf add a summary error after the branch errors; the branch errors say more.
    if (byPointer.has(pointer)) continue;
    byPointer.set(pointer, {
      pointer,
      in: where,
      code: error.keyword,
      detail: messageOf(error, field, locale),
    });
  }
  return [...byPointer.values()];
}
