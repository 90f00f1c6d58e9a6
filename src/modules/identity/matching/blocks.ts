import { normaliseName } from './normalise.js';
import { phoneticKeyOfNormalised } from './phonetic.js';
import type { MatchPerson, NormalisedNames } from './score.js';

/**
 * Candidate blocks: which registered people a new registration is scored against. The register
 * runs them as one SQL query (candidateQuery in ../candidates.ts, each block served by a btree
 * index); the offline evaluation runs the same blocks in memory (CandidateBlocks below), and
 * blocks.test.ts holds the two to the same people. Five exact-match blocks, each tens of rows even
 * at 2.3 million people, so nothing is cut before scoring:
 *
 * 1. sound-place: same surname sound (or the first given name's, for swapped names), district of
 *    birth, sex, birth year ±1;
 * 2. sound-given: same surname sound and first given name, year ±1, any district;
 * 3. sound-given-swapped: the same with given name and surname exchanged;
 * 4. place-given: same district, sex and first given name, year ±1, surname trigram similarity at
 *    least SURNAME_TRIGRAM_FLOOR (typos the surname sound does not survive);
 * 5. place-given-swapped: the same with the names exchanged.
 */
export const CANDIDATE_BLOCKS = [
  'sound-place',
  'sound-given',
  'sound-given-swapped',
  'place-given',
  'place-given-swapped',
] as const;
export type CandidateBlock = (typeof CANDIDATE_BLOCKS)[number];

/** pg_trgm similarity a surname must reach in the place-given blocks. */
export const SURNAME_TRIGRAM_FLOOR = 0.2;

/**
 * The matching columns stored with every person (identity.persons norm_* and surname_key): the
 * blocks use the first three, and candidates are prepared from all of them without normalising.
 */
export interface MatchKeys {
  normGiven: string;
  normSurname: string;
  surnameKey: string;
  normOther: string;
  normVillage: string;
  normFather: string;
  normMother: string;
}

export interface NamedPerson {
  givenNames: string;
  surname: string;
  otherNames?: string | null | undefined;
  birthVillage?: string | null | undefined;
  fatherName?: string | null | undefined;
  motherName?: string | null | undefined;
}

/** `normalise` may be a remembering normaliseName (bulk loads): it must give the same results. */
export function matchKeys(p: NamedPerson, normalise: (text: string) => string = normaliseName): MatchKeys {
  const n = (text: string | null | undefined) => (text ? normalise(text) : '');
  const normSurname = n(p.surname);
  return {
    normGiven: n(p.givenNames),
    normSurname,
    surnameKey: phoneticKeyOfNormalised(normSurname),
    normOther: n(p.otherNames),
    normVillage: n(p.birthVillage),
    normFather: n(p.fatherName),
    normMother: n(p.motherName),
  };
}

export function normalisedNames(keys: MatchKeys): NormalisedNames {
  return {
    givenNames: keys.normGiven,
    otherNames: keys.normOther,
    surname: keys.normSurname,
    birthVillage: keys.normVillage,
    fatherName: keys.normFather,
    motherName: keys.normMother,
  };
}

const firstWord = (normalised: string) => normalised.split(' ')[0] ?? '';

/** What a new registration looks its candidates up by. */
export interface BlockKeys {
  surnameKey: string;
  /** Sound of the first given name, for swapped names. */
  givenKey: string;
  firstGiven: string;
  firstSurname: string;
  normSurname: string;
  /** '' when unknown: the place blocks then find no one. */
  district: string;
  sex: string;
  year: number;
}

export function blockKeys(person: MatchPerson, keys: MatchKeys): BlockKeys {
  const firstGiven = firstWord(keys.normGiven);
  return {
    surnameKey: keys.surnameKey,
    givenKey: phoneticKeyOfNormalised(firstGiven),
    firstGiven,
    firstSurname: firstWord(keys.normSurname),
    normSurname: keys.normSurname,
    district: person.birthDistrict ?? '',
    sex: person.sex ?? '',
    year: person.birth.year,
  };
}

function trigrams(text: string): Set<string> {
  const found = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) found.add(padded.slice(i, i + 3));
  }
  return found;
}

/**
 * pg_trgm's similarity(): shared trigrams over all trigrams, each word padded with two spaces in
 * front and one behind. The same figure as PostgreSQL for normalised names (letters and spaces).
 */
export function trigramSimilarity(a: string, b: string): number {
  return similarityOfTrigrams(trigrams(a), trigrams(b));
}

function similarityOfTrigrams(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  // pg_trgm computes in single precision.
  return Math.fround(shared / (x.size + y.size - shared));
}

const FLOOR = Math.fround(SURNAME_TRIGRAM_FLOOR);

export interface BlockLookup<T> {
  /** Each person once, in the order first found. */
  found: T[];
  /** People per block, before the union (a person in two blocks counts in both). */
  perBlock: Record<CandidateBlock, number>;
}

/** The five blocks over people held in memory, for the offline evaluation of matching. */
export class CandidateBlocks<T> {
  private readonly soundPlace = new Map<string, T[]>();
  private readonly soundGiven = new Map<string, T[]>();
  private readonly placeGiven = new Map<string, { item: T; surname: ReadonlySet<string> }[]>();

  /** A registered person, filed as identity.persons files them (birth district, sex, matching keys). */
  add(item: T, person: MatchPerson, keys: MatchKeys): void {
    const push = <V>(map: Map<string, V[]>, key: string, value: V) => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    const given = firstWord(keys.normGiven);
    const { year } = person.birth;
    push(this.soundGiven, `${keys.surnameKey}|${given}|${year}`, item);
    if (person.birthDistrict === undefined || person.sex === undefined) return;
    const place = `${person.birthDistrict}|${person.sex}`;
    push(this.soundPlace, `${keys.surnameKey}|${place}|${year}`, item);
    push(this.placeGiven, `${place}|${given}|${year}`, {
      item,
      surname: trigrams(keys.normSurname),
    });
  }

  find(probe: BlockKeys): BlockLookup<T> {
    const seen = new Set<T>();
    const found: T[] = [];
    const perBlock = Object.fromEntries(CANDIDATE_BLOCKS.map((b) => [b, 0])) as Record<
      CandidateBlock,
      number
    >;
    const take = (block: CandidateBlock, item: T) => {
      perBlock[block]++;
      if (seen.has(item)) return;
      seen.add(item);
      found.push(item);
    };
    const place = probe.district !== '' && probe.sex !== '';
    const surname = trigrams(probe.normSurname);
    const given = trigrams(probe.firstGiven);
    const sounds =
      probe.givenKey === probe.surnameKey ? [probe.surnameKey] : [probe.surnameKey, probe.givenKey];
    for (let year = probe.year - 1; year <= probe.year + 1; year++) {
      if (place) {
        for (const sound of sounds) {
          for (const item of this.soundPlace.get(`${sound}|${probe.district}|${probe.sex}|${year}`) ?? [])
            take('sound-place', item);
        }
      }
      for (const item of this.soundGiven.get(`${probe.surnameKey}|${probe.firstGiven}|${year}`) ?? [])
        take('sound-given', item);
      for (const item of this.soundGiven.get(`${probe.givenKey}|${probe.firstSurname}|${year}`) ?? [])
        take('sound-given-swapped', item);
      if (!place) continue;
      const at = (given: string) =>
        this.placeGiven.get(`${probe.district}|${probe.sex}|${given}|${year}`) ?? [];
      for (const entry of at(probe.firstGiven))
        if (similarityOfTrigrams(entry.surname, surname) >= FLOOR) take('place-given', entry.item);
      for (const entry of at(probe.firstSurname))
        if (similarityOfTrigrams(entry.surname, given) >= FLOOR) take('place-given-swapped', entry.item);
    }
    return { found, perBlock };
  }
}
