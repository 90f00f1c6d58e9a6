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
