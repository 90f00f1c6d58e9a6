import type { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { Config } from '../../../core/config/index.js';

/** The path the external provider sends people back to; register `<PUBLIC_URL>` + this there. */
export const FEDERATION_CALLBACK_PATH = '/auth/federation/callback';

export interface Upstream {
  issuer: string;
  redirectUri: string;
  scope: string;
  /** The provider's metadata, discovered on first use and kept; a failed discovery is tried again. */
  configuration(): Promise<oidc.Configuration>;
  /** The public key of private_key_jwt, for the provider to fetch as our jwks_uri. */
  publicJwks: { keys: JWK[] };
}

async function clientAuthentication(config: Config): Promise<{ auth: oidc.ClientAuth; publicJwks: JWK[] }> {
  if (config.FEDERATION_CLIENT_AUTH === 'client_secret_basic') {
    return { auth: oidc.ClientSecretBasic(config.FEDERATION_CLIENT_SECRET), publicJwks: [] };
  }
  const file = config.FEDERATION_PRIVATE_KEY_FILE as string;
  const jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
  if (!jwk.d) throw new Error(`FEDERATION_PRIVATE_KEY_FILE ${file} holds no private key`);
  const key = (await importJWK({ ...jwk, alg }, alg)) as webcrypto.CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return {
    auth: oidc.PrivateKeyJwt({ key, ...(jwk.kid ? { kid: jwk.kid } : {}) }),
    publicJwks: [{ ...publicJwk, alg, use: 'sig' }],
  };
}

/** The external OpenID provider of FEDERATION_*; undefined when none is configured. */
export async function federationUpstream(config: Config): Promise<Upstream | undefined> {
  if (!config.FEDERATION_ISSUER || !config.FEDERATION_CLIENT_ID) return undefined;
  const issuer = config.FEDERATION_ISSUER;
  const clientId = config.FEDERATION_CLIENT_ID;
  const { auth, publicJwks } = await clientAuthentication(config);
  // Plain http is allowed (by the configuration) only for a provider on this machine.
  const options = issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined;
  let discovered: Promise<oidc.Configuration> | undefined;
  return {
    issuer,
    redirectUri: `${config.publicUrl}${FEDERATION_CALLBACK_PATH}`,
    scope: config.FEDERATION_SCOPE,
    publicJwks: { keys: publicJwks },
    configuration() {
      discovered ??= oidc.discovery(new URL(issuer), clientId, undefined, auth, options).catch((error) => {
        discovered = undefined;
        throw error;
      });
      return discovered;
    },
  };
}
