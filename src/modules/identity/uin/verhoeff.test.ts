import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateUin, isVerhoeffValid, verhoeffCheckDigit } from './index.js';

// An independent model: D5 written as rotations r^k (0–4) and reflections s·r^k (5–9) composed by formula,
// and Verhoeff's permutation σ raised to powers, instead of the tables the implementation uses.
function d5(x: number, y: number): number {
  const mod5 = (n: number) => ((n % 5) + 5) % 5;
  if (x < 5) {
    return y < 5 ? mod5(x + y) : 5 + mod5(x + y - 5);
  }
  return y < 5 ? 5 + mod5(x - 5 - y) : mod5(x - y);
}

const SIGMA = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];

function sigmaPower(power: number, digit: number): number {
  let value = digit;
  for (let step = 0; step < power; step += 1) {
    value = SIGMA[value] ?? Number.NaN;
  }
  return value;
}

function inverse(x: number): number {
  return [...Array(10).keys()].find((y) => d5(x, y) === 0) ?? Number.NaN;
}

function modelCheckDigit(digits: string): string {
  const interim = [...digits]
    .reverse()
    .reduce((acc, digit, index) => d5(acc, sigmaPower((index + 1) % 8, Number(digit))), 0);
  return String(inverse(interim));
}

const ELEMENTS = [...Array(10).keys()];
const digitString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

describe('the model of D5', () => {
  it('is a non-commutative group with identity 0', () => {
    for (const x of ELEMENTS) {
      expect(d5(0, x)).toBe(x);
      expect(d5(x, 0)).toBe(x);
      expect(d5(x, inverse(x))).toBe(0);
      for (const y of ELEMENTS) {
        for (const z of ELEMENTS) {
          expect(d5(d5(x, y), z)).toBe(d5(x, d5(y, z)));
        }
      }
    }
    expect(d5(1, 5)).not.toBe(d5(5, 1));
  });

  // Adjacent digits "ab" with b at position i are folded (right to left) as σ^i(b)·σ^(i+1)(a).
  it('gives σ^i(b)·σ^(i+1)(a) ≠ σ^i(a)·σ^(i+1)(b) for all a ≠ b, so transpositions change the result', () => {
    for (let power = 0; power < 8; power += 1) {
      for (const a of ELEMENTS) {
        for (const b of ELEMENTS) {
          const straight = d5(sigmaPower(power, b), sigmaPower(power + 1, a));
          const swapped = d5(sigmaPower(power, a), sigmaPower(power + 1, b));
          expect(straight === swapped).toBe(a === b);
        }
      }
    }
  });
});

describe('verhoeffCheckDigit', () => {
  it.each([
    ['236', '3'],
    ['12345', '1'],
    ['142857', '0'],
    ['123456789012', '0'],
    ['0', '4'],
    ['9', '1'],
  ])('computes the check digit of %s as %s', (digits, expected) => {
    expect(verhoeffCheckDigit(digits)).toBe(expected);
    expect(modelCheckDigit(digits)).toBe(expected);
  });

  it('agrees with the model of D5', () => {
    fc.assert(
      fc.property(digitString(1, 40), (digits) => {
        expect(verhoeffCheckDigit(digits)).toBe(modelCheckDigit(digits));
      }),
      { numRuns: 2000 },
    );
  });

  it.each(['', '12a4', '12 34', '-1', '１２３', '١٢٣', '1.5'])('rejects %j', (input) => {
    expect(() => verhoeffCheckDigit(input)).toThrow(RangeError);
  });
});

describe('isVerhoeffValid', () => {
  it('accepts digits followed by their check digit and nothing else ending differently', () => {
    fc.assert(
      fc.property(digitString(1, 30), (digits) => {
        const check = verhoeffCheckDigit(digits);
        for (const last of '0123456789') {
          expect(isVerhoeffValid(`${digits}${last}`)).toBe(last === check);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects strings too short to carry a check digit, or with anything but ASCII digits', () => {
    expect(isVerhoeffValid('')).toBe(false);
    expect(isVerhoeffValid('0')).toBe(false);
    expect(isVerhoeffValid('2363')).toBe(true);
    expect(isVerhoeffValid('236 3')).toBe(false);
    expect(isVerhoeffValid('２３６３')).toBe(false);
    expect(isVerhoeffValid('236-3')).toBe(false);
  });

  const withCheck = fc.oneof(
    digitString(1, 24).map((digits) => `${digits}${verhoeffCheckDigit(digits)}`),
    fc.constant(null).map(() => generateUin()),
  );

  it('catches every single-digit substitution, including in the check digit', () => {
    fc.assert(
      fc.property(withCheck, (valid) => {
        const missed: string[] = [];
        for (let position = 0; position < valid.length; position += 1) {
          for (const replacement of '0123456789') {
            const typo = `${valid.slice(0, position)}${replacement}${valid.slice(position + 1)}`;
            if (replacement !== valid[position] && isVerhoeffValid(typo)) {
              missed.push(typo);
            }
          }
        }
        expect(missed).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('catches every adjacent transposition, including one with the check digit', () => {
    fc.assert(
      fc.property(withCheck, (valid) => {
        const missed: string[] = [];
        for (let position = 0; position + 1 < valid.length; position += 1) {
          const [left = '', right = ''] = [valid[position], valid[position + 1]];
          const typo = `${valid.slice(0, position)}${right}${left}${valid.slice(position + 2)}`;
          if (left !== right && isVerhoeffValid(typo)) {
            missed.push(typo);
          }
        }
        expect(missed).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
