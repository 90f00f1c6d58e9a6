import type { FastifyRequest, RouteOptions } from 'fastify';
import type { Actor, ActorType, StaffRole } from '../actors/index.js';
import type { AnyApp } from './app.js';
import { problems } from './problem.js';

/**
 * Who may call a route. Every route states it; a route without a statement stops start-up.
 * - `public`: anyone, signed in or not.
 * - `actors`: only these kinds of actor; staff may further be limited to `roles`, systems to `scopes`.
 */
export type Access =
  | { public: true }
  | {
      actors: readonly Exclude<ActorType, 'anonymous'>[];
      roles?: readonly StaffRole[];
      scopes?: readonly string[];
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its access statement: the table the authorisation tests walk. */
    routeAccess: RouteAccess[];
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

export function describeAccess(access: Access): string {
  if ('public' in access) return 'public';
  const parts = access.actors.map((type) => {
    if (type === 'staff' && access.roles?.length) return `staff (${access.roles.join(', ')})`;
    if (type === 'system' && access.scopes?.length) return `system (scopes: ${access.scopes.join(', ')})`;
    return type;
  });
  return parts.join(' or ');
}

/**
 * Whether the access statement lets this actor in. A scope may name a path parameter in braces —
 * `identity:resolve:{sector}` — so a client is authorised per sector, per registry, and so on.
 */
export function admits(access: Access, actor: Actor, params: Record<string, unknown> = {}): boolean {
  if ('public' in access) return true;
  if (actor.type === 'anonymous' || !access.actors.includes(actor.type)) return false;
  if (actor.type === 'staff' && access.roles?.length)
    return actor.roles.some((r) => access.roles?.includes(r));
  if (actor.type === 'system' && access.scopes?.length) {
    return access.scopes.every((scope) => actor.scopes.includes(resolveScope(scope, params)));
  }
  return true;
}

export function resolveScope(scope: string, params: Record<string, unknown>): string {
  return scope.replace(/\{(\w+)\}/g, (_all, name: string) => String(params[name] ?? ''));
}

/** Routes registered by documentation plugins we do not write ourselves; all public reading. */
const PLUGIN_PUBLIC_PREFIXES = ['/docs'];

/**
 * Deny by default: refuses to register a route without an access statement, and writes the
 * statement into the route's OpenAPI description.
 */
export function enforceAccess(app: AnyApp): void {
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    if (!route.config?.access) {
      if (PLUGIN_PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) {
        route.config = { ...route.config, access: { public: true } };
      } else {
        throw new Error(
          `Route ${String(route.method)} ${url} does not declare who may call it (config.access)`,
        );
      }
    }
    const access = route.config.access as Access;
    for (const method of [route.method].flat()) table.push({ method, url, access });
    if (route.schema) {
      const schema = route.schema as Record<string, unknown>;
      schema['x-access'] = describeAccess(access);
      if (!('public' in access)) schema.security = [{ bearer: [] }];
      schema.description = [schema.description, `Who may call: ${describeAccess(access)}.`]
        .filter(Boolean)
        .join('\n\n');
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    // Unmatched URLs reach the not-found handler, which has no statement and needs none.
    if (!access) return;
    if (admits(access, request.actor, request.params as Record<string, unknown>)) return;
    throw request.actor.type === 'anonymous' ? problems.unauthenticated() : problems.forbidden();
  });
}
