import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISTRICT_CODES, DISTRICTS, type DistrictCode } from '../../../core/districts/index.js';
import { DISTRICT_ALIASES, districtKey, districtMatcher } from './districts.js';

/** Every way the built-in table names each district. */
const ALIASES: [string, DistrictCode][] = DISTRICT_CODES.flatMap((code) =>
  [code, `LS-${code}`, DISTRICTS[code].en, DISTRICTS[code].st, ...DISTRICT_ALIASES[code]].map(
    (alias) => [alias, code] as [string, DistrictCode],
  ),
);
const APOSTROPHES = ["'", '’', '‘', '`', 'ʼ'];

/** The same alias as a clerk might type it: any case, spaces and hyphens anywhere, any apostrophe. */
const typedVariant = (alias: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: alias.length, maxLength: alias.length }),
      fc.array(fc.constantFrom('', '', '', ' ', '  ', '-'), {
        minLength: alias.length,
        maxLength: alias.length,
      }),
      fc.constantFrom(...APOSTROPHES),
      fc.constantFrom('', ' ', '\t'),
    )
    .map(([upper, gaps, apostrophe, pad]) => {
      let text = '';
      [...alias].forEach((char, i) => {
        const c = /['’]/.test(char) ? apostrophe : upper[i] ? char.toUpperCase() : char.toLowerCase();
        text += (i > 0 ? (gaps[i] ?? '') : '') + c;
      });
      return `${pad}${text}${pad}`;
    });

describe('district aliases', () => {
  const match = districtMatcher();

  it.each([
    ['Maseru Urban', 'A'],
    ['maseru', 'A'],
    ['Maseru Rural', 'A'],
    ['Botha-Bothe', 'B'],
    ['Butha Buthe', 'B'],
    ['BUTHA-BUTHE', 'B'],
    ['Hlotse', 'C'],
    ['LERIBE', 'C'],
    ['TY', 'D'],
    ['T.Y.', 'D'],
    ['Teyateyaneng', 'D'],
    ['Mohale’s Hoek', 'F'],
    ['Mohales Hoek', 'F'],
    ["MOHALE'S HOEK", 'F'],
    ['Moyeni', 'G'],
    ['Qachas Nek', 'H'],
    ['Qacha’s Nek', 'H'],
    ['Thaba Tseka', 'K'],
    ['LS-J', 'J'],
  ])('%s → %s', (text, code) => {
    expect(match.match(text)).toBe(code);
  });

  it.each(['?', 'Free State', 'Lesotho', 'Maseru West', 'Ha Abia', 'South Africa', '', '   ', 'Z'])(
    '%j is no district',
    (text) => {
      expect(match.match(text)).toBeUndefined();
    },
  );

  it('no two districts share an alias', () => {
    const seen = new Map<string, DistrictCode>();
    for (const [alias, code] of ALIASES) {
      const key = districtKey(alias);
      expect(seen.get(key) ?? code, `${alias} is also ${seen.get(key)}`).toBe(code);
      seen.set(key, code);
    }
  });

  it('every alias, in any case, spacing or apostrophe, names its district', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...ALIASES)
          .chain(([alias, code]) => typedVariant(alias).map((typed) => [typed, code])),
        ([typed, code]) => {
          expect(match.match(typed as string)).toBe(code);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a register’s own alias is added to the table and may take over a built-in one', () => {
    const own = districtMatcher({ Semonkong: 'A', Roma: 'A', Hlotse: 'D' });
    expect(own.match('SEMONKONG')).toBe('A');
    expect(own.match('roma')).toBe('A');
    expect(own.match('Hlotse')).toBe('D');
    expect(own.match('Leribe')).toBe('C');
  });
});
