import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, rows } from '../../core/db/index.js';
import {
  blockKeys,
  LETTERS,
  type Letters,
  type MatchKeys,
  type MatchPerson,
  type MatchReason,
  type NormalisedNames,
  normalisedNames,
  normaliseName,
  preparePerson,
  SHORT_NAME,
  SURNAME_TRIGRAM_FLOOR,
  scoreOnly,
  scorePrepared,
} from './matching/index.js';

/** A registered person who may be the same as the one being registered, with the evidence. */
export interface Candidate {
  personId: string;
  uin: string | null;
  score: number;
  reasons: MatchReason[];
}

interface CandidateRow {
  id: string;
  uin: string | null;
  given_names: string;
  surname: string;
  other_names: string | null;
  sex: 'F' | 'M';
  birth_year: number;
  birth_month: number | null;
  birth_day: number | null;
  birth_district: string | null;
  birth_village: string | null;
  father_name: string | null;
  mother_name: string | null;
  phones: string[];
  legacy_id: string | null;
  norm_given: string;
  norm_surname: string;
  surname_key: string;
  /** NULL only on people stored before migration 0007: normalised when read. */
  norm_other: string | null;
  norm_village: string | null;
  norm_father: string | null;
  norm_mother: string | null;
}

const CANDIDATE_COLUMNS = sql.raw(
  `id, uin, given_names, surname, other_names, sex, birth_year, birth_month, birth_day, birth_district,
   birth_village, father_name, mother_name, phones, legacy_id, norm_given, norm_surname, surname_key, norm_other,
   norm_village, norm_father, norm_mother`,
);

/** The SQL of each comparison of the letter blocks (see lettersOf in matching/blocks.ts). */
const LETTER_SQL: Record<(typeof LETTERS)[number], (word: SQL) => SQL> = {
  start: (word) => sql`left(${word}, 2)`,
  end: (word) => sql`right(${word}, 2)`,
  // As the partial indexes of the -short blocks say it, or PostgreSQL does not use them.
  short: (word) => sql`length(${word}) <= ${sql.raw(String(SHORT_NAME))} AND left(${word}, 1)`,
};

/** The letter blocks' conditions for one lookup: `where` and the word's letters, one per kind. */
function letterBlocks(where: SQL, word: SQL, letters: Letters): SQL[] {
  return LETTERS.filter((kind) => letters[kind] !== '').map(
    (kind) => sql`${where} AND ${LETTER_SQL[kind](word)} = ${letters[kind]}`,
  );
}

/**
 * The candidate query: the blocks of matching/blocks.ts, each an exact-match lookup served by a
 * btree index (migrations 0006, 0040, 0041), no LIMIT. One SELECT whose WHERE is the blocks joined
 * by OR, so PostgreSQL ORs the index lookups into one bitmap and reads each person once, however
 * many blocks find them (a UNION ALL of the blocks read and sent a person once per block, and was
 * run by parallel workers that cost more to start than the lookups). With a legacy national ID
 * number, its holders are found by the same statement, whatever their year of birth. Exported so
 * the benchmark can time the bare query.
 */
export function candidateQuery(person: MatchPerson, keys: MatchKeys, legacyId: string | null = null) {
  const b = blockKeys(person, keys);
  const floor = sql.raw(String(SURNAME_TRIGRAM_FLOOR));
  const firstGiven = sql`split_part(norm_given, ' ', 1)`;
  const firstSurname = sql`split_part(norm_surname, ' ', 1)`;
  const place = sql`birth_district = ${b.district} AND sex = ${b.sex}`;
  const blocks = [
    ...letterBlocks(sql`surname_key = ${b.surnameKey} AND ${place}`, firstGiven, b.givenLetters),
    ...letterBlocks(sql`surname_key = ${b.givenKey} AND ${place}`, firstGiven, b.surnameLetters),
    sql`surname_key = ${b.surnameKey} AND ${firstGiven} = ${b.firstGiven}`,
    sql`surname_key = ${b.givenKey} AND ${firstGiven} = ${b.firstSurname}`,
    ...letterBlocks(
      sql`${place} AND ${firstGiven} = ${b.firstGiven} AND similarity(norm_surname, ${b.normSurname}) >= ${floor}`,
      firstSurname,
      b.surnameLetters,
    ),
    ...letterBlocks(
      sql`${place} AND ${firstGiven} = ${b.firstSurname} AND similarity(norm_surname, ${b.firstGiven}) >= ${floor}`,
      firstSurname,
      b.givenLetters,
    ),
  ];
  const inBlocks = sql`birth_year BETWEEN ${b.year - 1} AND ${b.year + 1} AND ((${sql.join(blocks, sql`) OR (`)}))`;
  const wanted = legacyId === null ? inBlocks : sql`(${inBlocks}) OR legacy_id = ${legacyId}`;
  return sql`SELECT ${CANDIDATE_COLUMNS} FROM identity.persons
    WHERE register_state <> 'duplicate' AND (${wanted})`;
}

/** What the scorer compares: the particulars, optional fields left out when unknown. */
export function toMatchPerson(p: {
  givenNames: string;
  surname: string;
  otherNames?: string | null;
  sex: 'F' | 'M';
  birth: { year: number; month?: number; day?: number };
  birthDistrict?: string | null;
  birthVillage?: string | null;
  fatherName?: string | null;
  motherName?: string | null;
  phones: string[];
}): MatchPerson {
  return {
    givenNames: p.givenNames,
    surname: p.surname,
    ...(p.otherNames ? { otherNames: p.otherNames } : {}),
    sex: p.sex,
    birth: p.birth,
    ...(p.birthDistrict ? { birthDistrict: p.birthDistrict } : {}),
    ...(p.birthVillage ? { birthVillage: p.birthVillage } : {}),
    ...(p.fatherName ? { fatherName: p.fatherName } : {}),
    ...(p.motherName ? { motherName: p.motherName } : {}),
    ...(p.phones[0] ? { phone: p.phones[0] } : {}),
  };
}

const orNormalised = (stored: string | null, raw: string | null) => stored ?? (raw ? normaliseName(raw) : '');

/** The stored normalised names: no candidate is normalised again (it dominated the search's time). */
function rowNames(row: CandidateRow): NormalisedNames {
  return {
    givenNames: row.norm_given,
    surname: row.norm_surname,
    otherNames: orNormalised(row.norm_other, row.other_names),
    birthVillage: orNormalised(row.norm_village, row.birth_village),
    fatherName: orNormalised(row.norm_father, row.father_name),
    motherName: orNormalised(row.norm_mother, row.mother_name),
  };
}

function rowToMatchPerson(row: CandidateRow): MatchPerson {
  return toMatchPerson({
    givenNames: row.given_names,
    surname: row.surname,
    otherNames: row.other_names,
    sex: row.sex,
    birth: {
      year: row.birth_year,
      ...(row.birth_month ? { month: row.birth_month } : {}),
      ...(row.birth_day ? { day: row.birth_day } : {}),
    },
    birthDistrict: row.birth_district,
    birthVillage: row.birth_village,
    fatherName: row.father_name,
    motherName: row.mother_name,
    phones: row.phones,
  });
}

export interface CandidateSearch {
  /**
   * The new person's legacy national ID number. Anyone already registered under it is a candidate
   * whatever the names and dates score: the same person again, or a typing error on one of the two
   * records, and a registrar decides which. They come first, with the shared number as the first
   * reason.
   */
  legacyId?: string | null;
  /** Most candidates from the blocks, after the holders of the legacy number; default 5. */
  max?: number;
}

/**
 * Registered people who score at or above `threshold` against `person`, best first (after the
 * holders of its legacy number, see CandidateSearch), in one statement. `keys` must be
 * matchKeys(person): the register computes them once for the row it stores.
 */
export async function findCandidates(
  on: Queryable,
  person: MatchPerson,
  keys: MatchKeys,
  threshold: number,
  { legacyId = null, max = 5 }: CandidateSearch = {},
): Promise<Candidate[]> {
  const found = await rows<CandidateRow>(on, candidateQuery(person, keys, legacyId));
  const subject = preparePerson(person, normalisedNames(keys));
  const holders: Candidate[] = [];
  const scored: Candidate[] = [];
  for (const row of found) {
    const candidate = preparePerson(rowToMatchPerson(row), rowNames(row));
    if (legacyId !== null && row.legacy_id === legacyId) {
      const result = scorePrepared(subject, candidate);
      const shared: MatchReason = {
        field: 'legacyId',
        agreement: 'exact',
        weight: 0,
        detail: `Both records hold legacy national ID number ${legacyId}`,
      };
      holders.push({
        personId: row.id,
        uin: row.uin,
        score: result.score,
        reasons: [shared, ...result.reasons],
      });
      continue;
    }
    // Reasons are built only for the few that pass: most rows of a block are clearly someone else.
    if (scoreOnly(subject, candidate) < threshold) continue;
    const result = scorePrepared(subject, candidate);
    scored.push({ personId: row.id, uin: row.uin, score: result.score, reasons: result.reasons });
  }
  return [...holders, ...scored.sort((a, b) => b.score - a.score).slice(0, max)];
}
