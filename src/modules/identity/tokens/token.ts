import { createHmac, hkdfSync } from 'node:crypto';
import { isVerhoeffValid } from '../uin/index.js';
import { encodeCrockford } from './crockford.js';

/**
 * Sector tokens: the identifier another agency holds for a person instead of the UIN.
 *
 * token = "<key version>.<Crockford base32 of the first 16 bytes of HMAC-SHA256(sector key, UIN)>", and
 * sector key = HKDF-SHA256(master key, salt = SECTOR_TOKEN_SALT, info = "mmuso/sector-token/<sector>/v<n>").
 *
 * An agency cannot recover the UIN from its token (HMAC is one-way and 10-digit UINs are too few to be safe
 * from a plain hash, hence the secret key), nor link its tokens to another agency's, because every sector
 * and key version has an independent key. Only the register, holding the master key, can map between them.
 */

/**
 * The HKDF salt. RFC 5869 allows a fixed, public salt; it only adds strength when the master key is not
 * uniformly random, and changing it would change every token, so it is a constant of the format.
 */
export const SECTOR_TOKEN_SALT = 'mmuso/sector-token/hkdf-salt/v1';

// Lower-case letters and inner hyphens: "health", "social-development". '/' in particular is excluded,
// so the HKDF info string cannot be made ambiguous by a sector name.
const SECTOR = /^[a-z][a-z-]{0,30}[a-z]$/;

// Versions are stored in a Postgres integer column (sector_tokens.key_version).
const MAX_VERSION = 2_147_483_647;

// HMAC-SHA256 keys and HKDF input give no more than 256 bits of strength; a shorter master key gives less.
const MIN_MASTER_KEY_BYTES = 32;

const SECTOR_KEY_BYTES = 32;
const TOKEN_BYTES = 16;

// 1–10 digits without a leading zero, a dot, then 26 Crockford characters. 16 bytes fill only 3 bits of the
// last character and the 2 padding bits must be zero (values 0, 4, 8, …, 28), so no token has two spellings.
const TOKEN = /^([1-9][0-9]{0,9})\.([0-9A-HJKMNP-TV-Z]{25}[048CGMRW])$/;

/** Whether `sector` is a valid sector name: 2–32 lower-case letters and hyphens, starting and ending with a letter. */
export function isSectorName(sector: string): boolean {
  return SECTOR.test(sector);
}

function assertInputs(masterKey: Uint8Array, sector: string, version: number): void {
  if (!(masterKey instanceof Uint8Array) || masterKey.length < MIN_MASTER_KEY_BYTES) {
    throw new RangeError(`Sector token master key must be at least ${MIN_MASTER_KEY_BYTES} bytes`);
  }
  if (typeof sector !== 'string' || !isSectorName(sector)) {
    throw new RangeError(`Sector name must be 2-32 lower-case letters and inner hyphens, got "${sector}"`);
  }
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new RangeError(`Sector key version must be an integer from 1 to ${MAX_VERSION}, got ${version}`);
  }
}

/**
 * The 32-byte key of one sector and key version, derived from the master key with HKDF-SHA256.
 * Throws RangeError for a master key under 32 bytes, an invalid sector name or a version outside 1–2^31-1.
 */
export function deriveSectorKey(masterKey: Uint8Array, sector: string, version: number): Buffer {
  assertInputs(masterKey, sector, version);
  const info = `mmuso/sector-token/${sector}/v${version}`;
  return Buffer.from(hkdfSync('sha256', masterKey, SECTOR_TOKEN_SALT, info, SECTOR_KEY_BYTES));
}

/**
 * A function making tokens for one sector and key version, deriving the key once: use it to tokenise many
 * UINs. Throws as {@link deriveSectorKey} does; the function throws RangeError for anything but a string of
 * digits ending in a valid Verhoeff check digit, since a token of a mistyped UIN would silently match no one.
 */
export function sectorTokenizer(
  masterKey: Uint8Array,
  sector: string,
  version: number,
): (uin: string) => string {
  const key = deriveSectorKey(masterKey, sector, version);
  return (uin) => {
    if (typeof uin !== 'string' || !isVerhoeffValid(uin)) {
      throw new RangeError('Sector tokens are made from UINs with a valid check digit');
    }
    const mac = createHmac('sha256', key).update(uin, 'ascii').digest();
    // 128 bits: the chance of any two of ten million people colliding is below 10^-24.
    return `${version}.${encodeCrockford(mac.subarray(0, TOKEN_BYTES))}`;
  };
}

/**
 * The token of `uin` in `sector` under key `version`, e.g. "1.QZ04CSY5R4FTDGZ6JRYTDHGS1G" (28 characters
 * for versions 1–9).
 * Stable for the same inputs. Throws RangeError as {@link sectorTokenizer} does.
 */
export function sectorToken(masterKey: Uint8Array, sector: string, version: number, uin: string): string {
  return sectorTokenizer(masterKey, sector, version)(uin);
}

export interface ParsedSectorToken {
  /** The key version that made the token, telling the resolver which sector key to use. */
  readonly version: number;
  /** The 26 Crockford base32 characters after the dot. */
  readonly value: string;
}

/**
 * Splits a token into key version and value, or returns undefined if it is not exactly in the format
 * sectorToken produces. Nothing is normalised (no case folding, trimming or look-alike letters): tokens
 * are exchanged between systems, not typed, and a second spelling of a token would split one person in two.
 */
export function parseSectorToken(token: string): ParsedSectorToken | undefined {
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  if (match === null) {
    return undefined;
  }
  const [, digits = '', value = ''] = match;
  const version = Number(digits);
  return version <= MAX_VERSION ? { version, value } : undefined;
}
