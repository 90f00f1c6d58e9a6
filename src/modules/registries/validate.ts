import type { ErrorObject } from 'ajv';
import type { FieldError } from '../../core/http/problem.js';
import type { Registry } from './catalogue.js';

/** The kernel's field texts by failed keyword; translated when the problem is sent. */
function detailOf(error: ErrorObject): { detail: string; values: Record<string, unknown> } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { detail: 'field.required', values: {} };
    case 'additionalProperties':
      return { detail: 'field.unknown', values: {} };
    case 'type':
      return { detail: 'field.type', values: { type: params.type } };
    case 'minLength':
      return { detail: 'field.too-short', values: { limit: params.limit } };
    case 'maxLength':
      return { detail: 'field.too-long', values: { limit: params.limit } };
    case 'enum':
      return { detail: 'field.one-of', values: { allowed: (params.allowedValues as unknown[]).join(', ') } };
    default:
      return { detail: 'field.invalid', values: {} };
  }
}

function pointerOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const named = params.missingProperty ?? params.additionalProperty;
  return `${error.instancePath}${named === undefined ? '' : `/${String(named)}`}` || '/';
}

/**
 * Why a record does not fit its registry: one error per field (the first reason found), each
 * with a JSON pointer relative to the record. Empty when it fits.
 */
export function recordErrors(registry: Registry, data: unknown): FieldError[] {
  if (registry.validate(data)) return [];
  const byPointer = new Map<string, FieldError>();
  for (const error of registry.validate.errors ?? []) {
    const pointer = pointerOf(error);
    if (byPointer.has(pointer)) continue;
    const field = pointer === '/' ? 'record' : (pointer.split('/').pop() ?? pointer);
    const { detail, values } = detailOf(error);
    byPointer.set(pointer, {
      pointer,
      in: 'body',
      code: error.keyword,
      detail,
      values: { field, ...values },
    });
  }
  return [...byPointer.values()];
}
