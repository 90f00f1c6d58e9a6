import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.js';
import { systemActor } from '../../core/actors/index.js';
import { verifyAudit } from '../../core/audit/index.js';
import { BulkLoadError, type BulkLoadResult, bulkLoadPersons, syntheticLegacyId } from './bulk.js';
import { findCandidates } from './candidates.js';
import { DEFAULT_MATCH_THRESHOLDS, matchKeys } from './matching/index.js';
import { type PersonRow, persons } from './schema.js';
import { type SyntheticRecord, synthesisePopulation } from './synth/index.js';
import { checkUinRules, generateUin, validateUinInput } from './uin/index.js';
import { personView } from './view.js';

let t: TestKernel;
const actor = systemActor('bulk-test');
const records = synthesisePopulation({ count: 600, seed: 7, duplicateShare: 0.05 });
const originals = records.filter((r) => r.duplicateOf === undefined);
const duplicates = records.filter((r) => r.duplicateOf !== undefined);
let result: BulkLoadResult;
/** legacy id → stored row */
const byLegacyId = new Map<string, PersonRow>();

beforeAll(async () => {
  t = await createTestKernel();
  result = await bulkLoadPersons(t.kernel, originals, { actor, batchSize: 100, reason: 'test data' });
  for (const row of await t.kernel.db.orm.select().from(persons)) {
    if (row.legacyId) byLegacyId.set(row.legacyId, row);
  }
});
afterAll(() => t.close());

describe('bulkLoadPersons', () => {
  it('loads every person as registered, version 1, with the matching columns', async () => {
    expect(result.persons).toBe(originals.length);
    expect(result.batches).toBe(Math.ceil(originals.length / 100));
    expect(result.rowsPerSecond).toBeGreaterThan(0);
    expect(byLegacyId.size).toBe(originals.length);
    const first = originals[0] as SyntheticRecord;
    const row = byLegacyId.get(syntheticLegacyId(first)) as PersonRow;
    expect(row).toMatchObject({
      registerState: 'registered',
      version: 1,
      givenNames: first.person.givenNames,
      surname: first.person.surname,
      sex: first.person.sex,
      birthYear: first.person.birth.year,
      ...matchKeys(first.person),
    });
  });

  it('stores the matching columns matchKeys computes for every person', () => {
    for (const original of originals) {
      const row = byLegacyId.get(syntheticLegacyId(original)) as PersonRow;
      const { normGiven, normSurname, surnameKey, normOther, normVillage, normFather, normMother } = row;
      expect({ normGiven, normSurname, surnameKey, normOther, normVillage, normFather, normMother }).toEqual(
        matchKeys(original.person),
      );
    }
  });

  it('gives everyone a valid UIN of their own, recorded as issued', async () => {
    const uins = [...byLegacyId.values()].map((row) => row.uin ?? '');
    for (const uin of uins) {
      expect(validateUinInput(uin).ok).toBe(true);
      expect(checkUinRules(uin).ok).toBe(true);
    }
    expect(new Set(uins).size).toBe(uins.length);
    const [issued] = await t.kernel.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM identity.issued_uins i JOIN identity.persons p
         ON p.uin = i.uin AND p.id = i.person_id`,
    );
    expect(issued?.n).toBe(originals.length);
  });

  it('keeps the history complete: version 1 is the snapshot personView makes of the row', async () => {
    const versions = await t.kernel.db.query<{
      person_id: string;
      version: number;
      event: string;
      data: unknown;
      changed_by: unknown;
      reason: string;
    }>('SELECT person_id, version, event, data, changed_by, reason FROM identity.person_versions');
    expect(versions).toHaveLength(originals.length);
    const rowById = new Map([...byLegacyId.values()].map((row) => [row.id, row]));
    for (const v of versions) {
      expect(v).toMatchObject({ version: 1, event: 'bulk-loaded', reason: 'test data' });
      expect(v.changed_by).toEqual({ type: 'system', id: 'mmuso:bulk-test' });
      expect(v.data).toEqual(personView(rowById.get(v.person_id) as PersonRow));
    }
  });

  it('writes one audit entry per batch, and the chain still verifies', async () => {
    const entries = await t.kernel.db.query<{ after: { count: number; firstId: string; lastId: string } }>(
      `SELECT after FROM audit.entries WHERE action = 'identity.persons.bulk-loaded' ORDER BY seq`,
    );
    expect(entries).toHaveLength(result.batches);
    expect(entries.reduce((n, e) => n + e.after.count, 0)).toBe(originals.length);
    for (const e of entries) expect(e.after.firstId <= e.after.lastId).toBe(true);
    const verification = await verifyAudit(t.kernel.db, { dataDir: t.dataDir, publicKeys: [] });
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
  });

  it('makes loaded people findable by the duplicate search', async () => {
    const threshold = DEFAULT_MATCH_THRESHOLDS.review;
    for (const original of originals.slice(0, 25)) {
      const own = byLegacyId.get(syntheticLegacyId(original)) as PersonRow;
      const keys = matchKeys(original.person);
      const found = await findCandidates(t.kernel.db.orm, original.person, keys, threshold);
      expect(found.map((c) => c.personId)).toContain(own.id);
    }
    // Re-registrations (never loaded) find their original, as a registration would.
    let hits = 0;
    for (const duplicate of duplicates) {
      const original = records.find((r) => r.id === duplicate.duplicateOf) as SyntheticRecord;
      const keys = matchKeys(duplicate.person);
      const [top] = await findCandidates(t.kernel.db.orm, duplicate.person, keys, threshold);
      if (top?.personId === byLegacyId.get(syntheticLegacyId(original))?.id) hits++;
    }
    expect(hits / duplicates.length).toBeGreaterThanOrEqual(0.8);
  });

  it('never issues a UIN already issued, waiting in the pool, or drawn twice in the load', async () => {
    const taken = [...byLegacyId.values()][0]?.uin as string;
    const pooled = generateUin();
    await t.kernel.db.query('DELETE FROM identity.uin_pool');
    await t.kernel.db.query('INSERT INTO identity.uin_pool (uin) VALUES ($1)', [pooled]);
    const repeated = generateUin();
    const scripted = [taken, pooled, repeated, repeated];
    const source = () => scripted.shift() ?? generateUin();
    const people = duplicates.slice(0, 3).map((r) => ({ ...r.person, sex: r.person.sex ?? 'F' }));
    const loaded = await bulkLoadPersons(t.kernel, people, { actor, uinSource: source });
    expect(loaded.persons).toBe(3);
    expect(loaded.uinRedraws).toBe(3);
    const uins = await t.kernel.db.query<{ uin: string }>(
      'SELECT uin FROM identity.persons ORDER BY id DESC LIMIT 3',
    );
    expect(uins.map((u) => u.uin)).not.toContain(pooled);
    expect(uins.map((u) => u.uin)).toContain(repeated);
    const [dupes] = await t.kernel.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT uin FROM identity.persons GROUP BY uin HAVING count(*) > 1) d',
    );
    expect(dupes?.n).toBe(0);
  });

  it('stops at a person it cannot store, keeping the batches already committed', async () => {
    const before = byLegacyId.size;
    const people = [
      ...duplicates.slice(3, 8).map((r) => ({ ...r.person, sex: r.person.sex ?? 'F' })),
      { givenNames: 'Lineo', surname: 'Mokoena', birth: { year: 1990 } } as never,
    ];
    const failure = await bulkLoadPersons(t.kernel, people, { actor, batchSize: 2 }).catch((e) => e);
    expect(failure).toBeInstanceOf(BulkLoadError);
    expect((failure as BulkLoadError).message).toMatch(/person 5 has no sex/);
    expect((failure as BulkLoadError).loaded).toBe(4);
    const [count] = await t.kernel.db.query<{ n: number }>('SELECT count(*)::int AS n FROM identity.persons');
    expect(count?.n).toBe(before + 3 + 4);
  });
});
