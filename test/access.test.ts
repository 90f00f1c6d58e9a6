import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, anonymous, STAFF_ROLES } from '../src/core/actors/index.js';
import { admits, issueToken, type RouteAccess, resolveScope, tokenSettings } from '../src/core/http/index.js';
import { newId } from '../src/core/ids/index.js';
import { actors, createTestApp, type TestApp } from './support/kernel.js';

/**
 * Walks the whole route table: every route refuses every actor its statement does not admit,
 * and lets through (past the access check) at least one actor it does. A new route is covered
 * the day it is added.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const callers: { name: string; actor: Actor }[] = [
  { name: 'anonymous', actor: anonymous },
  { name: 'citizen', actor: actors.citizen() },
  { name: 'staff without roles', actor: actors.staff([]) },
  ...STAFF_ROLES.map((role) => ({ name: `staff ${role}`, actor: actors.staff([role]) })),
  { name: 'system without scopes', actor: actors.system([]) },
];

function concreteUrl(route: RouteAccess): string {
  return route.url.replace(/:[A-Za-z]+/g, newId()).replace(/\*$/, 'x');
}

/** A system client holding exactly the scopes a route asks for, resolved for the URL called. */
function scopedCaller(route: RouteAccess, url: string): { name: string; actor: Actor }[] {
  if ('public' in route.access || !route.access.scopes?.length) return [];
  const params = paramsOf(route.url, url);
  const scopes = route.access.scopes.map((s) => resolveScope(s, params));
  return [{ name: `system with ${scopes.join(' ')}`, actor: actors.system(scopes) }];
}

function paramsOf(template: string, url: string): Record<string, string> {
  const names = template.split('/');
  const values = url.split('/');
  return Object.fromEntries(
    names.flatMap((n, i) => (n.startsWith(':') ? [[n.slice(1), values[i] ?? '']] : [])),
  );
}

async function call(route: RouteAccess, actor: Actor, url = concreteUrl(route)) {
  const headers = actor.type === 'anonymous' ? {} : await t.as(actor);
  const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  return t.app.inject({
    method: route.method as 'GET',
    url,
    headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(withBody ? { payload: '{}' } : {}),
  });
}

describe('route table authorisation', () => {
  it('has routes, each with a statement', () => {
    expect(t.app.routeAccess.length).toBeGreaterThan(5);
    for (const route of t.app.routeAccess) expect(route.access).toBeDefined();
  });

  it('every protected route refuses the actors it does not admit, and admits the ones it does', async () => {
    const protectedRoutes = t.app.routeAccess.filter((r) => !('public' in r.access) && r.method !== 'HEAD');
    expect(protectedRoutes.length).toBeGreaterThan(0);
    for (const route of protectedRoutes) {
      let admitted = 0;
      const url = concreteUrl(route);
      for (const { name, actor } of [...callers, ...scopedCaller(route, url)]) {
        const response = await call(route, actor, url);
        const label = `${route.method} ${route.url} as ${name}`;
        if (admits(route.access, actor, paramsOf(route.url, url))) {
          admitted += 1;
          expect([401, 403], label).not.toContain(response.statusCode);
        } else {
          expect(response.statusCode, label).toBe(actor.type === 'anonymous' ? 401 : 403);
          expect(response.headers['content-type'], label).toMatch(/^application\/problem\+json/);
        }
      }
      expect(admitted, `${route.method} ${route.url} admits nobody`).toBeGreaterThan(0);
    }
  });

  it('a forged or expired token is refused on every route, public ones included', async () => {
    const token = await t.tokenFor(actors.staff(['administrator']));
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    const settings = tokenSettings(t.kernel.config, t.kernel.keys.tokens);
    const expired = await issueToken(actors.staff(['administrator']), t.kernel.keys.tokens, settings, -60);
    const otherAudience = await issueToken(actors.staff(['administrator']), t.kernel.keys.tokens, {
      ...settings,
      audience: 'https://elsewhere.example/api',
    });
    for (const bad of [forged, expired, otherAudience, 'not-a-jwt']) {
      for (const route of t.app.routeAccess.filter((r) => r.method === 'GET').slice(0, 5)) {
        const response = await t.app.inject({
          method: 'GET',
          url: concreteUrl(route),
          headers: { authorization: `Bearer ${bad}` },
        });
        expect(response.statusCode, route.url).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    }
  });

  it('the OpenAPI document states who may call each operation', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const post = doc.paths['/api/v1/announcements'].post;
    expect(post['x-access']).toBe('staff (administrator, supervisor)');
    expect(post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/v1/announcements'].get['x-access']).toBe('public');
  });
});
