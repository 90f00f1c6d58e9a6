import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The keys that protect second factors at rest, from DATA_DIR/keys/auth-factors.v<N>.key (32
 * random bytes, base64, mode 0600, made on first use; `mmuso backup` includes the keys folder).
 * The newest version seals and MACs; older versions stay readable, so a rotation is "add a
 * v<N+1> file and restart". Two subkeys are derived with HKDF so no key serves two purposes:
 * - seal/open: AES-256-GCM for TOTP secrets, bound to the row they belong to by the AAD;
 * - mac: HMAC-SHA-256 over one-time and recovery codes, so a copy of the database alone is not
 *   enough to brute-force the 10⁶ possible codes.
 */
export interface FactorKeys {
  /** The version new secrets and code hashes are made with. */
  readonly version: number;
  /** `v<N>.<iv>.<ciphertext>.<tag>`, base64url parts. */
  seal(plaintext: string, aad: string): string;
  /** The plaintext, or an Error when the text was altered, moved to another row or the key is gone. */
  open(sealed: string, aad: string): string;
  /** HMAC-SHA-256 (base64url) under the given version's MAC key. */
  mac(version: number, message: string): string;
}

const FILE = /^auth-factors\.v([1-9]\d{0,5})\.key$/;

function keyFile(dataDir: string, version: number): string {
  return path.join(dataDir, 'keys', `auth-factors.v${version}.key`);
}

function readMaster(dataDir: string, version: number): Buffer {
  const key = Buffer.from(fs.readFileSync(keyFile(dataDir, version), 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`auth-factors.v${version}.key does not hold 32 bytes`);
  return key;
}

/** Creates v1 when there is no key yet; otherwise the highest version present is current. */
export function loadFactorKeys(dataDir: string): FactorKeys {
  const dir = path.join(dataDir, 'keys');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const versions = () =>
    fs
      .readdirSync(dir)
      .map((f) => FILE.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);
  if (versions().length === 0) {
    try {
      // wx: two processes starting together must not overwrite each other's key.
      fs.writeFileSync(keyFile(dataDir, 1), randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const current = Math.max(...versions());
  const derived = new Map<number, { seal: Buffer; mac: Buffer }>();
  const subkeys = (version: number) => {
    let found = derived.get(version);
    if (!found) {
      const master = readMaster(dataDir, version);
      const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
      found = { seal: derive('mmuso auth-factors seal'), mac: derive('mmuso auth-factors mac') };
      derived.set(version, found);
    }
    return found;
  };
  subkeys(current);
  return {
    version: current,
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', subkeys(current).seal, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'));
      return [`v${current}`, ...parts].join('.');
    },
    open(sealed, aad) {
      const match = /^v([1-9]\d{0,5})\.([\w-]{16})\.([\w-]*)\.([\w-]{22})$/.exec(sealed);
      if (!match) throw new Error('not a sealed factor secret');
      const [, version, iv, body, tag] = match as unknown as [string, string, string, string, string];
      const decipher = createDecipheriv(
        'aes-256-gcm',
        subkeys(Number(version)).seal,
        Buffer.from(iv, 'base64url'),
      );
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    mac(version, message) {
      return createHmac('sha256', subkeys(version).mac).update(message, 'utf8').digest('base64url');
    },
  };
}
