import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET } from './check.js';
import { checkCharacter, isValidCheck } from './index.js';

// An independent model: carry-less multiplication reduced by x^5 + x^2 + 1, tabulated as in classic Damm.
function gfMultiply(x: number, y: number): number {
  let product = 0;
  for (let bit = 0; bit < 5; bit += 1) {
    if ((y >> bit) & 1) {
      product ^= x << bit;
    }
  }
  for (let bit = 8; bit >= 5; bit -= 1) {
    if ((product >> bit) & 1) {
      product ^= 0b100101 << (bit - 5);
    }
  }
  return product;
}

const TABLE = Array.from({ length: 32 }, (_, x) =>
  Array.from({ length: 32 }, (_, y) => gfMultiply(2, x) ^ y),
);

function op(x: number, y: number): number {
  return TABLE[x]?.[y] ?? Number.NaN;
}

function modelFold(values: readonly number[]): number {
  return values.reduce(op, 0);
}

const symbols = [...CROCKFORD_ALPHABET];
const symbol = fc.constantFrom(...symbols);
const payload = fc.array(symbol, { minLength: 1, maxLength: 20 }).map((chars) => chars.join(''));

describe('the GF(32) quasigroup', () => {
  it('is a Latin square, so every check character is reachable and unique', () => {
    for (let x = 0; x < 32; x += 1) {
      expect(new Set(Array.from({ length: 32 }, (_, y) => op(x, y))).size).toBe(32);
      expect(new Set(Array.from({ length: 32 }, (_, y) => op(y, x))).size).toBe(32);
    }
  });

  it('is totally anti-symmetric', () => {
    for (let c = 0; c < 32; c += 1) {
      for (let x = 0; x < 32; x += 1) {
        for (let y = 0; y < 32; y += 1) {
          if (op(op(c, x), y) === op(op(c, y), x)) {
            expect(x).toBe(y);
          }
        }
      }
    }
  });
});

describe('checkCharacter', () => {
  it.each([
    ['0', '0'],
    ['1', '2'],
    ['10', '4'],
    // G = 16; a·16 = x^5 ≡ x^2 + 1 = 5, which pins the reduction polynomial.
    ['G', '5'],
    // Z = 31; a·31 = 62 ⊕ 0b100101 = 27 = V.
    ['Z', 'V'],
  ])('computes the check character of %s as %s', (input, expected) => {
    expect(checkCharacter(input)).toBe(expected);
  });

  it('agrees with a table-driven Damm implementation', () => {
    fc.assert(
      fc.property(payload, (text) => {
        const values = [...text].map((char) => CROCKFORD_ALPHABET.indexOf(char));
        const check = CROCKFORD_ALPHABET.indexOf(checkCharacter(text));
        expect(op(modelFold(values), check)).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads payloads with Crockford decoding', () => {
    expect(checkCharacter('dl2026abc')).toBe(checkCharacter('D12026ABC'));
    expect(checkCharacter('IOL')).toBe(checkCharacter('101'));
  });

  it.each(['', 'U', 'DL-2026', 'AB C', '12!', 'É'])('rejects %j', (input) => {
    expect(() => checkCharacter(input)).toThrow(RangeError);
  });
});

describe('isValidCheck', () => {
  it('accepts a payload followed by its check character', () => {
    fc.assert(
      fc.property(payload, (text) => isValidCheck(`${text}${checkCharacter(text)}`)),
      { numRuns: 1000 },
    );
  });

  it('rejects strings too short to carry a check, or with foreign characters', () => {
    expect(isValidCheck('')).toBe(false);
    expect(isValidCheck('0')).toBe(false);
    expect(isValidCheck('1U')).toBe(false);
    expect(isValidCheck('1-2')).toBe(false);
  });

  it('catches every single-character substitution', () => {
    fc.assert(
      fc.property(payload, (text) => {
        const valid = [...`${text}${checkCharacter(text)}`];
        valid.forEach((original, position) => {
          for (const replacement of symbols) {
            if (replacement !== original) {
              const typo = valid.with(position, replacement).join('');
              expect(isValidCheck(typo), typo).toBe(false);
            }
          }
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('catches every adjacent transposition, including one with the check character', () => {
    fc.assert(
      fc.property(payload, (text) => {
        const valid = [...`${text}${checkCharacter(text)}`];
        for (let position = 0; position + 1 < valid.length; position += 1) {
          const [left, right] = [valid[position] ?? '', valid[position + 1] ?? ''];
          if (left !== right) {
            const typo = valid
              .with(position, right)
              .with(position + 1, left)
              .join('');
            expect(isValidCheck(typo), typo).toBe(false);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
