import { verhoeffFold } from './verhoeff.js';

/**
 * The filters a UIN must pass, after MOSIP's UIN generator (kernel-idgenerator, `mosip.kernel.uin.*`).
 *
 * They exist so that UINs are hard to guess from one another and easy to read out and copy: no runs such as
 * 1234, no repeats such as 77 or 7x7, no repeated blocks such as 4848, no halves that mirror each other, and
 * nothing culturally offensive. As in MOSIP they apply to the whole number, check digit included, because
 * that is what people see.
 */

/** The rules in the order they are checked; a result names the first one violated. */
export const UIN_RULES = [
  // Not exactly `length` ASCII digits; nothing else is checked then.
  'format',
  'not-start-with',
  'sequence',
  'repeating',
  'repeating-block',
  'even-digits',
  'mirror',
  'restricted',
  'check-digit',
] as const;

export type UinRule = (typeof UIN_RULES)[number];

export type UinRuleResult = { readonly ok: true } | { readonly ok: false; readonly rule: UinRule };

export interface UinPolicy {
  /** Number of digits, including the final Verhoeff check digit. */
  readonly length: number;
  /**
   * Prefixes a UIN must not start with. MOSIP excludes 0, since a leading zero is lost whenever a UIN passes
   * through a number field or a spreadsheet, and 1.
   */
  readonly notStartWith: readonly string[];
  /** Longest run of consecutive ascending or descending digits allowed: with 3, 123 is fine and 1234 is not. */
  readonly maxSequenceLength: number;
  /** A digit may not recur within this many positions: with 2, neither 77 nor 7x7 is allowed. 0 disables. */
  readonly repeatingLimit: number;
  /** No block of this many digits or more may appear twice (without overlapping), e.g. 4848 or 12xx12. */
  readonly repeatingBlockLimit: number;
  /** Most consecutive even digits allowed. MOSIP's name for it ("conjugative" meaning consecutive) is kept. */
  readonly conjugativeEvenDigitsLimit: number;
  /** Digit strings that must not appear anywhere in a UIN. */
  readonly restrictedNumbers: readonly string[];
}

// 666 and 786 are MOSIP's defaults: numbers with religious meaning that some holders would object to.
// 0000 and 666 are excluded by the repeating rule too; listing them keeps them out if that rule is relaxed.
const DEFAULT_RESTRICTED_NUMBERS: readonly string[] = ['0000', '666', '786'];

const MIN_LENGTH = 4;
const MAX_LENGTH = 32;
const DIGITS = /^[0-9]+$/;
const ZERO = 0x30;

type Limit = 'maxSequenceLength' | 'repeatingLimit' | 'repeatingBlockLimit' | 'conjugativeEvenDigitsLimit';

const LIMIT_MINIMUMS: Readonly<Record<Limit, number>> = {
  maxSequenceLength: 1,
  repeatingLimit: 0,
  repeatingBlockLimit: 1,
  conjugativeEvenDigitsLimit: 0,
};

/**
 * Throws RangeError if a policy could make rules meaningless: a length outside 4–32, limits that are not
 * integers in range, or prefixes and restricted numbers that are not digit strings.
 */
export function assertUinPolicy(policy: UinPolicy): void {
  if (!Number.isInteger(policy.length) || policy.length < MIN_LENGTH || policy.length > MAX_LENGTH) {
    throw new RangeError(`UIN length must be an integer from ${MIN_LENGTH} to ${MAX_LENGTH}`);
  }
  for (const [name, minimum] of Object.entries(LIMIT_MINIMUMS) as [Limit, number][]) {
    if (!Number.isInteger(policy[name]) || policy[name] < minimum) {
      throw new RangeError(`UIN policy ${name} must be an integer of at least ${minimum}`);
    }
  }
  for (const [name, list] of [
    ['notStartWith', policy.notStartWith],
    ['restrictedNumbers', policy.restrictedNumbers],
  ] as const) {
    if (!list.every((entry) => DIGITS.test(entry))) {
      throw new RangeError(`UIN policy ${name} must contain only non-empty strings of digits`);
    }
  }
}

/**
 * A UIN policy: MOSIP's defaults (10 digits, not starting with 0 or 1, limits 3, 2, 2 and 3) with any
 * `options` applied. Restricted numbers are added to the default list rather than replacing it.
 * Throws RangeError for an invalid policy.
 */
export function uinPolicy(options: Partial<UinPolicy> = {}): UinPolicy {
  const policy: UinPolicy = Object.freeze({
    length: options.length ?? 10,
    notStartWith: Object.freeze([...(options.notStartWith ?? ['0', '1'])]),
    maxSequenceLength: options.maxSequenceLength ?? 3,
    repeatingLimit: options.repeatingLimit ?? 2,
    repeatingBlockLimit: options.repeatingBlockLimit ?? 2,
    conjugativeEvenDigitsLimit: options.conjugativeEvenDigitsLimit ?? 3,
    restrictedNumbers: Object.freeze([
      ...new Set([...DEFAULT_RESTRICTED_NUMBERS, ...(options.restrictedNumbers ?? [])]),
    ]),
  });
  assertUinPolicy(policy);
  return policy;
}

/** MOSIP's defaults: see {@link uinPolicy}. */
export const DEFAULT_UIN_POLICY: UinPolicy = uinPolicy();

// Each check receives the digit values (0–9) and the policy and returns true when the rule is violated.
// Checks work on digit values rather than text so the generator builds a string only for a UIN it keeps.
type Check = (digits: Uint8Array, policy: UinPolicy) => boolean;

/** Whether the digit string `pattern` occurs in `digits` starting at `start`. */
function matchesAt(digits: Uint8Array, pattern: string, start: number): boolean {
  if (start + pattern.length > digits.length) {
    return false;
  }
  for (let offset = 0; offset < pattern.length; offset += 1) {
    if (digits[start + offset] !== pattern.charCodeAt(offset) - ZERO) {
      return false;
    }
  }
  return true;
}

function startsWithAny(digits: Uint8Array, policy: UinPolicy): boolean {
  return policy.notStartWith.some((prefix) => matchesAt(digits, prefix, 0));
}

function hasLongSequence(digits: Uint8Array, policy: UinPolicy): boolean {
  let ascending = 1;
  let descending = 1;
  for (let index = 1; index < digits.length; index += 1) {
    const step = (digits[index] ?? 0) - (digits[index - 1] ?? 0);
    ascending = step === 1 ? ascending + 1 : 1;
    descending = step === -1 ? descending + 1 : 1;
    if (ascending > policy.maxSequenceLength || descending > policy.maxSequenceLength) {
      return true;
    }
  }
  return false;
}

function hasNearbyRepeat(digits: Uint8Array, policy: UinPolicy): boolean {
  for (let index = 0; index < digits.length; index += 1) {
    const end = Math.min(digits.length - 1, index + policy.repeatingLimit);
    for (let other = index + 1; other <= end; other += 1) {
      if (digits[index] === digits[other]) {
        return true;
      }
    }
  }
  return false;
}

// MOSIP matches (\d{L,}).*?\1, so occurrences may not overlap. Any repeated longer block starts with a
// repeated block of exactly L digits, so comparing blocks of length L suffices.
function hasRepeatedBlock(digits: Uint8Array, policy: UinPolicy): boolean {
  const size = policy.repeatingBlockLimit;
  for (let first = 0; first + 2 * size <= digits.length; first += 1) {
    for (let second = first + size; second + size <= digits.length; second += 1) {
      let same = true;
      for (let offset = 0; offset < size && same; offset += 1) {
        same = digits[first + offset] === digits[second + offset];
      }
      if (same) {
        return true;
      }
    }
  }
  return false;
}

function hasLongEvenRun(digits: Uint8Array, policy: UinPolicy): boolean {
  let run = 0;
  for (const digit of digits) {
    run = digit % 2 === 0 ? run + 1 : 0;
    if (run > policy.conjugativeEvenDigitsLimit) {
      return true;
    }
  }
  return false;
}

// MOSIP compares the first and last five digits of a ten-digit UIN, straight and reversed; for other lengths
// the halves are compared, leaving out the middle digit of an odd length.
function mirrorsItself(digits: Uint8Array): boolean {
  const half = digits.length >> 1;
  const start = digits.length - half;
  let same = true;
  let reversed = true;
  for (let offset = 0; offset < half && (same || reversed); offset += 1) {
    same &&= digits[offset] === digits[start + offset];
    reversed &&= digits[offset] === digits[digits.length - 1 - offset];
  }
  return same || reversed;
}

function containsRestricted(digits: Uint8Array, policy: UinPolicy): boolean {
  return policy.restrictedNumbers.some((restricted) => {
    for (let start = 0; start + restricted.length <= digits.length; start += 1) {
      if (matchesAt(digits, restricted, start)) {
        return true;
      }
    }
    return false;
  });
}

function hasBadCheckDigit(digits: Uint8Array): boolean {
  return verhoeffFold(digits, digits.length, 0) !== 0;
}

const CHECKS: readonly (readonly [Exclude<UinRule, 'format'>, Check])[] = [
  ['not-start-with', startsWithAny],
  ['sequence', hasLongSequence],
  ['repeating', hasNearbyRepeat],
  ['repeating-block', hasRepeatedBlock],
  ['even-digits', hasLongEvenRun],
  ['mirror', mirrorsItself],
  ['restricted', containsRestricted],
  ['check-digit', hasBadCheckDigit],
];

/**
 * The first rule that well-formed `digits` (values 0–9, exactly `policy.length` of them) violate, or
 * undefined. Internal: the generator calls it on a reused buffer.
 */
export function firstViolation(digits: Uint8Array, policy: UinPolicy): UinRule | undefined {
  for (const [rule, violates] of CHECKS) {
    if (violates(digits, policy)) {
      return rule;
    }
  }
  return undefined;
}

function digitsOf(uin: string, policy: UinPolicy): Uint8Array | undefined {
  if (uin.length !== policy.length || !DIGITS.test(uin)) {
    return undefined;
  }
  return Uint8Array.from(uin, (char) => char.charCodeAt(0) - ZERO);
}

/**
 * Every rule of `policy` that `uin` violates, in {@link UIN_RULES} order; empty if it passes them all.
 * A string that is not exactly `policy.length` ASCII digits gives just ['format'].
 */
export function uinRuleViolations(uin: string, policy: UinPolicy = DEFAULT_UIN_POLICY): UinRule[] {
  assertUinPolicy(policy);
  const digits = digitsOf(uin, policy);
  if (digits === undefined) {
    return ['format'];
  }
  return CHECKS.filter(([, violates]) => violates(digits, policy)).map(([rule]) => rule);
}

/**
 * Whether `uin` could have been generated under `policy`: the right number of digits, every filter passed
 * and a correct check digit. Otherwise names the first rule violated, for diagnostics and tests.
 *
 * Not for checking what people type: a UIN issued under an earlier policy stays valid after the policy
 * changes, so use validateUinInput there.
 */
export function checkUinRules(uin: string, policy: UinPolicy = DEFAULT_UIN_POLICY): UinRuleResult {
  assertUinPolicy(policy);
  const digits = digitsOf(uin, policy);
  const rule = digits === undefined ? 'format' : firstViolation(digits, policy);
  return rule === undefined ? { ok: true } : { ok: false, rule };
}
