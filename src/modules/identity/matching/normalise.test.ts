import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GIVEN_NAMES, SURNAMES, southAfricanSpelling, spellingVariants } from '../synth/index.js';
import { nameTokens, normaliseName, ORTHOGRAPHY_RULES } from './index.js';

describe('normaliseName', () => {
  it.each([
    ['Tšepo', 'TSEPO'],
    ['Tsepo', 'TSEPO'],
    ['Tshepo', 'TSEPO'],
    ['TŠEPO', 'TSEPO'],
    ["Mots'elisi", 'MOTSELISI'],
    ['Mots’elisi', 'MOTSELISI'],
    ['Mots‘elisi', 'MOTSELISI'],
    ['Mots`elisi', 'MOTSELISI'],
    ['Mots´elisi', 'MOTSELISI'],
    ['Motselisi', 'MOTSELISI'],
    ["'Mathabo", 'MATHABO'],
    ['’Mathabo', 'MATHABO'],
    ['Mmathabo', 'MATHABO'],
    ["'MaRethabile Monyane", 'MARETHABILE MONYANE'],
    ["'Ma Rethabile Monyane", 'MARETHABILE MONYANE'],
    ["'Ma-Rethabile Monyane", 'MARETHABILE MONYANE'],
    ['Ma-Rethabile Monyane', 'MARETHABILE MONYANE'],
    ['Matšela', 'MATSELA'],
    ['Dineo', 'LINEO'],
    ['Dipuo', 'LIPUO'],
    ['Modise', 'MOLISE'],
    ['Mokwena', 'MOKOENA'],
    ['Tshweu', 'TSOEU'],
    ['Moshweshwe', 'MOSHOESHOE'],
    ['Kgotso', 'KHOTSO'],
    ['Mokgothu', 'MOKHOTHU'],
    ['Tjhabalala', 'CHABALALA'],
    ['Monyane', 'MONYANE'],
    ['Lethunya', 'LETHUNYA'],
    ['  Mosala  ', 'MOSALA'],
    ['Tau   Rethabile', 'TAU RETHABILE'],
    ['Thaba-Tseka', 'THABA TSEKA'],
    ['Thaba–Tseka', 'THABA TSEKA'],
    ['Mary', 'MARY'],
    ['', ''],
    ["  ' - ", ''],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });

  it('is idempotent on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const once = normaliseName(text);
        expect(normaliseName(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on name-like text built from the letters the rules look at', () => {
    const letter = fc.constantFrom(..."aeiouAEIOUdDkKgGhHjJlLmMnNsStTwWyYšŠ'’ -".split(''));
    fc.assert(
      fc.property(fc.array(letter, { maxLength: 16 }), (letters) => {
        const once = normaliseName(letters.join(''));
        expect(normaliseName(once)).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives upper-case letters without marks, separated by single spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        const result = normaliseName(text);
        expect(result).toBe(result.toUpperCase());
        expect(result).toMatch(/^(?:\p{L}+(?: \p{L}+)*)?$/u);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads full-width and other compatibility letters as plain letters', () => {
    expect(normaliseName('Ｔšｅｐｏ')).toBe('TSEPO');
    expect(normaliseName('𝓣𝓼𝓮𝓹𝓸')).toBe('TSEPO');
  });

  it('folds every apostrophe, š and South African spelling variant of the synthetic names to the same text', () => {
    const names = [...GIVEN_NAMES.map((g) => g.name), ...SURNAMES];
    for (const name of names) {
      for (const variant of spellingVariants(name)) {
        expect(normaliseName(variant), `${name} ~ ${variant}`).toBe(normaliseName(name));
      }
      expect(normaliseName(southAfricanSpelling(name).toUpperCase())).toBe(normaliseName(name));
    }
  });

  it('folds apostrophe and case variants of any name', () => {
    const apostrophe = fc.constantFrom("'", '’', '‘', '`', '´', '');
    const name = fc.constantFrom(...SURNAMES, ...GIVEN_NAMES.map((g) => g.name));
    fc.assert(
      fc.property(name, apostrophe, fc.boolean(), (n, mark, upper) => {
        const variant = n.replaceAll("'", mark);
        expect(normaliseName(upper ? variant.toUpperCase() : variant.toLowerCase())).toBe(normaliseName(n));
      }),
    );
  });

  it('documents each orthography rule with an example and its risk', () => {
    expect(ORTHOGRAPHY_RULES.length).toBeGreaterThanOrEqual(6);
    for (const rule of ORTHOGRAPHY_RULES) {
      expect(rule.example).not.toBe('');
      expect(rule.risk).not.toBe('');
      expect(rule.pattern.global).toBe(true);
    }
  });
});

describe('nameTokens', () => {
  it('sorts the normalised words, so order does not matter', () => {
    expect(nameTokens('Thabo Mokoena')).toEqual(['MOKOENA', 'THABO']);
    expect(nameTokens('  mokwena   Thabo ')).toEqual(['MOKOENA', 'THABO']);
    expect(nameTokens("'Ma-Lineo Tšoeu")).toEqual(['MALINEO', 'TSOEU']);
    expect(nameTokens('')).toEqual([]);
  });

  it('is insensitive to word order', () => {
    const word = fc.constantFrom(...SURNAMES.slice(0, 30), ...GIVEN_NAMES.slice(0, 30).map((g) => g.name));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        expect(nameTokens([...words].reverse().join(' '))).toEqual(nameTokens(words.join(' ')));
      }),
    );
  });
});
