import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkUinRules,
  cryptoDigit,
  type DigitSource,
  generateUin,
  isVerhoeffValid,
  uinPolicy,
  validateUinInput,
  verhoeffCheckDigit,
} from './index.js';

/** A digit source replaying a fast-check stream, so failures can be reproduced and shrunk. */
function replay(stream: Iterable<number>): DigitSource {
  const iterator = stream[Symbol.iterator]();
  return () => iterator.next().value ?? 0;
}

const digitStream = fc.infiniteStream(fc.integer({ min: 0, max: 9 }));

// Policies loose enough to be met often: generation is rejection sampling, so a policy that almost nothing
// passes would make the test slow rather than wrong.
const satisfiablePolicy = fc
  .record({
    length: fc.integer({ min: 5, max: 12 }),
    notStartWith: fc.uniqueArray(fc.constantFrom(...'0123456789'), { maxLength: 3 }),
    maxSequenceLength: fc.integer({ min: 2, max: 5 }),
    repeatingLimit: fc.integer({ min: 0, max: 2 }),
    repeatingBlockLimit: fc.integer({ min: 2, max: 4 }),
    conjugativeEvenDigitsLimit: fc.integer({ min: 2, max: 5 }),
    restrictedNumbers: fc.array(
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 3, maxLength: 4 }),
      {
        maxLength: 3,
      },
    ),
  })
  .map(uinPolicy);

describe('generateUin', () => {
  it('makes ten-digit UINs that pass every default rule and carry a valid check digit', () => {
    const failures: string[] = [];
    for (let count = 0; count < 20_000; count += 1) {
      const uin = generateUin();
      const read = validateUinInput(uin);
      if (!/^[2-9][0-9]{9}$/.test(uin) || !isVerhoeffValid(uin) || !checkUinRules(uin).ok || !read.ok) {
        failures.push(uin);
      }
    }
    expect(failures).toEqual([]);
  });

  it('meets every rule of any policy, for any digits drawn', () => {
    fc.assert(
      fc.property(satisfiablePolicy, digitStream, (policy, stream) => {
        const uin = generateUin(policy, replay(stream));
        expect(uin).toHaveLength(policy.length);
        expect(isVerhoeffValid(uin)).toBe(true);
        expect(checkUinRules(uin, policy)).toEqual({ ok: true });
      }),
      { numRuns: 1000 },
    );
  });

  it('ends the random body with its Verhoeff check digit', () => {
    fc.assert(
      fc.property(digitStream, (stream) => {
        const uin = generateUin(undefined, replay(stream));
        expect(verhoeffCheckDigit(uin.slice(0, -1))).toBe(uin.slice(-1));
      }),
      { numRuns: 1000 },
    );
  });

  it('is a pure function of the digits drawn', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2000, maxLength: 2000 }),
        (digits) => {
          // Each source cycles through the same digits; two thousand are far more than one UIN needs.
          const source = (): DigitSource => {
            let index = 0;
            return () => digits[index++ % digits.length] ?? 0;
          };
          expect(generateUin(undefined, source())).toBe(generateUin(undefined, source()));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('makes every acceptable UIN equally likely, although it abandons candidates early', () => {
    // With four digits the acceptable UINs can be listed and each one expected about 200 times.
    const policy = uinPolicy({ length: 4 });
    const acceptable = Array.from({ length: 1000 }, (_, body) => String(body).padStart(3, '0'))
      .map((body) => `${body}${verhoeffCheckDigit(body)}`)
      .filter((uin) => checkUinRules(uin, policy).ok);
    expect(acceptable.length).toBeGreaterThan(50);
    const counts = new Map<string, number>();
    for (let draw = 0; draw < 200 * acceptable.length; draw += 1) {
      const uin = generateUin(policy);
      counts.set(uin, (counts.get(uin) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(acceptable);
    for (const count of counts.values()) {
      // 200 ± 5 standard deviations (σ ≈ 14).
      expect(count).toBeGreaterThan(130);
      expect(count).toBeLessThan(270);
    }
  });

  it('gives up with an Error on a policy or digit source that can never succeed', () => {
    expect(() => generateUin(undefined, () => 5)).toThrow(Error);
    const impossible = uinPolicy({ length: 4, notStartWith: [...'0123456789'] });
    expect(() => generateUin(impossible)).toThrow(/unsatisfiable/);
  });

  it.each([10, -1, 1.5, Number.NaN])('rejects a digit source that returns %s', (digit) => {
    expect(() => generateUin(undefined, () => digit)).toThrow(RangeError);
  });

  it('rejects an invalid policy', () => {
    expect(() => generateUin({ ...uinPolicy(), repeatingLimit: -1 })).toThrow(RangeError);
  });
});

describe('cryptoDigit', () => {
  it('returns each digit about equally often', () => {
    const draws = 100_000;
    const counts = Array<number>(10).fill(0);
    for (let draw = 0; draw < draws; draw += 1) {
      const digit = cryptoDigit();
      counts[digit] = (counts[digit] ?? 0) + 1;
    }
    // Anything but the integers 0–9 would have added keys beyond the ten counters.
    expect(Object.keys(counts)).toHaveLength(10);
    for (const count of counts) {
      // 10,000 ± 6 standard deviations (σ ≈ 95).
      expect(Math.abs(count - draws / 10)).toBeLessThan(570);
    }
  });
});
