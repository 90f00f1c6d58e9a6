import { validate } from '@readme/openapi-parser';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceAccess } from '../src/core/http/access.js';
import { actors, createTestApp, type TestApp } from './support/kernel.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT: '4096' });
});
afterAll(() => t.close());

/** Every table a module owns, with its row count: "bad input changes nothing" is checked on all. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await t.kernel.db.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await t.kernel.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
    counts[name] = Number(row?.n);
  }
  return counts;
}

const notice = {
  title: { en: 'Title', st: 'Sehlooho' },
  body: { en: 'Body', st: 'Litaba' },
};

describe('bad input gets problem+json and changes nothing', () => {
  const cases: {
    name: string;
    status: number;
    type: string;
    payload: string;
    pointer?: string;
    contentType?: string;
  }[] = [
    { name: 'malformed JSON', status: 400, type: 'bad-request', payload: '{"title": {' },
    {
      name: 'an unknown field',
      status: 400,
      type: 'validation',
      payload: JSON.stringify({ ...notice, colour: 'blue' }),
      pointer: '/colour',
    },
    {
      name: 'a wrong-typed field',
      status: 400,
      type: 'validation',
      payload: JSON.stringify({ ...notice, title: { en: 5, st: 'x' } }),
      pointer: '/title/en',
    },
    {
      name: 'a missing field',
      status: 400,
      type: 'validation',
      payload: JSON.stringify({ title: notice.title }),
      pointer: '/body',
    },
    {
      name: 'a value outside the allowed set',
      status: 400,
      type: 'validation',
      payload: JSON.stringify({ ...notice, district: 'Z' }),
      pointer: '/district',
    },
    {
      name: 'a body over the limit',
      status: 413,
      type: 'too-large',
      payload: JSON.stringify({ ...notice, body: { en: 'x'.repeat(5000), st: 'y' } }),
    },
    {
      name: 'a body that is not JSON',
      status: 415,
      type: 'unsupported-media-type',
      payload: 'title=x',
      contentType: 'application/x-www-form-urlencoded',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const before = await rowCounts();
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/announcements',
        headers: {
          ...(await t.as(actors.staff(['administrator']))),
          'content-type': c.contentType ?? 'application/json',
        },
        payload: c.payload,
      });
      expect(response.statusCode).toBe(c.status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json();
      expect(problem).toMatchObject({ type: `https://mmuso.gov.ls/problems/${c.type}`, status: c.status });
      expect(problem.title).toEqual(expect.any(String));
      expect(problem.instance).toBe('/api/v1/announcements');
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+|node_modules/);
      if (c.pointer) {
        expect(problem.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ pointer: c.pointer, in: 'body' })]),
        );
      }
      expect(await rowCounts()).toEqual(before);
    });
  }

  it('reports every invalid field at once, in Sesotho when asked', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/announcements?lang=st',
      headers: await t.as(actors.staff(['administrator'])),
      payload: { title: { en: '' }, colour: 'blue' },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.title).toBe('Ho na le bothata ho seo u se kentseng');
    const pointers = problem.errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/body', '/colour', '/title/en', '/title/st']);
    expect(problem.errors.find((e: { pointer: string }) => e.pointer === '/body').detail).toBe('Kenya body');
  });

  it('an unknown route → 404 problem+json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: 'https://mmuso.gov.ls/problems/not-found', status: 404 });
  });

  it('a malformed path parameter → 400 naming it', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/announcements/not-a-uuid' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/id', in: 'params' })]);
  });
});

describe('HTTP kernel', () => {
  it('serves a valid OpenAPI 3.1 document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(Object.keys(doc.paths)).toContain('/api/v1/announcements/{id}');
  });

  it('serves the API reference page', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });

  it('puts a request id on every response, and keeps a well-formed one the caller sent', async () => {
    const own = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'lb-1234' },
    });
    expect(given.headers['x-request-id']).toBe('lb-1234');
    const hostile = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': '<script>' },
    });
    expect(hostile.headers['x-request-id']).not.toBe('<script>');
  });

  it('sends security headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    // HSTS only where the platform is served over https.
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reports readiness and Prometheus metrics', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ok' });
    await t.app.inject({ method: 'GET', url: '/api/v1/announcements' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/announcements"/,
    );
    expect(metrics.body).toMatch(/outbox_lag_seconds \d/);
    expect(metrics.body).toContain('outbox_events{status="pending"}');
  });

  it('speaks the language the person chose, then their cookie, then the browser’s', async () => {
    const title = async (headers: Record<string, string>, url = '/') =>
      (await t.app.inject({ method: 'GET', url, headers })).body.match(/<h1>(.*)<\/h1>/)?.[1];
    expect(await title({ 'accept-language': 'st-LS,st;q=0.9,en;q=0.5' })).toBe(
      'Mmuso: litšebeletso tsa ’Muso oa Lesotho',
    );
    expect(await title({ 'accept-language': 'fr' })).toBe('Mmuso: government services of Lesotho');
    expect(await title({ cookie: 'lang=st', 'accept-language': 'en' })).toContain('litšebeletso');
    expect(await title({ cookie: 'lang=st' }, '/?lang=en')).toContain('government services');
  });

  it('refuses to start when a route does not say who may call it', async () => {
    const app = Fastify();
    enforceAccess(app);
    expect(() => app.get('/forgotten', async () => 'x')).toThrow(
      /GET \/forgotten does not declare who may call it/,
    );
    await app.close();
  });

  it('rate-limits a client that sends too many requests', async () => {
    const limited = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.app.inject({ method: 'GET', url: '/api/v1/announcements' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await limited.app.inject({ method: 'GET', url: '/api/v1/announcements' });
      expect(refused.json().type).toBe('https://mmuso.gov.ls/problems/rate-limited');
      expect((await limited.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
