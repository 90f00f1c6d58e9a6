/** The ten districts of Lesotho, by their ISO 3166-2:LS code; names as written in each language. */
export const DISTRICTS = {
  A: { en: 'Maseru', st: 'Maseru' },
  B: { en: 'Butha-Buthe', st: 'Botha-Bothe' },
  C: { en: 'Leribe', st: 'Leribe' },
  D: { en: 'Berea', st: 'Berea' },
  E: { en: 'Mafeteng', st: 'Mafeteng' },
  F: { en: "Mohale's Hoek", st: "Mohale's Hoek" },
  G: { en: 'Quthing', st: 'Quthing' },
  H: { en: "Qacha's Nek", st: "Qacha's Nek" },
  J: { en: 'Mokhotlong', st: 'Mokhotlong' },
  K: { en: 'Thaba-Tseka', st: 'Thaba-Tseka' },
} as const;

export type DistrictCode = keyof typeof DISTRICTS;
export const DISTRICT_CODES = Object.keys(DISTRICTS) as DistrictCode[];

export function isDistrictCode(value: unknown): value is DistrictCode {
  return typeof value === 'string' && value in DISTRICTS;
}
