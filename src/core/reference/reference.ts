import { getRandomValues } from 'node:crypto';
import { CROCKFORD_ALPHABET, checkCharacter, isValidCheck } from './check.js';

/**
 * Human reference numbers such as `DL-2026-7K3M9Q`: a 2–4 letter prefix naming the service, the year, five
 * random Crockford base32 characters and one check character. The check covers prefix, year and random part,
 * so a typo anywhere in what a citizen reads out or types in is caught before any lookup.
 *
 * Five random characters give 32^5 ≈ 33.5 million references per prefix and year; uniqueness is not
 * guaranteed here and must be enforced where references are stored.
 */

export type ReferenceParseResult =
  | { readonly ok: true; readonly reference: string; readonly prefix: string; readonly year: number }
  // 'format': not shaped like a reference; 'check': shaped like one but with a typing error.
  | { readonly ok: false; readonly reason: 'format' | 'check' };

const RANDOM_LENGTH = 5;
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

// U is excluded because Crockford base32 has no U, and prefix letters are part of the checked payload.
const PREFIX = /^[A-TV-Z]{2,4}$/;

function defaultRandom(): Uint8Array {
  return getRandomValues(new Uint8Array(RANDOM_LENGTH));
}

/**
 * Creates a new reference, e.g. createReference('DL', 2026) → "DL-2026-7K3M9Q".
 * `random` must return at least five bytes; it exists so tests can be deterministic.
 * Throws RangeError for a prefix that is not 2–4 upper-case letters without U, or a year outside 1000–9999.
 */
export function createReference(
  prefix: string,
  year: number,
  random: () => Uint8Array = defaultRandom,
): string {
  if (!PREFIX.test(prefix)) {
    throw new RangeError(`Reference prefix must be 2-4 upper-case letters other than U, got "${prefix}"`);
  }
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`Reference year must be a four-digit year, got ${year}`);
  }
  const bytes = random();
  if (bytes.length < RANDOM_LENGTH) {
    throw new RangeError(`Reference randomness must supply ${RANDOM_LENGTH} bytes, got ${bytes.length}`);
  }
  // 256 is a multiple of 32, so keeping the low five bits of each byte is free of modulo bias.
  const randomPart = Array.from(bytes.subarray(0, RANDOM_LENGTH), (byte) =>
    CROCKFORD_ALPHABET.charAt(byte & 0b11111),
  ).join('');
  return `${prefix}-${year}-${randomPart}${checkCharacter(`${prefix}${year}${randomPart}`)}`;
}

// Whitespace and hyphens may be missing, doubled or misplaced; phones often autocorrect '-' into a Unicode
// dash or minus sign, so those count as separators too.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

// Matched before upper-casing so that non-ASCII letters with ASCII upper-case forms (ı, ſ) are not accepted.
const COMPACT_REFERENCE = /^([A-Za-z]{2,4})([1-9][0-9]{3})([0-9A-Za-z]{6})$/;

// Longer input cannot be a reference even with generous spacing; capping it bounds the work done.
const MAX_INPUT_LENGTH = 64;

/**
 * Parses a reference as a person might type it: any case, surrounding or missing or extra spaces and
 * hyphens, and the Crockford look-alikes O (for 0) and I/L (for 1) in the random part.
 */
export function parseReference(input: string): ReferenceParseResult {
  const match =
    input.length <= MAX_INPUT_LENGTH ? COMPACT_REFERENCE.exec(input.replace(SEPARATORS, '')) : null;
  if (match === null) {
    return { ok: false, reason: 'format' };
  }
  const [, rawPrefix = '', yearDigits = '', rawRandom = ''] = match;
  const prefix = rawPrefix.toUpperCase();
  const randomPart = rawRandom.toUpperCase().replaceAll('O', '0').replace(/[IL]/g, '1');
  if (!PREFIX.test(prefix) || [...randomPart].some((symbol) => !CROCKFORD_ALPHABET.includes(symbol))) {
    return { ok: false, reason: 'format' };
  }
  if (!isValidCheck(`${prefix}${yearDigits}${randomPart}`)) {
    return { ok: false, reason: 'check' };
  }
  return { ok: true, reference: `${prefix}-${yearDigits}-${randomPart}`, prefix, year: Number(yearDigits) };
}
