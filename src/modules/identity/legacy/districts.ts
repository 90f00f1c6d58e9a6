import { DISTRICT_CODES, DISTRICTS, type DistrictCode } from '../../../core/districts/index.js';

/**
 * How old registers wrote the district, beyond the official English and Sesotho names: the
 * camptown that gives or used to give the district its name, the largest other towns, the office
 * names some registers used (Maseru Urban / Maseru Rural) and the ISO 3166-2:LS code. Matching
 * ignores case, spaces, hyphens, dots and every apostrophe variant, so "MOHALE’S HOEK",
 * "Mohales Hoek" and "mohale's-hoek" are one alias.
 *
 * Deliberately absent: parts of a town ("Maseru West"), constituencies and villages. A village
 * name says where someone lives now more often than where they were born, and several villages
 * share a name across districts; those values are reported, not guessed.
 */
export const DISTRICT_ALIASES: Readonly<Record<DistrictCode, readonly string[]>> = {
  A: ['Maseru', 'Maseru Urban', 'Maseru Rural', 'Maseru District'],
  B: ['Butha-Buthe', 'Botha-Bothe', 'Butha-Buthe District', 'Botha-Bothe District'],
  C: ['Leribe', 'Hlotse', 'Maputsoe', 'Leribe District'],
  D: ['Berea', 'Teyateyaneng', 'TY', 'Berea District'],
  E: ['Mafeteng', 'Mafeteng District'],
  F: ["Mohale's Hoek", "Mohale's Hoek District"],
  G: ['Quthing', 'Moyeni', 'Quthing District'],
  H: ["Qacha's Nek", "Qacha's Nek District"],
  J: ['Mokhotlong', 'Mokhotlong District'],
  K: ['Thaba-Tseka', 'Thaba-Tseka District'],
};

const APOSTROPHES = /['’‘`´ʼʻ′‛]/g;
const SEPARATORS = /[\s\-‐‑‒–—―−_.,]+/g;
const COMBINING_MARKS = /\p{M}+/gu;

/** The comparison key of a district as written: "Mohale’s  Hoek" → "mohaleshoek". */
export function districtKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(APOSTROPHES, '')
    .replace(SEPARATORS, '');
}

export interface DistrictMatcher {
  /** The district code for a value as written, or undefined when it names no district. */
  match(text: string): DistrictCode | undefined;
}

/**
 * The built-in aliases plus a register's own (`extra`, alias → code); a register's alias wins over
 * a built-in one with the same key. Every code also matches as itself and as LS-X.
 */
export function districtMatcher(extra: Readonly<Record<string, DistrictCode>> = {}): DistrictMatcher {
  const table = new Map<string, DistrictCode>();
  for (const code of DISTRICT_CODES) {
    for (const alias of [
      code,
      `LS-${code}`,
      DISTRICTS[code].en,
      DISTRICTS[code].st,
      ...DISTRICT_ALIASES[code],
    ]) {
      table.set(districtKey(alias), code);
    }
  }
  for (const [alias, code] of Object.entries(extra)) table.set(districtKey(alias), code);
  return {
    match(text) {
      const key = districtKey(text);
      return key ? table.get(key) : undefined;
    },
  };
}
