import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { systemActor } from '../../core/actors/index.js';
import type { RoutesPlugin } from '../../core/http/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { PERSON_DIED } from '../identity/index.js';
import { messagingChannels } from '../messaging/index.js';
import { accountRoutes } from './account-routes.js';
import { disableAccountOfPerson } from './accounts.js';
import { consentPageRoutes } from './consent-pages.js';
import { loadFactorKeys } from './factors/index.js';
import { federationRoutes, federationUpstream } from './federation/index.js';
import { consentRoutes } from './interaction/consent.js';
import { interactionKit } from './interaction/kit.js';
import { progressStore } from './interaction/progress.js';
import { secondFactorRoutes } from './interaction/second-factor.js';
import { signInRoutes } from './interaction/sign-in.js';
import { sharedSecret } from './keys.js';
import { liveProvider } from './live-provider.js';

const css = fs.readFileSync(new URL('../../web/auth/login.css', import.meta.url), 'utf8');
const subscribed = new WeakSet<object>();

/** Death registration disables the person's account (delivered through the outbox, at least once). */
export function subscribeToIdentity(kernel: Kernel): void {
  if (subscribed.has(kernel.events)) return;
  subscribed.add(kernel.events);
  kernel.events.subscribe(PERSON_DIED, 'auth.disable-account', async (event) => {
    const { personId } = event.payload as { personId: string };
    await change(kernel, { actor: systemActor('login') }, (c) =>
      disableAccountOfPerson(c, personId, 'death registered'),
    );
  });
}

export async function startProvider(kernel: Kernel, trustKeys: (publicKeys: JWK[]) => void) {
  // Loaded only when a server starts: oidc-provider warns on import under Node 20.
  const { apiResource, createProvider } = await import('./provider.js');
  const settings = {
    cookieKeys: [await sharedSecret(kernel.db, 'oidc-cookies')],
    pairwiseKey: await sharedSecret(kernel.db, 'pairwise-subjects'),
    sectorKeys: { dataDir: kernel.config.dataDir, version: kernel.config.SECTOR_TOKEN_KEY_VERSION },
  };
  const live = await liveProvider(
    kernel,
    (signingKeys) => createProvider(kernel, { ...settings, signingKeys }),
    trustKeys,
  );
  return { live, provider: live.provider, apiResource };
}

export const authRoutes: RoutesPlugin = async (app, kernel) => {
  const { live, provider, apiResource } = await startProvider(kernel, (keys) => app.trustTokenKeys(keys));
  app.addHook('onClose', async () => live.stop());
  subscribeToIdentity(kernel);
  const upstream = await federationUpstream(kernel.config);
  if (upstream) await federationRoutes(app, kernel, provider, upstream);

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  // The provider's own endpoints: hijacked before Fastify parses the body, with the /oidc prefix
  // moved from url to originalUrl so the provider derives its mount path.
  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/oidc/*',
    config: { access: { public: true }, rawHttp: true },
    schema: { hide: true },
    onRequest: (request, reply) => {
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice('/oidc'.length) || '/';
      live.handle(raw, reply.raw);
    },
    handler: async () => undefined,
  });

  app.get(
    '/assets/login.css',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );

  const kit = interactionKit({
    kernel,
    provider,
    csrfKey: await sharedSecret(kernel.db, 'csrf'),
    factorKeys: loadFactorKeys(kernel.config.dataDir),
    // Looked up at each send: the gateway the configuration chose (the simulator by default).
    sms: { send: (to, text) => messagingChannels(kernel).sms.send(to, text) },
    federation: upstream ? kernel.config.FEDERATION_NAME : undefined,
  });
  const steps = secondFactorRoutes(app, kit, progressStore(kernel.db));
  signInRoutes(app, kit, steps);
  consentRoutes(app, kit, apiResource(kernel));
  accountRoutes(app, kernel, { keys: kit.factorKeys, sms: kit.sms });
  consentPageRoutes(app, kit);
};
