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

/**
 * The candidate query: five exact-match blocks, each served by a btree index and each tens of
 * rows even at 2.3 million people, so nothing is cut before scoring —
 * (1) same surname sound (or the first given name's, for swapped names), district, sex, year ±1;
 * (2) same surname sound and first given name, year ±1, any district;
 * (3) the same with given name and surname swapped;
 * (4) same district, sex and first given name, year ±1, surname similar (typos in the surname);
 * (5) the same with the names swapped.
 * Exported so the benchmark can time the bare query beside the whole search.
 */
export function candidateQuery(person: MatchPerson, keys: MatchKeys) {
  const firstGiven = keys.normGiven.split(' ')[0] ?? keys.normGiven;
  const firstSurname = keys.normSurname.split(' ')[0] ?? keys.normSurname;
  const givenKey = phoneticKey(firstGiven);
  const from = person.birth.year - 1;
  const to = person.birth.year + 1;
  const district = person.birthDistrict ?? '';
  const sex = person.sex ?? '';
  return sql`
    SELECT id, uin, given_names, surname, other_names, sex, birth_year, birth_month, birth_day,
           birth_district, birth_village, father_name, mother_name, phones
    FROM identity.persons
    WHERE register_state <> 'duplicate' AND id IN (
      SELECT id FROM identity.persons WHERE surname_key IN (${keys.surnameKey}, ${givenKey})
        AND birth_district = ${district} AND sex = ${sex} AND birth_year BETWEEN ${from} AND ${to}
      UNION ALL SELECT id FROM identity.persons WHERE surname_key = ${keys.surnameKey}
        AND split_part(norm_given, ' ', 1) = ${firstGiven} AND birth_year BETWEEN ${from} AND ${to}
      UNION ALL SELECT id FROM identity.persons WHERE surname_key = ${givenKey}
        AND split_part(norm_given, ' ', 1) = ${firstSurname} AND birth_year BETWEEN ${from} AND ${to}
      UNION ALL SELECT id FROM identity.persons WHERE birth_district = ${district} AND sex = ${sex}
        AND split_part(norm_given, ' ', 1) = ${firstGiven} AND birth_year BETWEEN ${from} AND ${to}
        AND similarity(norm_surname, ${keys.normSurname}) >= 0.2
      UNION ALL SELECT id FROM identity.persons WHERE birth_district = ${district} AND sex = ${sex}
        AND split_part(norm_given, ' ', 1) = ${firstSurname} AND birth_year BETWEEN ${from} AND ${to}
        AND similarity(norm_surname, ${firstGiven}) >= 0.2)`;
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
