import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { Kernel } from '../../core/kernel/index.js';
import { publicJwk, signingKeys } from './keys.js';

/**
 * The provider follows auth.signing_keys while the server runs, so `mmuso keys rotate` in any
 * process takes effect in every server within AUTH_KEYS_CHECK_SECONDS, without a restart: new
 * tokens are signed with the new key, and the JWKS publishes each key until it retires.
 *
 * oidc-provider reads its keys once, when it is made; so when the keys change a new instance is
 * made from the same settings (all its state is in the database, so nothing is lost) and takes
 * over. `provider` is a stand-in that always reaches the current instance: keep it, never an
 * instance. Anything set up on the provider belongs in `build`, which every new instance goes through.
 */
export interface LiveProvider {
  provider: Provider;
  /** The provider's request handler (the current instance's). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Reads the keys now; makes a new instance when they changed. True when they did. */
  refresh(): Promise<boolean>;
  stop(): void;
}

const fingerprint = (keys: readonly JWK[]) => keys.map((k) => k.kid).join(' ');

/** Methods run on the current instance (they use its private fields); model classes come as they are. */
function forwardingTo(current: () => Provider): Provider {
  return new Proxy({} as Provider, {
    get(_stub, name) {
      const target = current();
      for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
        const descriptor = Object.getOwnPropertyDescriptor(o, name);
        if (!descriptor) continue;
        return typeof descriptor.value === 'function'
          ? descriptor.value.bind(target)
          : Reflect.get(target, name);
      }
      return undefined;
    },
    set(_stub, name, value) {
      return Reflect.set(current(), name, value);
    },
  });
}

export async function liveProvider(
  kernel: Kernel,
  build: (keys: JWK[]) => Provider,
  onKeys: (publicKeys: JWK[]) => void,
): Promise<LiveProvider> {
  let keys = await signingKeys(kernel.db);
  let instance = build(keys);
  let handle = instance.callback();
  onKeys(keys.map(publicJwk));

  async function refresh(): Promise<boolean> {
    const now = await signingKeys(kernel.db);
    if (fingerprint(now) === fingerprint(keys)) return false;
    const next = build(now);
    [keys, instance, handle] = [now, next, next.callback()];
    onKeys(now.map(publicJwk));
    kernel.log.info({ kids: now.map((k) => k.kid) }, 'login: signing keys changed, the provider uses them');
    return true;
  }
  const timer = setInterval(() => {
    refresh().catch((err) => kernel.log.warn({ err }, 'login: could not read the signing keys'));
  }, kernel.config.AUTH_KEYS_CHECK_SECONDS * 1000);
  timer.unref();

  return {
    provider: forwardingTo(() => instance),
    handle: (req, res) => void handle(req, res),
    refresh,
    stop: () => clearInterval(timer),
  };
}
