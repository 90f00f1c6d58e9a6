import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { type Actor, actorSummary } from '../../core/actors/index.js';
import { rows, type Tx } from '../../core/db/index.js';
import { isDistrictCode } from '../../core/districts/index.js';
import { newId } from '../../core/ids/index.js';
import { change, type Kernel } from '../../core/kernel/index.js';
import { parsePhone } from '../../core/phone/index.js';
import { type MatchPerson, matchKeys, normaliseName } from './matching/index.js';
import { birthPrecision, formatBirthDate } from './person.js';
import type { Sex } from './schema.js';
import type { SyntheticRecord } from './synth/index.js';
import { DEFAULT_UIN_POLICY, generateUin, type UinPolicy } from './uin/index.js';

/**
 * Bulk loading: many people into the register at once, for demonstrations and benchmarks.
 *
 * NOT for real registrations: it skips the duplicate search that registerPerson makes, and it
 * trusts its input (synthetic people) beyond a few sanity checks. Everything else a registration
 * leaves behind is there: the person row with its matching columns, a UIN that was never issued
 * before (recorded in issued_uins), version 1 in the history (event 'bulk-loaded'), and an audit
 * entry — one per batch, not one per person: a per-row audit trail of synthetic people says
 * nothing that the batch entry (who, when, why, how many, which ids) does not, and appending
 * millions of chained entries one by one under the chain lock would dominate the load.
 *
 * Speed: each batch is one INSERT … SELECT FROM unnest(one array per column) that fills persons,
 * person_versions and issued_uins together. Measured on wide person rows (24 columns), end to end
 * from JavaScript: unnest ~90,000 rows/s on PostgreSQL and ~51,000 on PGlite; multi-row VALUES
 * with parameters ~25,000 and ~10,000 (parsing and planning thousands of parameters is the cost);
 * json(b)_to_recordset ~30,000 and ~20,000 (building the JSON is). The history snapshot is built
 * by the database from the same arrays, so nothing is sent twice. On PostgreSQL two batches are in
 * flight, so the next batch is prepared while the database writes the last.
 */

/** A person to load: the matching shape, with sex required (the register needs it). */
export type BulkPerson = MatchPerson & { sex: Sex; legacyId?: string };

/** Synthetic records (their id becomes a legacy number, see syntheticLegacyId) or plain people. */
export type BulkInput = SyntheticRecord | BulkPerson;

export interface BulkLoadOptions {
  /** Who loads: written into every version and audit entry. */
  actor: Actor;
  /** People per batch (one statement, one transaction, one audit entry); default 5,000. */
  batchSize?: number;
  /** Batches in flight at once on PostgreSQL (PGlite runs one at a time anyway); default 2. */
  concurrency?: number;
  /** The reason kept with each version and audit entry. */
  reason?: string;
  uinPolicy?: UinPolicy;
  /** Where candidate UINs come from; default generateUin(uinPolicy). For tests of the redraws. */
  uinSource?: () => string;
  /** Called after each batch commits. */
  onBatch?: (progress: BulkLoadProgress) => void;
}

export interface BulkLoadProgress {
  persons: number;
  batches: number;
  milliseconds: number;
}

export interface BulkLoadResult {
  /** People loaded: each has a person row, a version, an issued UIN. */
  persons: number;
  batches: number;
  /** One per batch. */
  auditEntries: number;
  /** UINs generated again because they were already issued, in the pool, or drawn twice in this load. */
  uinRedraws: number;
  milliseconds: number;
  rowsPerSecond: number;
  /** An id identifying this load in the audit entries (after.loadId). */
  loadId: string;
}

export const PERSONS_BULK_LOADED = 'identity.persons.bulk-loaded';

export class BulkLoadError extends Error {
  /** People committed before the failure (earlier batches stay: each is its own transaction). */
  readonly loaded: number;
  constructor(message: string, loaded: number, options?: { cause?: unknown }) {
    super(message, options);
    this.loaded = loaded;
  }
}

/**
 * The legacy number a synthetic record is loaded and exported with: its district of birth (X when
 * born abroad) and the seven digits of its synthetic id, the shape old district registers used
 * (A1978347). `mmuso identity synth --out` writes the same number into ID_NO.
 */
export function syntheticLegacyId(record: SyntheticRecord): string {
  return `${record.person.birthDistrict ?? 'X'}${record.id.slice(1).padStart(7, '0')}`;
}

/** One batch as column arrays: the shape unnest() takes. */
interface Batch {
  id: string[];
  uin: string[];
  givenNames: string[];
  surname: string[];
  otherNames: (string | null)[];
  sex: string[];
  birthYear: number[];
  birthMonth: (number | null)[];
  birthDay: (number | null)[];
  birthDistrict: (string | null)[];
  birthVillage: (string | null)[];
  fatherName: (string | null)[];
  motherName: (string | null)[];
  phone: (string | null)[];
  legacyId: (string | null)[];
  normGiven: string[];
  normSurname: string[];
  surnameKey: string[];
  normOther: string[];
  normVillage: string[];
  normFather: string[];
  normMother: string[];
  dateOfBirth: string[];
  birthPrecision: string[];
}

function emptyBatch(): Batch {
  return {
    id: [],
    uin: [],
    givenNames: [],
    surname: [],
    otherNames: [],
    sex: [],
    birthYear: [],
    birthMonth: [],
    birthDay: [],
    birthDistrict: [],
    birthVillage: [],
    fatherName: [],
    motherName: [],
    phone: [],
    legacyId: [],
    normGiven: [],
    normSurname: [],
    surnameKey: [],
    normOther: [],
    normVillage: [],
    normFather: [],
    normMother: [],
    dateOfBirth: [],
    birthPrecision: [],
  };
}

const text = (value: string | undefined) => {
  const trimmed = value?.trim().replace(/\s+/g, ' ');
  return trimmed ? trimmed : null;
};

/**
 * normaliseName, remembered: normalising is most of the preparation, and a population has far
 * fewer distinct names than people (500,000 synthetic people: 18,200 given names, 224 surnames).
 */
export function rememberedNormalise(limit = 500_000): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    let normalised = seen.get(text);
    if (normalised === undefined) {
      if (seen.size >= limit) seen.clear();
      normalised = normaliseName(text);
      seen.set(text, normalised);
    }
    return normalised;
  };
}

type Normalise = (text: string) => string;

/** Adds one person to the batch; throws a RangeError naming the input position when it cannot be stored. */
function addPerson(batch: Batch, item: BulkInput, position: number, uin: string, normalise: Normalise): void {
  const isRecord = 'person' in item && 'id' in item;
  const person: MatchPerson = isRecord ? item.person : item;
  const legacyId = isRecord ? syntheticLegacyId(item) : ((item as BulkPerson).legacyId ?? null);
  const fail = (why: string): never => {
    throw new RangeError(`bulk load: person ${position} ${why}`);
  };
  const givenNames = text(person.givenNames) ?? fail('has no given names');
  const surname = text(person.surname) ?? fail('has no surname');
  if (person.sex !== 'F' && person.sex !== 'M') fail('has no sex (F or M)');
  const { year, month, day } = person.birth;
  if (!Number.isInteger(year) || year < 1800 || year > 9999) fail(`has an impossible birth year ${year}`);
  if (month !== undefined && !(Number.isInteger(month) && month >= 1 && month <= 12))
    fail(`has an impossible birth month ${month}`);
  if (day !== undefined && (month === undefined || !(Number.isInteger(day) && day >= 1 && day <= 31)))
    fail(`has an impossible birth day ${day}`);
  const district = person.birthDistrict ?? null;
  if (district !== null && !isDistrictCode(district)) fail(`has an unknown district ${district}`);
  let phone: string | null = null;
  if (person.phone) {
    const parsed = parsePhone(person.phone);
    if (!parsed.ok) fail(`has a phone number that cannot be dialled: ${person.phone}`);
    else phone = parsed.e164;
  }
  const otherNames = text(person.otherNames);
  const birthVillage = text(person.birthVillage);
  const fatherName = text(person.fatherName);
  const motherName = text(person.motherName);
  const keys = matchKeys(
    { givenNames, surname, otherNames, birthVillage, fatherName, motherName },
    normalise,
  );
  batch.id.push(newId());
  batch.uin.push(uin);
  batch.givenNames.push(givenNames);
  batch.surname.push(surname);
  batch.otherNames.push(otherNames);
  batch.sex.push(person.sex as Sex);
  batch.birthYear.push(year);
  batch.birthMonth.push(month ?? null);
  batch.birthDay.push(day ?? null);
  batch.birthDistrict.push(district);
  batch.birthVillage.push(birthVillage);
  batch.fatherName.push(fatherName);
  batch.motherName.push(motherName);
  batch.phone.push(phone);
  batch.legacyId.push(legacyId);
  batch.normGiven.push(keys.normGiven);
  batch.normSurname.push(keys.normSurname);
  batch.surnameKey.push(keys.surnameKey);
  batch.normOther.push(keys.normOther);
  batch.normVillage.push(keys.normVillage);
  batch.normFather.push(keys.normFather);
  batch.normMother.push(keys.normMother);
  batch.dateOfBirth.push(formatBirthDate(person.birth));
  batch.birthPrecision.push(birthPrecision(person.birth));
}

/** Replaces the batch's UINs that were issued before or wait in the pool; returns how many it replaced. */
async function redrawTakenUins(tx: Tx, batch: Batch, fresh: () => string): Promise<number> {
  let redrawn = 0;
  let check = batch.uin;
  for (let round = 0; check.length > 0; round++) {
    if (round > 20) throw new Error('bulk load: could not find unissued UINs');
    const taken = await rows<{ uin: string }>(
      tx,
      sql`SELECT uin FROM identity.issued_uins WHERE uin = ANY(${sql.param(check)}::text[])
          UNION ALL
          SELECT uin FROM identity.uin_pool WHERE uin = ANY(${sql.param(check)}::text[])`,
    );
    if (taken.length === 0) break;
    const bad = new Set(taken.map((t) => t.uin));
    check = [];
    batch.uin = batch.uin.map((uin) => {
      if (!bad.has(uin)) return uin;
      const replacement = fresh();
      check.push(replacement);
      redrawn++;
      return replacement;
    });
  }
  return redrawn;
}

/** The one statement that stores a batch: persons, their first version and their UINs. */
function insertBatch(batch: Batch, at: Date, actor: Actor, reason: string | null) {
  const p = <T>(values: T[], type: string) => sql`${sql.param(values)}::${sql.raw(type)}[]`;
  const atIso = at.toISOString();
  return sql`
    WITH input AS MATERIALIZED (
      SELECT * FROM unnest(
        ${p(batch.id, 'uuid')}, ${p(batch.uin, 'text')}, ${p(batch.givenNames, 'text')},
        ${p(batch.surname, 'text')}, ${p(batch.otherNames, 'text')}, ${p(batch.sex, 'text')},
        ${p(batch.birthYear, 'int')}, ${p(batch.birthMonth, 'int')}, ${p(batch.birthDay, 'int')},
        ${p(batch.birthDistrict, 'text')}, ${p(batch.birthVillage, 'text')}, ${p(batch.fatherName, 'text')},
        ${p(batch.motherName, 'text')}, ${p(batch.phone, 'text')}, ${p(batch.legacyId, 'text')},
        ${p(batch.normGiven, 'text')}, ${p(batch.normSurname, 'text')}, ${p(batch.surnameKey, 'text')},
        ${p(batch.normOther, 'text')}, ${p(batch.normVillage, 'text')}, ${p(batch.normFather, 'text')},
        ${p(batch.normMother, 'text')}, ${p(batch.dateOfBirth, 'text')}, ${p(batch.birthPrecision, 'text')}
      ) AS r(id, uin, given_names, surname, other_names, sex, birth_year, birth_month, birth_day,
             birth_district, birth_village, father_name, mother_name, phone, legacy_id,
             norm_given, norm_surname, surname_key, norm_other, norm_village, norm_father, norm_mother,
             date_of_birth, birth_precision)
    ),
    people AS (
      INSERT INTO identity.persons (id, uin, register_state, version, given_names, surname, other_names,
        sex, birth_year, birth_month, birth_day, birth_district, birth_village, father_name, mother_name,
        citizenship, vital_status, phones, legacy_id, norm_given, norm_surname, surname_key,
        norm_other, norm_village, norm_father, norm_mother, registered_at, updated_at)
      SELECT id, uin, 'registered', 1, given_names, surname, other_names, sex, birth_year, birth_month,
        birth_day, birth_district, birth_village, father_name, mother_name, 'LSO', 'alive',
        CASE WHEN phone IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(phone) END, legacy_id,
        norm_given, norm_surname, surname_key, norm_other, norm_village, norm_father, norm_mother,
        ${at}, ${at}
      FROM input
    ),
    versions AS (
      -- The snapshot personView() makes of the stored row (bulk.test.ts holds the two equal).
      INSERT INTO identity.person_versions (person_id, version, event, data, changed_at, changed_by, reason)
      SELECT id, 1, 'bulk-loaded', jsonb_build_object(
          'id', id, 'uin', uin, 'registerState', 'registered'::text, 'duplicateOf', NULL::text,
          'version', 1, 'givenNames', given_names, 'surname', surname, 'otherNames', other_names,
          'sex', sex, 'dateOfBirth', date_of_birth, 'birthPrecision', birth_precision,
          'placeOfBirth', jsonb_build_object('district', birth_district, 'village', birth_village),
          'father', jsonb_build_object('personId', NULL::text, 'name', father_name),
          'mother', jsonb_build_object('personId', NULL::text, 'name', mother_name),
          'citizenship', 'LSO'::text, 'vitalStatus', 'alive'::text, 'dateOfDeath', NULL::text,
          'phones', CASE WHEN phone IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(phone) END,
          'address', jsonb_build_object('district', NULL::text, 'constituency', NULL::text, 'village', NULL::text),
          'legacyId', legacy_id, 'registeredAt', ${atIso}::text, 'updatedAt', ${atIso}::text),
        ${at}, ${JSON.stringify(actorSummary(actor))}::jsonb, ${reason}
      FROM input
    ),
    issued AS (
      INSERT INTO identity.issued_uins (uin, person_id, issued_at) SELECT uin, id, ${at} FROM input
    )
    SELECT count(*)::int AS n FROM input`;
}

/** Rows prepared between yields to the event loop, so batches in flight keep moving. */
const PREPARE_SLICE = 1000;

/**
 * Loads people straight into the register, in batches, without a duplicate search (see the top of
 * this file). Each batch is one transaction through change(), with one audit entry; batches
 * committed before a failure stay (BulkLoadError says how many people they held).
 */
export async function bulkLoadPersons(
  kernel: Kernel,
  people: Iterable<BulkInput> | AsyncIterable<BulkInput>,
  options: BulkLoadOptions,
): Promise<BulkLoadResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 5000));
  const concurrency = kernel.db.kind === 'postgres' ? Math.max(1, Math.floor(options.concurrency ?? 2)) : 1;
  const policy = options.uinPolicy ?? DEFAULT_UIN_POLICY;
  const draw = options.uinSource ?? (() => generateUin(policy));
  const reason = options.reason ?? null;
  const loadId = newId();
  const started = performance.now();

  // Every UIN drawn in this load, so two people of one load never share one.
  const drawn = new Set<string>();
  let uinRedraws = 0;
  const fresh = () => {
    // Repeats are rare (about n²/150 million for n people under the default policy); a long run of
    // them means the source is broken, not unlucky.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const uin = draw();
      if (!drawn.has(uin)) {
        drawn.add(uin);
        return uin;
      }
      uinRedraws++;
    }
    throw new Error('bulk load: the UIN source keeps repeating itself');
  };

  let persons = 0;
  let batches = 0;
  let launched = 0;
  let failure: unknown;
  const running = new Set<Promise<void>>();
  const normalise = rememberedNormalise();

  const store = async (batch: Batch, number: number) => {
    const count = await change(kernel, { actor: options.actor }, async (c) => {
      const redrawn = await redrawTakenUins(c.tx, batch, fresh);
      uinRedraws += redrawn;
      const [stored] = await rows<{ n: number }>(c.tx, insertBatch(batch, c.now, c.actor, reason));
      const n = Number(stored?.n ?? 0);
      c.audit({
        action: PERSONS_BULK_LOADED,
        subject: { type: 'person-batch', id: batch.id[0] ?? loadId },
        ...(reason ? { purpose: reason } : {}),
        after: {
          loadId,
          batch: number,
          count: n,
          firstId: batch.id[0],
          lastId: batch.id[batch.id.length - 1],
        },
      });
      return n;
    });
    persons += count;
    batches++;
    options.onBatch?.({ persons, batches, milliseconds: performance.now() - started });
  };

  const launch = async (batch: Batch) => {
    while (running.size >= concurrency) await Promise.race(running);
    if (failure !== undefined) return;
    launched++;
    const job: Promise<void> = store(batch, launched)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => running.delete(job));
    running.add(job);
  };

  try {
    let batch = emptyBatch();
    let position = 0;
    for await (const item of people) {
      if (failure !== undefined) break;
      addPerson(batch, item, position, fresh(), normalise);
      position++;
      if (batch.id.length >= batchSize) {
        await launch(batch);
        batch = emptyBatch();
      } else if (position % PREPARE_SLICE === 0 && running.size > 0) {
        await yieldToEventLoop();
      }
    }
    if (failure === undefined && batch.id.length > 0) await launch(batch);
  } catch (error) {
    failure ??= error;
  }
  // Bad input stops the load, but batches already sent finish (or fail) first.
  await Promise.all(running);
  if (failure !== undefined) {
    throw new BulkLoadError(
      `bulk load stopped after ${persons} people were loaded: ${(failure as Error)?.message ?? String(failure)}`,
      persons,
      { cause: failure },
    );
  }
  const milliseconds = performance.now() - started;
  return {
    persons,
    batches,
    auditEntries: batches,
    uinRedraws,
    milliseconds,
    rowsPerSecond: milliseconds > 0 ? (persons * 1000) / milliseconds : 0,
    loadId,
  };
}
