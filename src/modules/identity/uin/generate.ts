import { randomFillSync } from 'node:crypto';
import { assertUinPolicy, DEFAULT_UIN_POLICY, firstViolation, type UinPolicy } from './rules.js';
import { verhoeffFold, verhoeffInverse } from './verhoeff.js';

/** Returns a uniformly random integer from 0 to 9 each time it is called. */
export type DigitSource = () => number;

// One call into the CSPRNG per 4 KiB instead of one per digit: the call, not the randomness, is the cost.
// Each process and worker thread has its own module state, so no two of them ever share pool bytes.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** Digits from the operating system's CSPRNG, read through a buffer. */
export function cryptoDigit(): number {
  for (;;) {
    if (poolOffset === pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const byte = pool[poolOffset] ?? 255;
    poolOffset += 1;
    // 250 is the largest multiple of 10 that fits in a byte; dropping 250–255 keeps the digits unbiased.
    if (byte < 250) {
      return byte % 10;
    }
  }
}

// The default policy accepts about one random candidate in thirteen (7.7%), so this many failures in a row
// (odds near e^-8000) means the policy cannot be met or the digit source is broken, not bad luck.
const MAX_ATTEMPTS = 100_000;

/**
 * Fills the first `count` digits with random ones, giving up (false) as soon as a digit repeats one within
 * `repeatingLimit` positions before it. Such a candidate would fail the repeating rule whatever came next,
 * and most failures are of that kind, so this saves most of the work. Only candidates the rules reject
 * anyway are abandoned, so every acceptable UIN stays equally likely.
 */
function drawBody(digits: Uint8Array, count: number, repeatingLimit: number, random: DigitSource): boolean {
  for (let index = 0; index < count; index += 1) {
    const digit = random();
    // Non-negative integers below 2^32 are exactly those unchanged by >>> 0.
    if (digit >>> 0 !== digit || digit > 9) {
      throw new RangeError(`UIN digit source must return integers from 0 to 9, got ${digit}`);
    }
    for (let back = Math.min(index, repeatingLimit); back > 0; back -= 1) {
      if (digits[index - back] === digit) {
        return false;
      }
    }
    digits[index] = digit;
  }
  return true;
}

/**
 * A new UIN: `policy.length - 1` random digits and a Verhoeff check digit, drawn again until the whole
 * number passes every rule of the policy. Rejecting whole candidates keeps every acceptable UIN equally
 * likely. UINs are never derived from personal data, so holding one reveals nothing about its holder.
 *
 * Uniqueness is not guaranteed here and must be enforced where UINs are issued. `random` exists for tests.
 * Throws RangeError for an invalid policy and Error if the policy appears impossible to satisfy.
 */
export function generateUin(
  policy: UinPolicy = DEFAULT_UIN_POLICY,
  random: DigitSource = cryptoDigit,
): string {
  assertUinPolicy(policy);
  const bodyLength = policy.length - 1;
  const digits = new Uint8Array(policy.length);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (drawBody(digits, bodyLength, policy.repeatingLimit, random)) {
      // The check digit sits at position 0, so the body is folded from position 1.
      digits[bodyLength] = verhoeffInverse(verhoeffFold(digits, bodyLength, 1));
      if (firstViolation(digits, policy) === undefined) {
        return String.fromCharCode(...digits.map((digit) => digit + 0x30));
      }
    }
  }
  throw new Error(`No UIN met the policy in ${MAX_ATTEMPTS} attempts; it is probably unsatisfiable`);
}
