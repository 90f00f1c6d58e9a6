import type { MessageKey } from '../i18n/index.js';

/** Stable problem type URIs: integrators switch on these, so they never change once published. */
export const PROBLEM_BASE = 'https://mmuso.gov.ls/problems/';

export interface FieldError {
  /** JSON Pointer (RFC 6901) to the field in the request, e.g. "/applicant/surname". */
  pointer: string;
  /** Where the field was: body, querystring, params or headers. */
  in: string;
  code: string;
  /** Text for people; a message key is translated into the caller's language when sent. */
  detail: string;
  values?: Record<string, unknown>;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * An error meant for the caller, rendered as RFC 9457 problem+json. `slug` becomes the stable
 * type; `title` is a message key so the text follows the caller's language.
 */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: MessageKey | string,
    readonly options: {
      detail?: MessageKey | string;
      values?: Record<string, unknown>;
      errors?: FieldError[];
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(`${status} ${slug}`);
  }
}

export const problems = {
  notFound: () =>
    new HttpProblem(404, 'not-found', 'problem.not-found', { detail: 'problem.not-found.detail' }),
  forbidden: () =>
    new HttpProblem(403, 'forbidden', 'problem.forbidden', { detail: 'problem.forbidden.detail' }),
  unauthenticated: () =>
    new HttpProblem(401, 'unauthenticated', 'problem.unauthenticated', {
      detail: 'problem.unauthenticated.detail',
      headers: { 'www-authenticate': 'Bearer' },
    }),
  /** Semantic errors in well-formed input: 422 with one entry per field. */
  invalid: (errors: FieldError[]) =>
    new HttpProblem(422, 'validation', 'problem.validation', { detail: 'problem.validation.detail', errors }),
  conflict: (detail: string, extensions?: Record<string, unknown>) =>
    new HttpProblem(409, 'conflict', 'problem.conflict', { detail, ...(extensions ? { extensions } : {}) }),
};

/** A field error in the body, for domain rules a schema cannot express. `detail` may be a message key. */
export function fieldError(
  pointer: string,
  code: string,
  detail: string,
  values?: Record<string, unknown>,
): FieldError {
  return { pointer, in: 'body', code, detail, ...(values ? { values } : {}) };
}
