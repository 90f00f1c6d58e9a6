import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { systemActor } from '../../../core/actors/index.js';
import { rows } from '../../../core/db/index.js';
import { bulkLoadPersons, syntheticLegacyId } from '../bulk.js';
import { candidateQuery } from '../candidates.js';
import { GIVEN_NAMES, SURNAMES, type SyntheticRecord, synthesisePopulation } from '../synth/index.js';
import { blockKeys, CandidateBlocks, matchKeys, trigramSimilarity } from './blocks.js';
import { normaliseName } from './normalise.js';
import { phoneticKeyOfNormalised } from './phonetic.js';

let t: TestKernel;
// A dense register (few names, one decade of births) so that every block finds people.
const records = synthesisePopulation({ count: 3000, seed: 11, duplicateShare: 0.05 });
const originals = records.filter((r) => r.duplicateOf === undefined);
const blocks = new CandidateBlocks<string>();
const idOfLegacy = new Map<string, string>();

beforeAll(async () => {
  t = await createTestKernel();
  await bulkLoadPersons(t.kernel, originals, { actor: systemActor('blocks-test'), batchSize: 500 });
  for (const row of await t.kernel.db.query<{ id: string; legacy_id: string }>(
    'SELECT id, legacy_id FROM identity.persons',
  )) {
    idOfLegacy.set(row.legacy_id, row.id);
  }
  for (const r of originals) {
    blocks.add(idOfLegacy.get(syntheticLegacyId(r)) as string, r.person, matchKeys(r.person));
  }
}, 120_000);
afterAll(() => t.close());

async function sqlSimilarity(pairs: [string, string][]): Promise<number[]> {
  const found = await t.kernel.db.query<{ s: number }>(
    `SELECT similarity(a, b) AS s FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(a, b, i) ORDER BY i`,
    [pairs.map(([a]) => a), pairs.map(([, b]) => b)],
  );
  return found.map((r) => r.s);
}

describe('trigramSimilarity', () => {
  it("gives pg_trgm's similarity() for normalised names, typos and word lists", async () => {
    const name = fc.constantFrom(...GIVEN_NAMES.map((g) => g.name), ...SURNAMES).map(normaliseName);
    const slipped = fc
      .tuple(name, fc.nat(), fc.constantFrom('', 'A', 'E', 'H', 'K', ' '))
      .map(([n, at, letter]) => {
        const i = at % (n.length + 1);
        return normaliseName(n.slice(0, i) + letter + n.slice(i + 1));
      });
    const pairs = fc.sample(fc.tuple(fc.oneof(name, slipped), fc.oneof(name, slipped)), 500);
    pairs.push(['', 'MOKOENA'], ['', ''], ['A', 'A'], ['LINEO MOKOENA', 'MOKOENA LINEO']);
    // PostgreSQL prints a real with the fewest digits that read back as the same single.
    const expected = (await sqlSimilarity(pairs)).map(Math.fround);
    expect(pairs.map(([a, b]) => trigramSimilarity(a, b))).toEqual(expected);
  });
});

describe('CandidateBlocks', () => {
  it('finds exactly the people candidateQuery finds in the database', async () => {
    const probes: SyntheticRecord[] = [
      ...records.filter((r) => r.duplicateOf !== undefined),
      ...originals.filter((_, i) => i % 20 === 0),
    ];
    let total = 0;
    for (const probe of probes) {
      const keys = matchKeys(probe.person);
      const inDatabase = await rows<{ id: string }>(t.kernel.db.orm, candidateQuery(probe.person, keys));
      const inMemory = blocks.find(blockKeys(probe.person, keys)).found;
      expect(new Set(inMemory), `${probe.person.givenNames} ${probe.person.surname}`).toEqual(
        new Set(inDatabase.map((r) => r.id)),
      );
      total += inMemory.length;
    }
    // Not a vacuous agreement: the blocks found people.
    expect(total / probes.length).toBeGreaterThan(1);
  }, 60_000);
});

/** Every word one slip away: a letter dropped, changed or added, or two neighbours exchanged. */
function slips(word: string): { slipped: string; kind: string; at: number }[] {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const found: { slipped: string; kind: string; at: number }[] = [];
  for (let at = 0; at <= word.length; at++) {
    for (const letter of letters)
      found.push({ slipped: word.slice(0, at) + letter + word.slice(at), kind: 'added', at });
    if (at === word.length) continue;
    found.push({ slipped: word.slice(0, at) + word.slice(at + 1), kind: 'dropped', at });
    for (const letter of letters)
      found.push({ slipped: word.slice(0, at) + letter + word.slice(at + 1), kind: 'changed', at });
    if (at + 1 < word.length)
      found.push({
        slipped: word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2),
        kind: 'exchanged',
        at,
      });
  }
  return found.filter((s) => s.slipped !== word && s.slipped !== '');
}

/**
 * Registers one person per name (the name in `field`, the rest the same) and looks each up again
 * after every single slip of that name (`skip` says which slips no block is meant to survive);
 * returns the misses and how many lookups were made.
 */
function missedAfterSlips(
  field: 'givenNames' | 'surname',
  names: readonly string[],
  skip: (name: string, slip: { kind: string; at: number }) => boolean,
) {
  const person = {
    givenNames: 'Lineo',
    surname: 'Mokoena',
    sex: 'F',
    birth: { year: 1990 },
    birthDistrict: 'A',
  } as const;
  const words = [...new Set(names.map((n) => normaliseName(n).split(' ')[0] ?? ''))];
  const registered = new CandidateBlocks<string>();
  for (const word of words) {
    const original = { ...person, [field]: word };
    registered.add(word, original, matchKeys(original));
  }
  const missed: string[] = [];
  let lookups = 0;
  for (const word of words) {
    for (const slip of slips(word)) {
      if (skip(word, slip)) continue;
      const probe = { ...person, [field]: slip.slipped };
      // The slipped word as it is, not normalised again (the orthography rules could undo a slip).
      const normalised = matchKeys(probe);
      const keys =
        field === 'givenNames'
          ? { ...normalised, normGiven: slip.slipped }
          : { ...normalised, normSurname: slip.slipped, surnameKey: phoneticKeyOfNormalised(slip.slipped) };
      lookups++;
      if (!registered.find(blockKeys(probe, keys)).found.includes(word))
        missed.push(`${word}→${slip.slipped}`);
    }
  }
  return { missed, lookups };
}

describe('the blocks', () => {
  it('find a person after any one slip in the first given name, with the surname right', () => {
    // The one slip no letter block survives: the first two letters of a three-letter name exchanged.
    const { missed, lookups } = missedAfterSlips(
      'givenNames',
      GIVEN_NAMES.map((g) => g.name),
      (name, { kind, at }) => name.length === 3 && kind === 'exchanged' && at === 0,
    );
    expect(missed).toEqual([]);
    expect(lookups).toBeGreaterThan(10_000);
  });

  it('find a person after any one slip in the surname, with the first given name right', () => {
    // Exchanging the first two letters of a surname of four letters (Ntai/Tnai) changes its sound
    // and leaves too few of its trigrams alike.
    const { missed, lookups } = missedAfterSlips(
      'surname',
      SURNAMES,
      (name, { kind, at }) => name.length <= 4 && kind === 'exchanged' && at === 0,
    );
    expect(missed).toEqual([]);
    expect(lookups).toBeGreaterThan(10_000);
  });
});
