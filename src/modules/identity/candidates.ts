import { sql } from 'drizzle-orm';
import { type Queryable, rows } from '../../core/db/index.js';
import {
  type MatchPerson,
  type MatchReason,
  normaliseName,
  phoneticKey,
  preparePerson,
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

export interface MatchKeys {
  normGiven: string;
  normSurname: string;
  surnameKey: string;
}

/** The matching columns stored with every person, so candidate search is one indexed query. */
export function matchKeys(givenNames: string, surname: string): MatchKeys {
  return {
    normGiven: normaliseName(givenNames),
    normSurname: normaliseName(surname),
    surnameKey: phoneticKey(surname),
  };
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
}

/** Rows a candidate search may return at most; blocks in a national register are far smaller. */
const CANDIDATE_LIMIT = 500;

/**
 * The candidate query: two blocks, each over a btree index — (a) same district of birth, sex and
 * birth year ±1, narrowed by trigram similarity on the names computed on those rows only; (b) the
 * same sound of the surname (or of the first given name, for swapped names) and year ±1, across
 * districts. Exported so the benchmark can time the bare query beside the whole search.
 */
export function candidateQuery(person: MatchPerson, keys: MatchKeys) {
  const firstGiven = keys.normGiven.split(' ')[0] ?? keys.normGiven;
  const givenKey = phoneticKey(firstGiven);
  return sql`
    SELECT id, uin, given_names, surname, other_names, sex, birth_year, birth_month, birth_day,
           birth_district, birth_village, father_name, mother_name, phones
    FROM identity.persons
    WHERE register_state <> 'duplicate'
      AND birth_year BETWEEN ${person.birth.year - 1} AND ${person.birth.year + 1}
      AND (
        (birth_district = ${person.birthDistrict ?? ''} AND sex = ${person.sex ?? ''}
          AND (similarity(norm_surname, ${keys.normSurname}) >= 0.3
               OR similarity(norm_surname, ${firstGiven}) >= 0.3
               OR similarity(norm_given, ${keys.normGiven}) >= 0.5))
        OR surname_key IN (${keys.surnameKey}, ${givenKey})
      )
    LIMIT ${CANDIDATE_LIMIT}`;
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

/** Registered people who score at or above `threshold` against `person`, best first. */
export async function findCandidates(
  on: Queryable,
  person: MatchPerson,
  keys: MatchKeys,
  threshold: number,
  max = 5,
): Promise<Candidate[]> {
  const found = await rows<CandidateRow>(on, candidateQuery(person, keys));
  const subject = preparePerson(person);
  const scored: Candidate[] = [];
  for (const row of found) {
    const candidate = preparePerson(rowToMatchPerson(row));
    // Reasons are built only for the few that pass: most rows of a block are clearly someone else.
    if (scoreOnly(subject, candidate) < threshold) continue;
    const result = scorePrepared(subject, candidate);
    scored.push({ personId: row.id, uin: row.uin, score: result.score, reasons: result.reasons });
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, max);
}
