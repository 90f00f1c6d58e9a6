import { DISTRICT_CODES, type DistrictCode } from '../../../core/districts/index.js';
import { normaliseName } from '../matching/normalise.js';
import type { MatchBirth, MatchPerson, MatchSex } from '../matching/score.js';
import { earliestDay } from '../person.js';
import { CHRISTIAN_NAMES, GIVEN_NAMES, SURNAMES, southAfricanSpelling, spellingVariants } from './names.js';
import { DISTRICT_POPULATION_2016, PLACES_ABROAD, VILLAGES } from './places.js';
import { Random, WeightedTable, zipf } from './random.js';

/**
 * Synthetic civil-register populations: families of Basotho with realistic names, districts weighted by the
 * 2016 census, villages, a young population pyramid, dates of birth of varying precision, parents' names,
 * phones, twins, and a share of near-duplicate re-registrations. Deterministic for a given seed.
 */

export interface SyntheticPerson extends MatchPerson {
  /** The family the person was generated in (siblings share it); for analysis only, never for matching. */
  familyId: string;
}

export type DuplicateVariation =
  | 'exact-copy'
  | 'typo'
  | 'swapped-names'
  | 'spelling-variant'
  | 'year-off-by-one'
  | 'date-precision-dropped'
  | 'phone-missing'
  | 'village-missing'
  | 'parents-missing';

export interface SyntheticRecord {
  /** Registration order is array order; ids are P0000001, P0000002, … in that order. */
  id: string;
  person: SyntheticPerson;
  /** Id of the earlier record of the same person, for re-registrations. */
  duplicateOf?: string;
  /** What differs from the original (for re-registrations). */
  variations?: DuplicateVariation[];
}

export interface PopulationOptions {
  /** Total number of records, re-registrations included. */
  count: number;
  /** Share of the records that are re-registrations of an earlier record; default 0.02. */
  duplicateShare?: number;
  seed: number;
  /** Year the register is taken in; default 2026. Nobody is born after it. */
  referenceYear?: number;
  /**
   * Day the register is taken on (YYYY-MM-DD), default the last day of referenceYear: nobody is
   * born after it, a re-registration included (pass today, or the register refuses them).
   */
  bornBy?: string;
}

/**
 * A birth after `bornBy` moves back a year (29 February to the 28th). No random draw is made,
 * so the rest of the population stays what the seed makes it.
 */
function notAfter(birth: MatchBirth, bornBy: string): MatchBirth {
  if (earliestDay(birth) <= bornBy) return birth;
  const year = birth.year - 1;
  return birth.month === 2 && birth.day === 29 ? { year, month: 2, day: 28 } : { ...birth, year };
}

const DISTRICTS = new WeightedTable(
  DISTRICT_CODES.map((code) => [code, DISTRICT_POPULATION_2016[code]] as const),
);
const SURNAME_TABLE = new WeightedTable(zipf(SURNAMES, 0.9, 6));
const GIVEN_BY_SEX: Readonly<Record<MatchSex, WeightedTable<string>>> = {
  F: new WeightedTable(
    zipf(GIVEN_NAMES, 0.8, 5)
      .filter(([g]) => g.sex !== 'M')
      .map(([g, w]) => [g.name, w] as const),
  ),
  M: new WeightedTable(
    zipf(GIVEN_NAMES, 0.8, 5)
      .filter(([g]) => g.sex !== 'F')
      .map(([g, w]) => [g.name, w] as const),
  ),
};
// Ages 0..100, younger-heavy (Lesotho's median age is in the low twenties).
const AGES = new WeightedTable(Array.from({ length: 101 }, (_, age) => [age, Math.exp(-age / 27)] as const));
const CHILDREN = new WeightedTable([
  [1, 22],
  [2, 26],
  [3, 22],
  [4, 14],
  [5, 9],
  [6, 7],
] as const);
const SPACING = new WeightedTable([
  [1, 8],
  [2, 34],
  [3, 30],
  [4, 17],
  [5, 11],
] as const);
const TWIN_RATE = 0.015;
const ADULT_AGE = 16;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
}

interface Family {
  id: string;
  district: DistrictCode | undefined;
  /** 0 = the district town. */
  villageIndex: number;
  village: string | undefined;
  surname: string;
  fatherName: string | undefined;
  /** Married mothers carry the family surname and are often known by their 'Ma-name. */
  motherMarried: boolean;
  maidenSurname: string;
  southAfricanSpelling: boolean;
}

class Generator {
  readonly #random: Random;
  readonly #referenceYear: number;
  readonly #bornBy: string;
  readonly #phones = new Set<string>();
  #families = 0;

  constructor(random: Random, referenceYear: number, bornBy: string) {
    this.#random = random;
    this.#referenceYear = referenceYear;
    this.#bornBy = bornBy;
  }

  #givenName(sex: MatchSex, avoid: ReadonlySet<string>): string {
    for (let attempt = 0; attempt < 20; attempt++) {
      const name = GIVEN_BY_SEX[sex].pick(this.#random);
      if (!avoid.has(normaliseName(name))) {
        return name;
      }
    }
    return GIVEN_BY_SEX[sex].pick(this.#random);
  }

  #phone(): string {
    for (;;) {
      const first = this.#random.chance(0.6) ? '5' : '6';
      const rest = String(this.#random.int(0, 9_999_999)).padStart(7, '0');
      const phone = `+266${first}${rest}`;
      if (!this.#phones.has(phone)) {
        this.#phones.add(phone);
        return phone;
      }
    }
  }

  #birth(year: number, rural: boolean): MatchBirth {
    const r = this.#random;
    const month = r.int(1, 12);
    const day = r.int(1, daysIn(year, month));
    // Older rural births were often registered late, from memory: only the year, or the month, is known.
    const vague = year < 1950 ? 0.45 : year < 1970 ? 0.25 : year < 1990 ? 0.08 : 0.01;
    const p = rural ? vague : vague * 0.3;
    const roll = r.next();
    if (roll < p) {
      return notAfter({ year }, this.#bornBy);
    }
    if (roll < p * 1.5) {
      return notAfter({ year, month }, this.#bornBy);
    }
    return notAfter({ year, month, day }, this.#bornBy);
  }

  #family(): Family {
    const r = this.#random;
    this.#families++;
    const abroad = r.chance(0.005);
    const district = abroad ? undefined : DISTRICTS.pick(r);
    const villages = district === undefined ? PLACES_ABROAD : VILLAGES[district];
    // The district town is a third of births; the rest spread evenly over the villages.
    const villageIndex = r.chance(0.34) ? 0 : r.int(1, villages.length - 1);
    const village = r.chance(0.03) ? undefined : villages[villageIndex];
    const southAfrican = r.chance(0.04);
    const fatherSurname = SURNAME_TABLE.pick(r);
    const maidenSurname = SURNAME_TABLE.pick(r);
    const fatherKnown = r.chance(0.88);
    const written = fatherKnown ? fatherSurname : maidenSurname;
    const surname = southAfrican ? southAfricanSpelling(written) : written;
    return {
      id: `F${this.#families}`,
      district,
      villageIndex,
      village,
      surname,
      fatherName: fatherKnown ? `${GIVEN_BY_SEX.M.pick(r)} ${surname}` : undefined,
      motherMarried: fatherKnown && r.chance(0.75),
      maidenSurname,
      southAfricanSpelling: southAfrican,
    };
  }

  /** Generates one family's children, oldest first. */
  familyMembers(): SyntheticPerson[] {
    const r = this.#random;
    const family = this.#family();
    const children = CHILDREN.pick(r);
    let year = this.#referenceYear - AGES.pick(r);
    const people: SyntheticPerson[] = [];
    const used = new Set<string>();
    let previous: SyntheticPerson | undefined;
    for (let child = 0; child < children && year <= this.#referenceYear; child++) {
      const twin = previous !== undefined && r.chance(TWIN_RATE);
      const sex: MatchSex = r.chance(0.51) ? 'F' : 'M';
      const first = this.#givenName(sex, used);
      used.add(normaliseName(first));
      let givenNames = first;
      if (r.chance(0.45)) {
        const second = this.#givenName(sex, used);
        used.add(normaliseName(second));
        givenNames = `${first} ${second}`;
      }
      if (family.southAfricanSpelling || r.chance(0.03)) {
        givenNames = southAfricanSpelling(givenNames);
      }
      const birthYear = twin && previous !== undefined ? previous.birth.year : year;
      const rural = family.villageIndex !== 0;
      const birth =
        twin && previous !== undefined
          ? { ...previous.birth }
          : this.#birth(birthYear, rural && family.district !== undefined);
      const person: SyntheticPerson = {
        givenNames,
        surname: family.surname,
        sex,
        birth,
        familyId: family.id,
      };
      if (r.chance(0.04)) {
        person.otherNames = r.pick(CHRISTIAN_NAMES[sex]);
      }
      if (family.district !== undefined) {
        person.birthDistrict = family.district;
      }
      if (family.village !== undefined) {
        person.birthVillage = family.village;
      }
      people.push(person);
      previous = person;
      if (!twin) {
        year += SPACING.pick(r);
      }
    }
    this.#parents(family, people);
    for (const person of people) {
      if (this.#referenceYear - person.birth.year >= ADULT_AGE && r.chance(0.85)) {
        person.phone = this.#phone();
      }
    }
    return people;
  }

  #parents(family: Family, people: SyntheticPerson[]): void {
    const r = this.#random;
    const eldest = people[0];
    if (eldest === undefined) {
      return;
    }
    const motherGiven = GIVEN_BY_SEX.F.pick(r);
    let motherName: string;
    if (family.motherMarried) {
      // 'MaRethabile: "mother of Rethabile", after the first child.
      const firstChild = eldest.givenNames.split(' ')[0] ?? motherGiven;
      const maName = `'Ma${firstChild.replace(/^'Ma/, '').replace(/^Mma/, '')}`;
      motherName = r.chance(0.45) ? `${maName} ${family.surname}` : `${motherGiven} ${family.surname}`;
    } else {
      motherName = `${motherGiven} ${family.maidenSurname}`;
    }
    if (family.southAfricanSpelling) {
      motherName = southAfricanSpelling(motherName);
    }
    for (const person of people) {
      // Parents are recorded less often for older people.
      const old = person.birth.year < 1960;
      if (family.fatherName !== undefined && r.chance(old ? 0.7 : 0.93)) {
        person.fatherName = family.fatherName;
      }
      if (r.chance(old ? 0.75 : 0.96)) {
        person.motherName = motherName;
      }
    }
  }
}

const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qwsz',
  b: 'vghn',
  c: 'xdfv',
  d: 'serfcx',
  e: 'wsdr',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  i: 'ujko',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  m: 'njk',
  n: 'bhjm',
  o: 'iklp',
  p: 'ol',
  q: 'wa',
  r: 'edft',
  s: 'awedxz',
  t: 'rfgy',
  u: 'yhji',
  v: 'cfgb',
  w: 'qase',
  x: 'zsdc',
  y: 'tghu',
  z: 'asx',
};

/** One slip of the pen or keyboard: a substitution, deletion, transposition or doubled letter. */
export function typo(name: string, random: Random): string {
  const letters = [...name];
  const positions = letters.flatMap((letter, index) => (/[a-zšA-ZŠ]/.test(letter) ? [index] : []));
  for (let attempt = 0; attempt < 20 && positions.length > 1; attempt++) {
    const at = random.pick(positions);
    const letter = letters[at] ?? '';
    const copy = [...letters];
    const kind = random.next();
    if (kind < 0.35) {
      const lower = letter.toLowerCase();
      const neighbours = KEYBOARD_NEIGHBOURS[lower] ?? 'aeiou';
      const pool = random.chance(0.7) ? neighbours : 'abcdefghijklmnopqrstuvwxyz';
      const replacement = random.pick([...pool]);
      copy[at] = letter === lower ? replacement : replacement.toUpperCase();
    } else if (kind < 0.6) {
      copy.splice(at, 1);
    } else if (kind < 0.85) {
      const next = at + 1;
      if (next >= copy.length || !/[a-zšA-ZŠ]/.test(copy[next] ?? '')) {
        continue;
      }
      [copy[at], copy[next]] = [copy[next] ?? '', letter];
    } else {
      copy.splice(at, 0, letter.toLowerCase());
    }
    const result = copy.join('').trim();
    if (result !== '' && normaliseName(result) !== normaliseName(name)) {
      return result;
    }
  }
  return name;
}

function applicable(person: SyntheticPerson, variation: DuplicateVariation): boolean {
  switch (variation) {
    case 'spelling-variant':
      return spellingVariants(person.givenNames).length > 0 || spellingVariants(person.surname).length > 0;
    case 'date-precision-dropped':
      return person.birth.month !== undefined;
    case 'phone-missing':
      return person.phone !== undefined;
    case 'village-missing':
      return person.birthVillage !== undefined;
    case 'parents-missing':
      return person.fatherName !== undefined || person.motherName !== undefined;
    default:
      return true;
  }
}

const VARIATION_WEIGHTS: readonly (readonly [DuplicateVariation, number])[] = [
  ['typo', 30],
  ['swapped-names', 12],
  ['spelling-variant', 15],
  ['year-off-by-one', 15],
  ['date-precision-dropped', 12],
  ['phone-missing', 10],
  ['village-missing', 4],
  ['parents-missing', 4],
];
const VARIATION_ORDER = VARIATION_WEIGHTS.map(([variation]) => variation);

function chooseVariations(person: SyntheticPerson, random: Random): DuplicateVariation[] {
  const roll = random.next();
  // A few re-registrations are exact copies (the sample has them); most differ in one to three ways.
  if (roll < 0.04) {
    return ['exact-copy'];
  }
  const wanted = roll < 0.58 ? 1 : roll < 0.88 ? 2 : 3;
  let pool = VARIATION_WEIGHTS.filter(([variation]) => applicable(person, variation));
  const chosen: DuplicateVariation[] = [];
  while (chosen.length < wanted && pool.length > 0) {
    const variation = new WeightedTable(pool).pick(random);
    chosen.push(variation);
    pool = pool.filter(([v]) => v !== variation);
  }
  return chosen.sort((a, b) => VARIATION_ORDER.indexOf(a) - VARIATION_ORDER.indexOf(b));
}

/** A re-registration of `original` with the given variations applied. */
export function reRegister(
  original: SyntheticPerson,
  variations: readonly DuplicateVariation[],
  random: Random,
  bornBy = '9999-12-31',
): SyntheticPerson {
  const person: SyntheticPerson = { ...original, birth: { ...original.birth } };
  for (const variation of variations) {
    switch (variation) {
      case 'exact-copy':
        break;
      case 'spelling-variant': {
        const givenVariants = spellingVariants(person.givenNames);
        const surnameVariants = spellingVariants(person.surname);
        const useGiven = givenVariants.length > 0 && (surnameVariants.length === 0 || random.chance(0.5));
        if (useGiven) {
          person.givenNames = random.pick(givenVariants);
        } else if (surnameVariants.length > 0) {
          person.surname = random.pick(surnameVariants);
        }
        break;
      }
      case 'typo':
        if (random.chance(0.55)) {
          person.givenNames = typo(person.givenNames, random);
        } else {
          person.surname = typo(person.surname, random);
        }
        break;
      case 'swapped-names':
        [person.givenNames, person.surname] = [person.surname, person.givenNames];
        break;
      case 'year-off-by-one': {
        const later =
          random.chance(0.5) && earliestDay({ ...person.birth, year: person.birth.year + 1 }) <= bornBy;
        const year = person.birth.year + (later ? 1 : -1);
        person.birth.year = year;
        if (person.birth.month !== undefined && person.birth.day !== undefined) {
          person.birth.day = Math.min(person.birth.day, daysIn(year, person.birth.month));
        }
        break;
      }
      case 'date-precision-dropped':
        if (person.birth.day !== undefined && random.chance(0.4)) {
          person.birth = { year: person.birth.year, month: person.birth.month ?? 1 };
        } else {
          person.birth = { year: person.birth.year };
        }
        break;
      case 'phone-missing':
        delete person.phone;
        break;
      case 'village-missing':
        delete person.birthVillage;
        break;
      case 'parents-missing':
        delete person.fatherName;
        delete person.motherName;
        break;
    }
  }
  return person;
}

/**
 * Synthesises `count` civil-register records in registration order. `round(count × duplicateShare)` of them
 * are re-registrations of distinct earlier records, each placed at a random position after its original.
 */
export function synthesisePopulation(options: PopulationOptions): SyntheticRecord[] {
  const { count, seed } = options;
  const duplicateShare = options.duplicateShare ?? 0.02;
  const referenceYear = options.referenceYear ?? 2026;
  const bornBy = options.bornBy ?? `${referenceYear}-12-31`;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (!(duplicateShare >= 0 && duplicateShare <= 0.5)) {
    throw new RangeError(`duplicateShare must be between 0 and 0.5, got ${duplicateShare}`);
  }
  const random = new Random(seed);
  const generator = new Generator(random, referenceYear, bornBy);
  const duplicateCount = Math.round(count * duplicateShare);
  const originalCount = count - duplicateCount;

  const originals: SyntheticPerson[] = [];
  while (originals.length < originalCount) {
    for (const person of generator.familyMembers()) {
      if (originals.length < originalCount) {
        originals.push(person);
      }
    }
  }
  // Families are registered over the years, not together.
  random.shuffle(originals);

  // Choose distinct originals to re-register, and when: a random time after the original's own position.
  const chosen = random.shuffle(Array.from({ length: originalCount }, (_, i) => i)).slice(0, duplicateCount);
  interface Pending {
    order: number;
    person: SyntheticPerson;
    originalIndex?: number;
    variations?: DuplicateVariation[];
  }
  const pending: Pending[] = originals.map((person, index) => ({ order: index, person }));
  for (const index of chosen) {
    const original = originals[index] as SyntheticPerson;
    const variations = chooseVariations(original, random);
    const order = index + 0.5 + random.next() * (originalCount - index - 0.5);
    pending.push({
      order,
      person: reRegister(original, variations, random, bornBy),
      originalIndex: index,
      variations,
    });
  }
  pending.sort((a, b) => a.order - b.order);

  const idOfOriginal = new Map<number, string>();
  const records: SyntheticRecord[] = pending.map((entry, position) => {
    const id = `P${String(position + 1).padStart(7, '0')}`;
    if (entry.originalIndex === undefined) {
      idOfOriginal.set(entry.order, id);
      return { id, person: entry.person };
    }
    const duplicateOf = idOfOriginal.get(entry.originalIndex);
    if (duplicateOf === undefined) {
      throw new Error('A re-registration was ordered before its original');
    }
    return { id, person: entry.person, duplicateOf, variations: entry.variations ?? [] };
  });
  return records;
}
