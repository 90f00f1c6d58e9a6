import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, jaroWinkler, nameSimilarity, SIMILAR_NAME } from './index.js';

const word = fc.string({ unit: fc.constantFrom(...'ABEHIKLMNOPST'), maxLength: 12 });

describe('jaroWinkler', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.961],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.813],
    ['ABC', 'XYZ', 0],
  ])('%s / %s ≈ %s', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('is symmetric, in 0..1, and 1 only for equal strings', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const ab = jaroWinkler(a, b);
        expect(ab).toBe(jaroWinkler(b, a));
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(ab === 1).toBe(a === b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('editDistance', () => {
  it.each([
    ['KITTEN', 'SITTING', 3],
    ['RAMAKOAE', 'RAMAOKAE', 1],
    ['MATSELA', 'MATSLA', 1],
    ['MPOLOKENG', 'MPOLLOKENG', 1],
    ['CA', 'ABC', 3],
    ['', 'ABC', 3],
  ])('%s / %s = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });

  it('stops early at the limit', () => {
    expect(editDistance('THABO', 'LERATO', 1)).toBe(2);
    expect(editDistance('A', 'ABCDEFG', 2)).toBe(3);
  });

  it('is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const ab = editDistance(a, b);
        expect(ab).toBe(editDistance(b, a));
        expect(ab === 0).toBe(a === b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nameSimilarity', () => {
  it.each([
    ['THABO', 'TABO'],
    ['MATSELA', 'MATSLA'],
    ['RAMOKHORO', 'RAMOKOHRO'],
    ['MPOLOKENG', 'MPOLLOKENG'],
    ['NEO', 'NEP'],
    ['LEHLOHONOLO', 'LEHLOHONOLOR'],
  ])('takes %s / %s as one name with a slip', (a, b) => {
    expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(SIMILAR_NAME);
  });

  it.each([
    ['MOHAPI', 'MOHALE'],
    ['LERATO', 'LINEO'],
    ['MOKOENA', 'MOFOKENG'],
    ['TAU', 'TLALI'],
  ])('keeps %s / %s apart', (a, b) => {
    expect(nameSimilarity(a, b)).toBeLessThan(SIMILAR_NAME);
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(nameSimilarity(a, b)).toBe(nameSimilarity(b, a));
      }),
      { numRuns: 2000 },
    );
  });
});
