import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawServerDefault,
} from 'fastify';
import type { JWK } from 'jose';
import { Type } from 'typebox';
import { type Actor, anonymous } from '../actors/index.js';
import { chooseLocale, type Locale } from '../i18n/index.js';
import { newId } from '../ids/index.js';
import type { Kernel } from '../kernel/index.js';
import { enforceAccess } from './access.js';
import { problemHandlers } from './errors.js';
import { idempotency } from './idempotency.js';
import { metrics } from './metrics.js';
import { problems } from './problem.js';
import { sendSecurityHeaders } from './security-headers.js';
import { actorFromToken, InvalidTokenError, tokenSettings } from './tokens.js';
import { validatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    locale: Locale;
  }
  interface FastifyInstance {
    /** Trust these public keys for bearer tokens too (the login provider's; replaces the previous set). */
    trustTokenKeys(keys: readonly JWK[]): void;
  }
  interface FastifyContextConfig {
    /** The route hands the raw request to another HTTP stack that reads Authorization itself. */
    rawHttp?: boolean;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
// biome-ignore lint/suspicious/noExplicitAny: kernel hooks work on any instance, whatever its type provider.
export type AnyApp = FastifyInstance<any, any, any, any, any>;
/** A module's HTTP surface: a plugin given the kernel. */
export type RoutesPlugin = (app: App, kernel: Kernel) => Promise<void> | void;

const REQUEST_ID = /^[\w.:-]{1,64}$/;

export async function buildApp(kernel: Kernel, modules: readonly RoutesPlugin[]): Promise<App> {
  const { config } = kernel;
  const app = Fastify({
    loggerInstance: kernel.log as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    trustProxy: config.NODE_ENV === 'production' && Boolean(config.PUBLIC_URL),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('locale', 'en');

  // Cookies first: the language hook below reads the lang cookie.
  await app.register(cookie);
  let trusted: readonly JWK[] = [];
  const settings = tokenSettings(config, kernel.keys.tokens, () => trusted);
  app.decorate('trustTokenKeys', (keys: readonly JWK[]) => {
    trusted = [...keys];
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.actor = anonymous;
    const query = request.query as Record<string, unknown> | undefined;
    request.locale = chooseLocale({
      query: query?.lang,
      cookie: request.cookies?.lang,
      acceptLanguage: request.headers['accept-language'],
    });
    const authorization = request.headers.authorization;
    if (!authorization || request.routeOptions.config.rawHttp) return;
    const [scheme, token] = authorization.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw problems.unauthenticated();
    try {
      request.actor = await actorFromToken(token, settings);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw problems.unauthenticated();
      throw error;
    }
  });

  problemHandlers(app);
  const https = config.publicUrl.startsWith('https://');
  sendSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
  });
  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    await app.register(rateLimit, {
      max: config.RATE_LIMIT_PER_MINUTE,
      timeWindow: '1 minute',
      allowList: (request) => request.url.startsWith('/health/'),
    });
  }
  const origins = config.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.length) await app.register(cors, { origin: origins });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mmuso API',
        version: '1',
        description:
          'The platform API of the Government of Lesotho. Errors are RFC 9457 problem+json; every POST accepts an Idempotency-Key header.',
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  enforceAccess(app);
  idempotency(app, kernel.db);
  const registry = metrics(app, kernel.db);

  app.get(
    '/health/live',
    {
      config: { access: { public: true } },
      schema: { tags: ['operations'], summary: 'The process is running', hide: true },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/health/ready',
    {
      config: { access: { public: true } },
      schema: { tags: ['operations'], summary: 'The database answers', hide: true },
    },
    async (_request, reply) => {
      try {
        await kernel.db.query('SELECT 1');
        return { status: 'ok' };
      } catch {
        return reply
          .code(503)
          .type('application/problem+json')
          .send({ type: 'about:blank', title: 'not ready', status: 503 });
      }
    },
  );
  app.get(
    '/metrics',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
  app.get(
    '/openapi.json',
    {
      config: { access: { public: true } },
      schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } },
    },
    async () => app.swagger(),
  );

  for (const register of modules)
    await app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>(), kernel));
  return app;
}
