import type { FastifyRequest } from 'fastify';
import type { ActionContext } from '../kernel/index.js';

/** The actor, request id and idempotency claim a change made for this request carries. */
export function actionContext(request: FastifyRequest): ActionContext {
  return {
    actor: request.actor,
    requestId: request.id,
    ...(request.idempotency ? { idempotency: request.idempotency } : {}),
  };
}
