import type { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

type CryptoKey = webcrypto.CryptoKey;

export type KeyAlgorithm = 'EdDSA' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: KeyAlgorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * A platform key kept as a JWK file under DATA_DIR/keys (mode 0600), made on first use. One
 * process or a shared volume: for several servers, provide the same file to each.
 */
export async function loadOrCreateKey(dataDir: string, name: string, alg: KeyAlgorithm): Promise<SigningKey> {
  const file = path.join(dataDir, 'keys', `${name}.jwk.json`);
  let privateJwk: JWK;
  if (fs.existsSync(file)) {
    privateJwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } else {
    const pair = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    privateJwk = await exportJWK(pair.privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    privateJwk.alg = alg;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // wx: two processes racing to create the key must not overwrite each other's.
    try {
      fs.writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      privateJwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    }
  }
  return keyFromJwk(privateJwk);
}

export async function keyFromJwk(privateJwk: JWK): Promise<SigningKey> {
  const alg = privateJwk.alg as KeyAlgorithm;
  const { d: _d, ...publicJwk } = privateJwk;
  return {
    kid: privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk)),
    alg,
    privateKey: (await importJWK(privateJwk, alg)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, alg)) as CryptoKey,
    publicJwk,
  };
}
