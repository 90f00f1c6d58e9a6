import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../i18n/index.js';
import type { AnyApp } from './app.js';
import { HttpProblem, PROBLEM_BASE, type ProblemDocument, problems } from './problem.js';
import { fieldErrors } from './validation.js';

/** Turns every failure into problem+json in the caller's language; never a stack trace. */
export function problemDocument(problem: HttpProblem, request: FastifyRequest): ProblemDocument {
  const { detail, values, errors, extensions } = problem.options;
  return {
    type: `${PROBLEM_BASE}${problem.slug}`,
    title: translate(request.locale, problem.title, values),
    status: problem.status,
    ...(detail ? { detail: translate(request.locale, detail, values) } : {}),
    instance: request.url,
    ...(errors
      ? {
          errors: errors.map(({ values: v, ...e }) => ({
            ...e,
            detail: translate(request.locale, e.detail, v),
          })),
        }
      : {}),
    ...extensions,
    requestId: request.id,
  };
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem) {
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemDocument(problem, reply.request));
}

function toProblem(error: FastifyError, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error.validation) {
    const where = error.validationContext ?? 'body';
    return new HttpProblem(400, 'validation', 'problem.validation', {
      detail: 'problem.validation.detail',
      errors: fieldErrors(error.validation as never, where, request.locale),
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpProblem(400, 'bad-request', 'problem.bad-request', {
        detail: 'problem.bad-request.detail',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(413, 'too-large', 'problem.too-large', {
        detail: 'problem.too-large.detail',
        values: { limit: request.routeOptions.bodyLimit },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem(415, 'unsupported-media-type', 'problem.unsupported-media-type', {
        detail: 'problem.unsupported-media-type.detail',
      });
  }
  if (error.statusCode === 429) {
    return new HttpProblem(429, 'rate-limited', 'problem.rate-limited', {
      detail: 'problem.rate-limited.detail',
    });
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new HttpProblem(400, 'bad-request', 'problem.bad-request', {
      detail: 'problem.bad-request.detail',
    });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new HttpProblem(error.statusCode, 'bad-request', 'problem.bad-request');
  }
  return new HttpProblem(500, 'internal', 'problem.internal', {
    detail: 'problem.internal.detail',
    values: { requestId: request.id },
  });
}

export function problemHandlers(app: AnyApp): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, problems.notFound()));
}
