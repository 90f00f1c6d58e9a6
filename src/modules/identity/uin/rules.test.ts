import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkUinRules,
  DEFAULT_UIN_POLICY,
  isVerhoeffValid,
  UIN_RULES,
  type UinPolicy,
  type UinRule,
  uinPolicy,
  uinRuleViolations,
  verhoeffCheckDigit,
} from './index.js';

// Two UINs that pass every default rule, as generateUin made them.
const GOOD = ['2750451068', '7625413017'];

function violates(uin: string, rule: UinRule, policy: UinPolicy = DEFAULT_UIN_POLICY): boolean {
  return uinRuleViolations(uin, policy).includes(rule);
}

describe('uinPolicy', () => {
  it('defaults to MOSIP’s settings', () => {
    expect(DEFAULT_UIN_POLICY).toMatchObject({
      length: 10,
      notStartWith: ['0', '1'],
      maxSequenceLength: 3,
      repeatingLimit: 2,
      repeatingBlockLimit: 2,
      conjugativeEvenDigitsLimit: 3,
    });
    expect(DEFAULT_UIN_POLICY.restrictedNumbers).toEqual(expect.arrayContaining(['0000', '666', '786']));
  });

  it('adds restricted numbers to the defaults rather than replacing them', () => {
    const policy = uinPolicy({ restrictedNumbers: ['5830', '666'] });
    expect(policy.restrictedNumbers).toEqual(expect.arrayContaining(['0000', '666', '786', '5830']));
    expect(policy.restrictedNumbers.filter((number) => number === '666')).toHaveLength(1);
  });

  it('is frozen, so a shared policy cannot be changed under its users', () => {
    expect(Object.isFrozen(DEFAULT_UIN_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_UIN_POLICY.restrictedNumbers)).toBe(true);
  });

  it.each<[string, Partial<UinPolicy>]>([
    ['too short', { length: 3 }],
    ['too long', { length: 33 }],
    ['fractional length', { length: 10.5 }],
    ['zero sequence', { maxSequenceLength: 0 }],
    ['negative repeating limit', { repeatingLimit: -1 }],
    ['zero block', { repeatingBlockLimit: 0 }],
    ['NaN even limit', { conjugativeEvenDigitsLimit: Number.NaN }],
    ['non-digit prefix', { notStartWith: ['x'] }],
    ['empty prefix', { notStartWith: [''] }],
    ['non-digit restricted number', { restrictedNumbers: ['66a'] }],
  ])('rejects a policy with %s', (_name, options) => {
    expect(() => uinPolicy(options)).toThrow(RangeError);
  });

  it('rejects an invalid hand-made policy wherever it is used', () => {
    const policy = { ...DEFAULT_UIN_POLICY, length: 2 };
    expect(() => checkUinRules('23', policy)).toThrow(RangeError);
    expect(() => uinRuleViolations('23', policy)).toThrow(RangeError);
  });
});

describe('checkUinRules', () => {
  it.each(GOOD)('accepts %s', (uin) => {
    expect(checkUinRules(uin)).toEqual({ ok: true });
    expect(uinRuleViolations(uin)).toEqual([]);
  });

  it('names the first rule violated, in UIN_RULES order', () => {
    // 0123456789 starts with 0, is one long sequence and has six even digits, but not in a row.
    expect(uinRuleViolations('0123456789')).toEqual(['not-start-with', 'sequence', 'check-digit']);
    expect(checkUinRules('0123456789')).toEqual({ ok: false, rule: 'not-start-with' });
  });

  it('format: exactly `length` ASCII digits', () => {
    for (const bad of ['', '275045106', '27504510680', '275045106a', '2750 451068', '２７５０４５１０６８']) {
      expect(checkUinRules(bad)).toEqual({ ok: false, rule: 'format' });
      expect(uinRuleViolations(bad)).toEqual(['format']);
    }
    expect(violates('2750451068', 'format')).toBe(false);
    expect(checkUinRules('2750451068', uinPolicy({ length: 12 }))).toEqual({ ok: false, rule: 'format' });
  });

  it('not-start-with: no forbidden prefix', () => {
    expect(violates('0750451068', 'not-start-with')).toBe(true);
    expect(violates('1750451068', 'not-start-with')).toBe(true);
    expect(violates('2750451068', 'not-start-with')).toBe(false);
    const policy = uinPolicy({ notStartWith: ['27'] });
    expect(violates('2750451068', 'not-start-with', policy)).toBe(true);
    expect(violates('1750451068', 'not-start-with', policy)).toBe(false);
  });

  it('sequence: no ascending or descending run longer than the limit', () => {
    expect(violates('5912340586', 'sequence')).toBe(true); // 1234
    expect(violates('5998765031', 'sequence')).toBe(true); // 9876
    expect(violates('5912305842', 'sequence')).toBe(false); // 123 is allowed
    expect(violates('2789012534', 'sequence')).toBe(false); // 789 then 012: digits do not wrap round
    expect(violates('5912305842', 'sequence', uinPolicy({ maxSequenceLength: 2 }))).toBe(true);
  });

  it('repeating: no digit recurs within the limit', () => {
    expect(violates('2773915846', 'repeating')).toBe(true); // 77
    expect(violates('2737915846', 'repeating')).toBe(true); // 7x7
    expect(violates('2742915836', 'repeating')).toBe(false); // 2xx2 is three positions apart
    expect(violates('2742915836', 'repeating', uinPolicy({ repeatingLimit: 3 }))).toBe(true);
    expect(violates('2773915846', 'repeating', uinPolicy({ repeatingLimit: 0 }))).toBe(false);
  });

  it('repeating-block: no block of the limit or longer appears twice', () => {
    expect(violates('2948483015', 'repeating-block')).toBe(true); // 4848
    expect(violates('3129512740', 'repeating-block')).toBe(true); // 12xx12
    expect(violates('4859302684', 'repeating-block')).toBe(false); // 48 … 84 is not a repeat
    expect(violates('2839162861', 'repeating-block')).toBe(true); // 28 twice
    expect(violates('2839162861', 'repeating-block', uinPolicy({ repeatingBlockLimit: 3 }))).toBe(false);
    expect(violates('2839162834', 'repeating-block', uinPolicy({ repeatingBlockLimit: 3 }))).toBe(true);
  });

  it('even-digits: no more than the limit of even digits in a row', () => {
    expect(violates('5246813579', 'even-digits')).toBe(true); // 2468
    expect(violates('5204813579', 'even-digits')).toBe(true); // 2048: zero is even
    expect(violates('5246173589', 'even-digits')).toBe(false); // 246
    expect(violates('5246173589', 'even-digits', uinPolicy({ conjugativeEvenDigitsLimit: 2 }))).toBe(true);
  });

  it('mirror: the first half is neither the second half nor its reverse', () => {
    expect(violates('2945829458', 'mirror')).toBe(true);
    expect(violates('2945885492', 'mirror')).toBe(true);
    expect(violates('2945817360', 'mirror')).toBe(false);
    const odd = uinPolicy({ length: 9 });
    expect(violates('294562945', 'mirror', odd)).toBe(true); // 2945 6 2945
    expect(violates('294565492', 'mirror', odd)).toBe(true); // 2945 6 5492
    expect(violates('294565493', 'mirror', odd)).toBe(false);
  });

  it('restricted: no restricted number anywhere', () => {
    expect(violates('2786451068', 'restricted')).toBe(true);
    expect(violates('2750451786', 'restricted')).toBe(true);
    expect(violates('2958303168', 'restricted')).toBe(false);
    expect(violates('2958303168', 'restricted', uinPolicy({ restrictedNumbers: ['5830'] }))).toBe(true);
  });

  it('check-digit: the last digit is the Verhoeff check digit', () => {
    expect(violates('2750451068', 'check-digit')).toBe(false);
    expect(violates('2750451067', 'check-digit')).toBe(true);
    expect(violates('2750451086', 'check-digit')).toBe(true);
  });
});

// A model of each rule written as MOSIP writes its filters (mostly regular expressions), to compare with
// the digit-by-digit implementation over random policies and numbers.
function modelViolations(uin: string, policy: UinPolicy): UinRule[] {
  const n = policy.length;
  const half = n >> 1;
  const first = uin.slice(0, half);
  const last = uin.slice(n - half);
  const runs = (source: string) =>
    Array.from({ length: 10 - policy.maxSequenceLength }, (_, start) =>
      source.slice(start, start + policy.maxSequenceLength + 1),
    );
  const model: Record<Exclude<UinRule, 'format'>, boolean> = {
    'not-start-with': policy.notStartWith.some((prefix) => uin.startsWith(prefix)),
    sequence: [...runs('0123456789'), ...runs('9876543210')].some((run) => uin.includes(run)),
    repeating:
      policy.repeatingLimit > 0 && new RegExp(`(\\d)\\d{0,${policy.repeatingLimit - 1}}\\1`).test(uin),
    'repeating-block': new RegExp(`(\\d{${policy.repeatingBlockLimit},}).*\\1`).test(uin),
    'even-digits': new RegExp(`[02468]{${policy.conjugativeEvenDigitsLimit + 1}}`).test(uin),
    mirror: first === last || first === [...last].reverse().join(''),
    restricted: policy.restrictedNumbers.some((number) => uin.includes(number)),
    'check-digit': !isVerhoeffValid(uin),
  };
  return UIN_RULES.filter((rule): rule is Exclude<UinRule, 'format'> => rule !== 'format' && model[rule]);
}

const digitString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

const anyPolicy = fc
  .record({
    length: fc.integer({ min: 4, max: 16 }),
    notStartWith: fc.array(digitString(1, 2), { maxLength: 3 }),
    maxSequenceLength: fc.integer({ min: 1, max: 6 }),
    repeatingLimit: fc.integer({ min: 0, max: 3 }),
    repeatingBlockLimit: fc.integer({ min: 1, max: 4 }),
    conjugativeEvenDigitsLimit: fc.integer({ min: 0, max: 5 }),
    restrictedNumbers: fc.array(digitString(1, 4), { maxLength: 3 }),
  })
  .map(uinPolicy);

// A policy, random digits to build from, and three free choices (positions, offsets) for the construction.
const material = fc.record({
  policy: anyPolicy,
  digits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 32, maxLength: 32 }),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
});

type Material = { policy: UinPolicy; digits: number[]; a: number; b: number; c: number };

/** Builds a number that violates `rule`, or undefined if the policy leaves no way to. */
const CONSTRUCTIONS: Record<UinRule, (m: Material) => string | undefined> = {
  format: ({ policy, digits, a, b }) => {
    const text = digits.slice(0, policy.length).join('');
    const at = b % policy.length;
    switch (a % 3) {
      case 0:
        return text.slice(0, at);
      case 1:
        return `${text}${digits.slice(0, 1 + (b % 5)).join('')}`;
      default:
        return `${text.slice(0, at)}${' -xA٣'.charAt(b % 5)}${text.slice(at + 1)}`;
    }
  },
  'not-start-with': ({ policy, digits, a }) => {
    const prefix = policy.notStartWith[a % Math.max(1, policy.notStartWith.length)];
    return prefix === undefined ? undefined : `${prefix}${digits.join('')}`.slice(0, policy.length);
  },
  sequence: ({ policy, digits, a, b, c }) => {
    const size = policy.maxSequenceLength + 1;
    if (size > 10 || size > policy.length) {
      return undefined;
    }
    const start = a % (11 - size);
    const run = Array.from({ length: size }, (_, offset) => start + offset);
    if (c % 2 === 1) {
      run.reverse();
    }
    const at = b % (policy.length - size + 1);
    digits.splice(at, size, ...run);
    return digits.slice(0, policy.length).join('');
  },
  repeating: ({ policy, digits, a, b }) => {
    if (policy.repeatingLimit === 0) {
      return undefined;
    }
    const at = a % (policy.length - 1);
    const gap = 1 + (b % Math.min(policy.repeatingLimit, policy.length - 1 - at));
    digits[at + gap] = digits[at] ?? 0;
    return digits.slice(0, policy.length).join('');
  },
  'repeating-block': ({ policy, digits, a, b }) => {
    const size = policy.repeatingBlockLimit;
    if (2 * size > policy.length) {
      return undefined;
    }
    const first = a % (policy.length - 2 * size + 1);
    const second = first + size + (b % (policy.length - size - (first + size) + 1));
    digits.splice(second, size, ...digits.slice(first, first + size));
    return digits.slice(0, policy.length).join('');
  },
  'even-digits': ({ policy, digits, a }) => {
    const size = policy.conjugativeEvenDigitsLimit + 1;
    if (size > policy.length) {
      return undefined;
    }
    const at = a % (policy.length - size + 1);
    for (let offset = 0; offset < size; offset += 1) {
      digits[at + offset] = 2 * ((digits[at + offset] ?? 0) % 5);
    }
    return digits.slice(0, policy.length).join('');
  },
  mirror: ({ policy, digits, a }) => {
    const half = policy.length >> 1;
    const first = digits.slice(0, half);
    const middle = digits.slice(half, policy.length - half);
    return [...first, ...middle, ...(a % 2 === 0 ? first : first.reverse())].join('');
  },
  restricted: ({ policy, digits, a, b }) => {
    const number = policy.restrictedNumbers[a % policy.restrictedNumbers.length] ?? '';
    const text = digits.slice(0, policy.length).join('');
    const at = b % (policy.length - number.length + 1);
    return `${text.slice(0, at)}${number}${text.slice(at + number.length)}`;
  },
  'check-digit': ({ policy, digits, a }) => {
    const body = digits.slice(0, policy.length - 1).join('');
    return `${body}${(Number(verhoeffCheckDigit(body)) + 1 + (a % 9)) % 10}`;
  },
};

describe('the rules as a whole', () => {
  it('agree with a regular-expression model for random policies and numbers', () => {
    fc.assert(
      fc.property(
        anyPolicy,
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 16 }),
        (policy, digits) => {
          const uin = digits.slice(0, policy.length).join('');
          expect(uinRuleViolations(uin, policy)).toEqual(modelViolations(uin, policy));
          const [first] = modelViolations(uin, policy);
          expect(checkUinRules(uin, policy)).toEqual(
            first === undefined ? { ok: true } : { ok: false, rule: first },
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each(UIN_RULES)('reject every number constructed to violate %s', (rule) => {
    fc.assert(
      fc.property(material, (m) => {
        // The constructions edit the digits in place, and fast-check may replay a value while shrinking.
        const uin = CONSTRUCTIONS[rule]({ ...m, digits: [...m.digits] });
        fc.pre(uin !== undefined);
        expect(uinRuleViolations(uin, m.policy)).toContain(rule);
        expect(checkUinRules(uin, m.policy).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
