export { type Access, admits, describeAccess, type RouteAccess, resolveScope } from './access.js';
export { type App, buildApp, type RoutesPlugin } from './app.js';
export { actionContext } from './context.js';
export { problemDocument, sendProblem } from './errors.js';
export { purgeExpiredIdempotencyKeys } from './idempotency.js';
export {
  type FieldError,
  fieldError,
  HttpProblem,
  PROBLEM_BASE,
  type ProblemDocument,
  problems,
} from './problem.js';
export { actorFromToken, issueToken, type TokenSettings, tokenSettings } from './tokens.js';
export { messageOf, pointerOf } from './validation.js';
