import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISTRICT_CODES } from '../../../core/districts/index.js';
import { editDistance, normaliseName } from '../matching/index.js';
import { earliestDay } from '../person.js';
import {
  DISTRICT_POPULATION_2016,
  GIVEN_NAMES,
  Random,
  SURNAMES,
  type SyntheticRecord,
  synthesisePopulation,
  typo,
  VILLAGES,
  WeightedTable,
} from './index.js';

const population = synthesisePopulation({ count: 20_000, seed: 42 });
const originals = population.filter((record) => record.duplicateOf === undefined);
const adults = originals.filter((record) => 2026 - record.person.birth.year >= 16);

describe('name lists', () => {
  it('has at least 120 given names and 150 surnames, without repeats', () => {
    expect(GIVEN_NAMES.length).toBeGreaterThanOrEqual(120);
    expect(SURNAMES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(GIVEN_NAMES.map((g) => normaliseName(g.name))).size).toBe(GIVEN_NAMES.length);
    expect(new Set(SURNAMES.map((s) => normaliseName(s))).size).toBe(SURNAMES.length);
  });

  it('has names for girls, for boys, and many for both', () => {
    const count = (sex: string) => GIVEN_NAMES.filter((g) => g.sex === sex).length;
    expect(count('F')).toBeGreaterThan(25);
    expect(count('M')).toBeGreaterThan(25);
    expect(count('U')).toBeGreaterThan(25);
  });
});

describe('Random', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = new Random(7);
    const b = new Random(7);
    const values = Array.from({ length: 10_000 }, () => a.next());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(new Random(8).next()).not.toBe(new Random(7).next());
  });

  it('picks from a weighted table in proportion to the weights', () => {
    const table = new WeightedTable([
      ['a', 1],
      ['b', 3],
      ['c', 0],
    ] as const);
    const random = new Random(1);
    const picks = Array.from({ length: 8000 }, () => table.pick(random));
    const b = picks.filter((p) => p === 'b').length / picks.length;
    expect(b).toBeGreaterThan(0.72);
    expect(b).toBeLessThan(0.78);
    expect(picks).not.toContain('c');
  });
});

describe('synthesisePopulation', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = synthesisePopulation({ count: 2000, seed: 42 });
    expect(again).toEqual(synthesisePopulation({ count: 2000, seed: 42 }));
    expect(synthesisePopulation({ count: 2000, seed: 43 })).not.toEqual(again);
  });

  it('makes exactly the share of re-registrations asked for, each after a distinct original', () => {
    expect(population).toHaveLength(20_000);
    const duplicates = population.filter((record) => record.duplicateOf !== undefined);
    expect(duplicates).toHaveLength(400);
    const position = new Map(population.map((record, index) => [record.id, index]));
    const originalsUsed = new Set<string>();
    for (const [index, record] of population.entries()) {
      expect(record.id).toBe(`P${String(index + 1).padStart(7, '0')}`);
      if (record.duplicateOf !== undefined) {
        expect(position.get(record.duplicateOf)).toBeLessThan(index);
        expect(record.variations?.length).toBeGreaterThan(0);
        originalsUsed.add(record.duplicateOf);
      }
    }
    expect(originalsUsed.size).toBe(400);
    expect(
      synthesisePopulation({ count: 1000, seed: 1, duplicateShare: 0.1 }).filter((r) => r.duplicateOf),
    ).toHaveLength(100);
    expect(synthesisePopulation({ count: 500, seed: 1, duplicateShare: 0 }).some((r) => r.duplicateOf)).toBe(
      false,
    );
  });

  it('spreads the districts of birth like the 2016 census', () => {
    const total = DISTRICT_CODES.reduce((sum, code) => sum + DISTRICT_POPULATION_2016[code], 0);
    const born = population.filter((r) => r.person.birthDistrict !== undefined);
    let chiSquare = 0;
    for (const code of DISTRICT_CODES) {
      const expected = (born.length * DISTRICT_POPULATION_2016[code]) / total;
      const observed = born.filter((r) => r.person.birthDistrict === code).length;
      chiSquare += (observed - expected) ** 2 / expected;
    }
    // Districts are drawn per family (about 2.8 people), which inflates the statistic by about that much;
    // 27.9 is the 0.1% critical value for 9 degrees of freedom.
    expect(chiSquare / 3).toBeLessThan(27.9);
  });

  it('gives villages of the district of birth', () => {
    for (const { person } of originals.slice(0, 2000)) {
      if (person.birthDistrict !== undefined && person.birthVillage !== undefined) {
        expect(VILLAGES[person.birthDistrict as keyof typeof VILLAGES]).toContain(person.birthVillage);
      }
    }
  });

  it('has a young population and dates of varying precision', () => {
    const ages = originals.map((r) => 2026 - r.person.birth.year).sort((a, b) => a - b);
    const median = ages[Math.floor(ages.length / 2)] ?? 0;
    expect(median).toBeGreaterThan(12);
    expect(median).toBeLessThan(30);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    const exact = originals.filter((r) => r.person.birth.day !== undefined).length / originals.length;
    expect(exact).toBeGreaterThan(0.85);
    const old = originals.filter((r) => r.person.birth.year < 1960);
    const vagueOld = old.filter((r) => r.person.birth.day === undefined).length / old.length;
    expect(vagueOld).toBeGreaterThan(0.15);
    for (const { person } of originals) {
      const { month, day } = person.birth;
      if (day !== undefined) {
        expect(month).toBeDefined();
        expect(new Date(Date.UTC(person.birth.year, (month ?? 1) - 1, day)).getUTCDate()).toBe(day);
      }
    }
  });

  it('makes no one born after the day it is given, re-registrations included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
        (seed, day) => {
          const bornBy = day.toISOString().slice(0, 10);
          const records = synthesisePopulation({ count: 400, seed, duplicateShare: 0.2, bornBy });
          for (const { person } of records) expect(earliestDay(person.birth) <= bornBy).toBe(true);
          // Still born up to that day: someone in the year before it (400 people of whom about
          // 2.5% are born each year; a calendar-year check fails whenever the day is in January).
          const yearBefore = `${Number(bornBy.slice(0, 4)) - 1}${bornBy.slice(4)}`;
          expect(records.some(({ person }) => earliestDay(person.birth) > yearBefore)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('gives girls and boys names that suit them', () => {
    const sexOf = new Map(GIVEN_NAMES.map((g) => [normaliseName(g.name), g.sex]));
    for (const { person } of originals) {
      for (const word of normaliseName(person.givenNames).split(' ')) {
        const sex = sexOf.get(word);
        expect(sex, word).toBeDefined();
        expect(sex === 'U' || sex === person.sex, `${word} for ${person.sex}`).toBe(true);
      }
    }
  });

  it('names parents for most people, with children carrying the father’s surname and some mothers by their ’Ma-name', () => {
    const withFather = originals.filter((r) => r.person.fatherName !== undefined);
    expect(withFather.length / originals.length).toBeGreaterThan(0.75);
    for (const { person } of withFather) {
      expect(normaliseName(person.fatherName ?? '').endsWith(normaliseName(person.surname))).toBe(true);
    }
    const mothers = originals.filter((r) => r.person.motherName !== undefined);
    expect(mothers.length / originals.length).toBeGreaterThan(0.85);
    const maNames = mothers.filter((r) => /^'Ma/.test(r.person.motherName ?? '')).length;
    expect(maNames / mothers.length).toBeGreaterThan(0.15);
  });

  it('gives most adults, and no children, an E.164 phone, all different', () => {
    const phones = originals.flatMap((r) => (r.person.phone === undefined ? [] : [r.person.phone]));
    for (const phone of phones) {
      expect(phone).toMatch(/^\+266[56]\d{7}$/);
    }
    expect(new Set(phones).size).toBe(phones.length);
    expect(adults.filter((r) => r.person.phone !== undefined).length / adults.length).toBeGreaterThan(0.75);
    expect(originals.some((r) => 2026 - r.person.birth.year < 16 && r.person.phone !== undefined)).toBe(
      false,
    );
  });

  it('has families with several children and some twins', () => {
    const families = new Map<string, SyntheticRecord[]>();
    for (const record of originals) {
      families.set(record.person.familyId, [...(families.get(record.person.familyId) ?? []), record]);
    }
    const sizes = [...families.values()].map((members) => members.length);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(2);
    let twins = 0;
    for (const members of families.values()) {
      const dates = members.map((m) => JSON.stringify(m.person.birth));
      twins += dates.length - new Set(dates).size;
    }
    expect(twins).toBeGreaterThan(20);
  });

  it('applies the variations it reports', () => {
    const byId = new Map(population.map((record) => [record.id, record]));
    const kinds = new Set<string>();
    for (const record of population.filter((r) => r.duplicateOf !== undefined)) {
      const original = byId.get(record.duplicateOf ?? '')?.person;
      const copy = record.person;
      expect(original).toBeDefined();
      if (original === undefined) {
        continue;
      }
      for (const variation of record.variations ?? []) {
        kinds.add(variation);
      }
      const variations = new Set(record.variations);
      if (variations.has('swapped-names')) {
        expect(normaliseName(copy.givenNames + copy.surname)).not.toBe(
          normaliseName(original.givenNames + original.surname),
        );
      }
      if (variations.has('year-off-by-one')) {
        expect(Math.abs(copy.birth.year - original.birth.year)).toBe(1);
      } else {
        expect(copy.birth.year).toBe(original.birth.year);
      }
      if (variations.has('phone-missing')) {
        expect(copy.phone).toBeUndefined();
      }
      if (variations.has('exact-copy')) {
        expect(copy).toEqual(original);
      }
      expect(copy.sex).toBe(original.sex);
      expect(copy.birthDistrict).toBe(original.birthDistrict);
    }
    expect([...kinds].sort()).toEqual(
      [
        'date-precision-dropped',
        'exact-copy',
        'parents-missing',
        'phone-missing',
        'spelling-variant',
        'swapped-names',
        'typo',
        'village-missing',
        'year-off-by-one',
      ].sort(),
    );
  });

  it('rejects a bad count or share', () => {
    expect(() => synthesisePopulation({ count: -1, seed: 1 })).toThrow(RangeError);
    expect(() => synthesisePopulation({ count: 10, seed: 1, duplicateShare: 0.9 })).toThrow(RangeError);
  });
});

describe('typo', () => {
  it('makes one slip that changes the normalised name', () => {
    const name = fc.constantFrom(...SURNAMES, ...GIVEN_NAMES.map((g) => g.name));
    fc.assert(
      fc.property(name, fc.integer({ min: 0, max: 2 ** 31 }), (original, seed) => {
        const slipped = typo(original, new Random(seed));
        expect(normaliseName(slipped)).not.toBe(normaliseName(original));
        expect(editDistance(slipped, original)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});
