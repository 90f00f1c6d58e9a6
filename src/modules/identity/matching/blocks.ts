import { normaliseName } from './normalise.js';
import { phoneticKeyOfNormalised } from './phonetic.js';
import type { MatchPerson, NormalisedNames } from './score.js';

/**
 * Candidate blocks: which registered people a new registration is scored against. The register
 * runs them as one SQL query (candidateQuery in ../candidates.ts, each block served by a btree
 * index); the offline evaluation runs the same blocks in memory (CandidateBlocks below), and
 * blocks.test.ts holds the two to the same people. Exact-match blocks, each tens of rows even at
 * 2.3 million people, so nothing is cut before scoring:
 *
 * 1–3. sound-place-start, -end, -short: same surname sound, district of birth, sex, birth year ±1,
 *    and a first given name with the same first two letters, the same last two, or (names of at
 *    most SHORT_NAME letters) the same first letter; for swapped names, the first given name's
 *    sound with the surname's letters;
 * 4. sound-given: same surname sound and first given name, year ±1, any district;
 * 5. sound-given-swapped: the same with given name and surname exchanged;
 * 6–8. place-given-start, -end, -short: same district, sex and first given name, year ±1, a surname
 *    with the same first two letters, last two or (short) first letter, and surname trigram
 *    similarity at least SURNAME_TRIGRAM_FLOOR (typos the surname sound does not survive); and the
 *    same with the names exchanged.
 *
 * The letters keep every slip the blocks are there for. One slip (a letter changed, dropped, added,
 * or two neighbours exchanged) in a name of five letters or more leaves its first two letters or
 * its last two as they were; in a short name it can change both (Neo/Noe, Mpho/Mhpo) but not the
 * first letter, unless that is what slipped. Without them the sound-place block was 100 people at
 * the median and 545 at the 95th percentile at 2.3 million (common surnames in Maseru), and the
 * place-given block read some 300 people with a common given name to keep the few with a surname
 * alike.
 */
export const CANDIDATE_BLOCKS = [
  'sound-place-start',
  'sound-place-end',
  'sound-place-short',
  'sound-given',
  'sound-given-swapped',
  'place-given-start',
  'place-given-end',
  'place-given-short',
] as const;
export type CandidateBlock = (typeof CANDIDATE_BLOCKS)[number];

/** Which letters of a name the letter blocks compare. */
export const LETTERS = ['start', 'end', 'short'] as const;
export type Letters = Record<(typeof LETTERS)[number], string>;

/** Longest name (letters) the -short blocks compare by its first letter; the SQL indexes say 4 too. */
export const SHORT_NAME = 4;

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

/**
 * The letters of a word the letter blocks compare, as PostgreSQL's left(word, 2), right(word, 2)
 * and left(word, 1) count them (characters); short is '' for a word of more than SHORT_NAME letters.
 */
function lettersOf(word: string): Letters {
  const letters = [...word];
  return {
    start: letters.slice(0, 2).join(''),
    end: letters.slice(-2).join(''),
    short: letters.length <= SHORT_NAME ? (letters[0] ?? '') : '',
  };
}

/** What a new registration looks its candidates up by. */
export interface BlockKeys {
  surnameKey: string;
  /** Sound of the first given name, for swapped names. */
  givenKey: string;
  firstGiven: string;
  firstSurname: string;
  /** The letters of firstGiven and of firstSurname, for the letter blocks. */
  givenLetters: Letters;
  surnameLetters: Letters;
  normSurname: string;
  /** '' when unknown: the place blocks then find no one. */
  district: string;
  sex: string;
  year: number;
}

export function blockKeys(person: MatchPerson, keys: MatchKeys): BlockKeys {
  const firstGiven = firstWord(keys.normGiven);
  const firstSurname = firstWord(keys.normSurname);
  return {
    surnameKey: keys.surnameKey,
    givenKey: phoneticKeyOfNormalised(firstGiven),
    firstGiven,
    firstSurname,
    givenLetters: lettersOf(firstGiven),
    surnameLetters: lettersOf(firstSurname),
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

interface Surnamed<T> {
  item: T;
  surname: ReadonlySet<string>;
}

/** The blocks over people held in memory, for the offline evaluation of matching. */
export class CandidateBlocks<T> {
  /** Keyed by surname sound, district, sex, year, then which letters and the first given name's. */
  private readonly soundPlace = new Map<string, T[]>();
  private readonly soundGiven = new Map<string, T[]>();
  /** Keyed by district, sex, first given name, year, then which letters and the surname's. */
  private readonly placeGiven = new Map<string, Surnamed<T>[]>();

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
    const givenLetters = lettersOf(given);
    const surnameLetters = lettersOf(firstWord(keys.normSurname));
    const surname = trigrams(keys.normSurname);
    for (const kind of LETTERS) {
      if (givenLetters[kind] !== '')
        push(this.soundPlace, `${keys.surnameKey}|${place}|${year}|${kind}|${givenLetters[kind]}`, item);
      if (surnameLetters[kind] !== '')
        push(this.placeGiven, `${place}|${given}|${year}|${kind}|${surnameLetters[kind]}`, { item, surname });
    }
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
    // Straight, then swapped: the given name's letters with the surname's sound and the other way
    // round; the surname's letters with the first given name, and the other way round.
    const soundPlace = distinct([
      { sound: probe.surnameKey, letters: probe.givenLetters },
      { sound: probe.givenKey, letters: probe.surnameLetters },
    ]);
    const placeGiven = distinct([
      { given: probe.firstGiven, letters: probe.surnameLetters, surname: probe.normSurname },
      { given: probe.firstSurname, letters: probe.givenLetters, surname: probe.firstGiven },
    ]).map((p) => ({ ...p, trigrams: trigrams(p.surname) }));
    for (let year = probe.year - 1; year <= probe.year + 1; year++) {
      for (const item of this.soundGiven.get(`${probe.surnameKey}|${probe.firstGiven}|${year}`) ?? [])
        take('sound-given', item);
      for (const item of this.soundGiven.get(`${probe.givenKey}|${probe.firstSurname}|${year}`) ?? [])
        take('sound-given-swapped', item);
      if (!place) continue;
      const at = `${probe.district}|${probe.sex}`;
      for (const kind of LETTERS) {
        for (const { sound, letters } of soundPlace) {
          if (letters[kind] === '') continue;
          for (const item of this.soundPlace.get(`${sound}|${at}|${year}|${kind}|${letters[kind]}`) ?? [])
            take(`sound-place-${kind}`, item);
        }
        for (const { given, letters, trigrams: surname } of placeGiven) {
          if (letters[kind] === '') continue;
          for (const entry of this.placeGiven.get(`${at}|${given}|${year}|${kind}|${letters[kind]}`) ?? [])
            if (similarityOfTrigrams(entry.surname, surname) >= FLOOR)
              take(`place-given-${kind}`, entry.item);
        }
      }
    }
    return { found, perBlock };
  }
}

/** The straight and the swapped lookup, once when they are the same (a name like Mosa Mosa). */
function distinct<L>(lookups: [L, L]): L[] {
  return JSON.stringify(lookups[0]) === JSON.stringify(lookups[1]) ? [lookups[0]] : lookups;
}
