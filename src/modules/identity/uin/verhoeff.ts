/**
 * The Verhoeff check digit, as MOSIP uses for UINs.
 *
 * Digits are read right to left. The digit at position i (the check digit is position 0) is first
 * permuted by P^(i mod 8) and then combined with the running value in the dihedral group D5, which is not
 * commutative. The permutation σ makes x·σ(y) ≠ y·σ(x) for every x ≠ y, which is why every single-digit
 * substitution and every adjacent transposition is caught (plain modulus checks such as Luhn miss 09 ↔ 90).
 *
 * The tables are the standard ones from Verhoeff (1969); verhoeff.test.ts checks them against a model of
 * D5 and σ written from first principles, so a mistyped entry cannot go unnoticed.
 */

// D5 multiplication: 0–4 are the rotations, 5–9 the reflections. Row-major, 10 × 10.
// biome-ignore format: a table reads best as a table
const MULTIPLY = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  1, 2, 3, 4, 0, 6, 7, 8, 9, 5,
  2, 3, 4, 0, 1, 7, 8, 9, 5, 6,
  3, 4, 0, 1, 2, 8, 9, 5, 6, 7,
  4, 0, 1, 2, 3, 9, 5, 6, 7, 8,
  5, 9, 8, 7, 6, 0, 4, 3, 2, 1,
  6, 5, 9, 8, 7, 1, 0, 4, 3, 2,
  7, 6, 5, 9, 8, 2, 1, 0, 4, 3,
  8, 7, 6, 5, 9, 3, 2, 1, 0, 4,
  9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
]);

// Row i is the permutation (0 1 5 8 9 4 2 7)(3 6) applied i times; it repeats with period 8.
// biome-ignore format: a table reads best as a table
const PERMUTE = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  1, 5, 7, 6, 2, 8, 3, 0, 9, 4,
  5, 8, 0, 3, 7, 9, 6, 1, 4, 2,
  8, 9, 1, 6, 0, 4, 3, 5, 2, 7,
  9, 4, 5, 3, 1, 2, 6, 8, 7, 0,
  4, 2, 8, 6, 5, 7, 3, 9, 0, 1,
  2, 7, 9, 3, 8, 0, 6, 4, 1, 5,
  7, 0, 4, 6, 9, 1, 3, 2, 5, 8,
]);

// The inverse of each element of D5: rotations invert to the opposite rotation, reflections to themselves.
const INVERSE = Uint8Array.from([0, 4, 3, 2, 1, 5, 6, 7, 8, 9]);

const ZERO = 0x30;

/**
 * Folds digit values right to left, treating the last one as position `firstPosition`. Internal: the
 * generator calls it on a digit buffer to avoid building strings for candidates it will reject.
 */
export function verhoeffFold(digits: ArrayLike<number>, count: number, firstPosition: number): number {
  let interim = 0;
  for (let index = count - 1, position = firstPosition; index >= 0; index -= 1, position += 1) {
    interim = MULTIPLY[interim * 10 + (PERMUTE[(position & 7) * 10 + (digits[index] ?? 0)] ?? 0)] ?? 0;
  }
  return interim;
}

/** The check digit that makes a fold of `interim` followed by it come to 0. */
export function verhoeffInverse(interim: number): number {
  return INVERSE[interim] ?? 0;
}

function digitValues(text: string): number[] | undefined {
  const values: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const value = text.charCodeAt(index) - ZERO;
    if (value < 0 || value > 9) {
      return undefined;
    }
    values.push(value);
  }
  return values;
}

/**
 * The Verhoeff check digit for `digits`, e.g. verhoeffCheckDigit('236') → '3'.
 * Throws RangeError unless `digits` is a non-empty string of ASCII digits.
 */
export function verhoeffCheckDigit(digits: string): string {
  const values = digits.length > 0 ? digitValues(digits) : undefined;
  if (values === undefined) {
    throw new RangeError('Verhoeff payload must be a non-empty string of ASCII digits');
  }
  // The check digit will sit at position 0, so the payload starts at position 1.
  return String(verhoeffInverse(verhoeffFold(values, values.length, 1)));
}

/** Whether the last digit of `digitsWithCheck` is the correct Verhoeff check digit for the rest. */
export function isVerhoeffValid(digitsWithCheck: string): boolean {
  const values = digitsWithCheck.length >= 2 ? digitValues(digitsWithCheck) : undefined;
  return values !== undefined && verhoeffFold(values, values.length, 0) === 0;
}
