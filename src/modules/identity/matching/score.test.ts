import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DuplicateVariation,
  GIVEN_NAMES,
  Random,
  reRegister,
  SURNAMES,
  type SyntheticPerson,
  spellingVariants,
  synthesisePopulation,
} from '../synth/index.js';
import {
  DEFAULT_MATCH_THRESHOLDS,
  DEFAULT_MATCH_WEIGHTS,
  type MatchPerson,
  preparePerson,
  scoreOnly,
  scorePair,
} from './index.js';

const review = DEFAULT_MATCH_THRESHOLDS.review;

const tsepo: MatchPerson = {
  givenNames: 'Tšepo Lerotholi',
  surname: "Mots'oene",
  sex: 'M',
  birth: { year: 1984, month: 11, day: 22 },
  birthDistrict: 'C',
  birthVillage: 'Pitseng',
  fatherName: "Seabata Mots'oene",
  motherName: "'MaTšepo Mots'oene",
  phone: '+26658123456',
};

const palesa: MatchPerson = {
  givenNames: 'Palesa',
  surname: 'Mokoena',
  sex: 'F',
  birth: { year: 1991, month: 3, day: 9 },
  birthDistrict: 'A',
  birthVillage: 'Roma',
  fatherName: 'Thabo Mokoena',
  motherName: 'Lineo Mokoena',
  phone: '+26662345678',
};

const ALL_VARIATIONS: DuplicateVariation[] = [
  'exact-copy',
  'typo',
  'swapped-names',
  'spelling-variant',
  'year-off-by-one',
  'date-precision-dropped',
  'phone-missing',
  'village-missing',
  'parents-missing',
];

function synthetic(person: MatchPerson): SyntheticPerson {
  return { ...person, familyId: 'fixture' };
}

describe('scorePair', () => {
  it('scores a person against themselves at the top, with a reason for every field', () => {
    const result = scorePair(tsepo, { ...tsepo });
    expect(result.score).toBeGreaterThan(0.99);
    expect(result.reasons.map((r) => r.field)).toEqual([
      'surname',
      'givenNames',
      'birth',
      'sex',
      'birthDistrict',
      'birthVillage',
      'fatherName',
      'motherName',
      'family',
      'phone',
    ]);
    for (const reason of result.reasons) {
      expect(reason.detail).toBeTruthy();
    }
  });

  it.each(ALL_VARIATIONS)('scores a re-registration with %s at or above review', (variation) => {
    for (const person of [tsepo, palesa]) {
      for (let seed = 0; seed < 40; seed++) {
        const copy = reRegister(synthetic(person), [variation], new Random(seed));
        const result = scorePair(copy, person);
        expect(result.score, `${variation}: ${copy.givenNames} ${copy.surname}`).toBeGreaterThanOrEqual(
          review,
        );
      }
    }
  });

  it.each([
    ['Tshepo Lerotholi', "Mots'oene"],
    ['Tsepo Lerotholi', 'Mots’oene'],
    ['TŠEPO LEROTHOLI', 'MOTSOENE'],
    ['Lerotholi Tšepo', "Mots'oene"],
    ["Mots'oene", 'Tšepo Lerotholi'],
    ['Tšepo', "Mots'oene"],
  ])('recognises "%s %s" as the fixture person', (givenNames, surname) => {
    expect(scorePair({ ...tsepo, givenNames, surname }, tsepo).score).toBeGreaterThanOrEqual(review);
  });

  it('names the exchange of given names and surname', () => {
    const result = scorePair({ ...tsepo, givenNames: tsepo.surname, surname: tsepo.givenNames }, tsepo);
    expect(result.reasons[0]).toMatchObject({ field: 'names', agreement: 'swapped' });
  });

  it.each([
    [{ year: 1984, month: 11, day: 22 }, 'exact'],
    [{ year: 1983, month: 11, day: 22 }, 'off-by-one-year'],
    [{ year: 1984, month: 11 }, 'same-month'],
    [{ year: 1984 }, 'same-year'],
    [{ year: 1984, month: 11, day: 2 }, 'same-month'],
    [{ year: 1984, month: 6, day: 22 }, 'different'],
    [{ year: 1990, month: 11, day: 22 }, 'different'],
  ] as const)('grades the date of birth %j as %s', (birth, agreement) => {
    const reason = scorePair({ ...tsepo, birth }, tsepo).reasons.find((r) => r.field === 'birth');
    expect(reason?.agreement).toBe(agreement);
  });

  it('grades dates from exact day down to different', () => {
    const weight = (birth: MatchPerson['birth']) =>
      scorePair({ ...tsepo, birth }, tsepo).reasons.find((r) => r.field === 'birth')?.weight ?? Number.NaN;
    const exact = weight({ year: 1984, month: 11, day: 22 });
    const month = weight({ year: 1984, month: 11 });
    const year = weight({ year: 1984 });
    const offByOne = weight({ year: 1985 });
    const different = weight({ year: 1984, month: 2, day: 3 });
    expect(exact).toBeGreaterThan(month);
    expect(month).toBeGreaterThan(year);
    expect(year).toBeGreaterThan(offByOne);
    expect(offByOne).toBeGreaterThan(different);
  });

  it('lets missing data neither help nor hurt much', () => {
    const bare: MatchPerson = { givenNames: tsepo.givenNames, surname: tsepo.surname, birth: tsepo.birth };
    const result = scorePair(bare, tsepo);
    expect(result.score).toBeGreaterThanOrEqual(review);
    for (const reason of result.reasons.filter((r) => r.agreement === 'missing')) {
      expect(reason.weight).toBe(0);
    }
  });

  it('scores two clearly different people below review', () => {
    expect(scorePair(tsepo, palesa).score).toBeLessThan(0.01);
    const sameNameOtherPerson: MatchPerson = {
      ...palesa,
      birth: { year: 1992, month: 7, day: 30 },
      birthDistrict: 'E',
      birthVillage: 'Malealea',
      fatherName: 'Sello Mokoena',
      motherName: "'MaPalesa Mokoena",
      phone: '+26651112222',
    };
    expect(scorePair(sameNameOtherPerson, palesa).score).toBeLessThan(review);
  });

  it('keeps twins with different given names below review, and says why', () => {
    const twin: MatchPerson = { ...palesa, givenNames: 'Lerato', phone: '+26662345679' };
    const result = scorePair(twin, palesa);
    expect(result.score).toBeLessThan(review);
    expect(result.reasons.at(-1)).toMatchObject({ field: 'names', agreement: 'capped' });
  });

  it('keeps a sibling born two years later below review even with a similar name', () => {
    const sibling: MatchPerson = { ...palesa, givenNames: 'Palese', birth: { year: 1993, month: 5, day: 1 } };
    expect(scorePair(sibling, palesa).score).toBeLessThan(review);
  });

  // Re-registrations found in shared/data/legacy-civil-registry-sample.csv, with its messy values mapped
  // to the fields (the import's job).
  it.each([
    [
      { givenNames: 'Puleng Karabo', surname: 'Ramakoae', birth: { year: 1976, month: 5, day: 17 } },
      { givenNames: 'Puleng Karabo', surname: 'Ramaokae', birth: { year: 1976, month: 5, day: 17 } },
      {
        sex: 'F',
        birthVillage: 'Khubetsoana',
        fatherName: "'Mamosa Lerotholi",
        motherName: "'MaLintle Pholo",
      },
    ],
    [
      { givenNames: 'Rorisang Teboho', surname: 'Makhetha', birth: { year: 2004, month: 11, day: 27 } },
      { givenNames: 'Makhetha', surname: 'Rorisang Teboho', birth: { year: 2004, month: 11, day: 27 } },
      { sex: 'F', birthVillage: 'Hlotse', fatherName: 'Keketso Ramoholi', motherName: "'MaMosiuoa Makhetha" },
    ],
    [
      { givenNames: 'Nthati Tlali', surname: 'Mahao', birth: { year: 1966, month: 4, day: 20 } },
      { givenNames: 'Nthati Tlali', surname: 'Mhao', birth: { year: 1966 } },
      { sex: 'M', birthVillage: 'Pitseng', fatherName: 'Lintle Selialia', phone: '+266 5027 2532' },
    ],
    [
      { givenNames: 'Lehlohonolo Relebohile', surname: 'Mphutlane', birth: { year: 1940, month: 4, day: 1 } },
      { givenNames: 'LehlohonoloR elebohile', surname: 'Mphutlane', birth: { year: 1940, month: 4, day: 1 } },
      { sex: 'M', birthVillage: 'Kolonyama', motherName: "'MaPitso Sekhonyana", phone: '67077714' },
    ],
    [
      { givenNames: "Tsepiso 'Mamosa", surname: 'Mofokeng', birth: { year: 1963, month: 10, day: 26 } },
      { givenNames: "Tsepiso 'Maosa", surname: 'Mofokeng', birth: { year: 1963, month: 10, day: 26 } },
      { sex: 'M', birthVillage: 'Pitseng', fatherName: "Mots'elisi Mohale", phone: '+266 5897 0672' },
    ],
    [
      { givenNames: 'Tlotliso', surname: 'Mofolo', birth: { year: 1997, month: 10, day: 4 } },
      { givenNames: 'Tlotliso', surname: 'Mofolo', birth: { year: 1996, month: 10, day: 4 } },
      {
        sex: 'M',
        birthVillage: 'Roma',
        fatherName: "Kananelo Mots'oene",
        motherName: "'MaTeboho Moshoeshoe",
      },
    ],
  ] as const)('finds the legacy re-registration of %j', (first, second, shared) => {
    const a = { ...shared, ...first } as MatchPerson;
    const b = { ...shared, ...second } as MatchPerson;
    expect(scorePair(a, b).score).toBeGreaterThanOrEqual(review);
  });

  it('scores every single variation of complete synthetic people at or above review', () => {
    const people = synthesisePopulation({ count: 3000, seed: 11, duplicateShare: 0 })
      .map((record) => record.person)
      .filter((p) => p.birth.day !== undefined && p.fatherName && p.motherName && p.birthVillage);
    const random = new Random(5);
    let tried = 0;
    let found = 0;
    const misses: string[] = [];
    for (const person of people.slice(0, 400)) {
      for (const variation of ALL_VARIATIONS) {
        if (variation === 'phone-missing' && person.phone === undefined) {
          continue;
        }
        const copy = reRegister(person, [variation], random);
        tried++;
        if (scorePair(copy, person).score >= review) {
          found++;
        } else {
          misses.push(
            `${variation}: ${copy.givenNames} ${copy.surname} / ${person.givenNames} ${person.surname}`,
          );
        }
      }
    }
    expect(tried).toBeGreaterThan(3000);
    // A typo can, rarely, turn a short name into an unrecognisable one ("Neo" → "eo").
    expect(found / tried, misses.join('\n')).toBeGreaterThanOrEqual(0.998);
  });
});

// People with overlapping names, dates of every precision and any optional field missing.
const nameWord = fc.constantFrom(
  ...SURNAMES.slice(0, 12),
  ...GIVEN_NAMES.slice(0, 12).map((g) => g.name),
  ...spellingVariants("Mots'elisi"),
  'Tabo',
  'Mokwena',
);
const names = fc.array(nameWord, { minLength: 0, maxLength: 3 }).map((words) => words.join(' '));
const birth = fc.record(
  {
    year: fc.integer({ min: 1980, max: 1983 }),
    month: fc.integer({ min: 1, max: 3 }),
    day: fc.integer({ min: 1, max: 3 }),
  },
  { requiredKeys: ['year'] },
);
const person: fc.Arbitrary<MatchPerson> = fc.record(
  {
    givenNames: names,
    surname: names,
    otherNames: names,
    sex: fc.constantFrom('F' as const, 'M' as const),
    birth,
    birthDistrict: fc.constantFrom('A', 'C'),
    birthVillage: fc.constantFrom('Roma', 'Ha Roma', 'Pitseng', 'Pitsen'),
    fatherName: names,
    motherName: fc.constantFrom("'MaThabo Mokoena", 'Lineo Mokoena', 'Lineo', "'Ma Thabo Mokwena"),
    phone: fc.constantFrom('+26658123456', '58123456', '+26662345678'),
  },
  { requiredKeys: ['givenNames', 'surname', 'birth'] },
);

describe('scorePair properties', () => {
  it('is symmetric: score(a, b) = score(b, a), with the same reasons', () => {
    fc.assert(
      fc.property(person, person, (a, b) => {
        const ab = scorePair(a, b);
        const ba = scorePair(b, a);
        expect(ba.score).toBe(ab.score);
        const summary = (r: typeof ab) => r.reasons.map((x) => `${x.field}:${x.agreement}:${x.weight}`);
        expect(summary(ba)).toEqual(summary(ab));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives a score in 0..1 whose reasons add up, and the fast path agrees', () => {
    fc.assert(
      fc.property(person, person, (a, b) => {
        const result = scorePair(a, b);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(1);
        expect(scoreOnly(preparePerson(a), preparePerson(b))).toBe(result.score);
        const total = result.reasons.reduce((sum, reason) => sum + reason.weight, 0);
        const { pivot, scale } = DEFAULT_MATCH_WEIGHTS;
        expect(result.score).toBeCloseTo(1 / (1 + 2 ** (-(total - pivot) / scale)), 9);
      }),
      { numRuns: 3000 },
    );
  });

  it('scores anyone with given names and a full date of birth against themselves at or above review', () => {
    fc.assert(
      fc.property(person, (p) => {
        fc.pre(
          p.givenNames !== '' && p.surname !== '' && p.birth.month !== undefined && p.birth.day !== undefined,
        );
        expect(scorePair(p, { ...p }).score).toBeGreaterThanOrEqual(review);
      }),
    );
  });
});
