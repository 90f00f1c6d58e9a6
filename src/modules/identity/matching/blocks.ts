import { normaliseName } from './normalise.js';
import { phoneticKeyOfNormalised } from './phonetic.js';
import type { MatchPerson, NormalisedNames } from './score.js';

/**
 * Candidate blocks: which registered people a new registration is scored against. The register
 * runs them as one SQL query (candidateQuery in ../candidates.ts, each block served by a btree
 * index); the offline evaluation runs the same blocks in memory (CandidateBlocks below), and
 * blocks.test.ts holds the two to the same people. Six exact-match blocks, each tens of rows even
 * at 2.3 million people, so nothing is cut before scoring:
 *
 * 1. sound-place-start: same surname sound (or the first given name's, for swapped names), district
 *    of birth, sex, birth year ±1, and a first given name that begins with the same two letters;
 * 2. sound-place-end: the same, with a first given name that ends with the same two letters;
 * 3. sound-place-short: the same, with first given names of at most SHORT_NAME letters that begin
 *    with the same letter;
 * 4. sound-given: same surname sound and first given name, year ±1, any district;
 * 5. sound-given-swapped: the same with given name and surname exchanged;
 * 6. place-given: same district, sex and first given name, year ±1, surname trigram similarity at
 *    least SURNAME_TRIGRAM_FLOOR (typos the surname sound does not survive);
 * 7. place-given-swapped: the same with the names exchanged.
 *
 * The sound-place blocks find a slip in the first given name when the surname is right. One slip
 * (a letter changed, dropped, added, or two neighbours exchanged) in a name of five letters or
 * more leaves its first two letters or its last two as they were; in a short name it can change
 * both (Neo/Noe, Mpho/Mhpo) but not the first letter, unless it is the first letter that slipped.
 * Together they find what the whole sound + district + sex + year block found (100 people at the
 * median, 545 at the 95th percentile at 2.3 million: common surnames in Maseru) at a fraction of
 * its size.
 */
export const CANDIDATE_BLOCKS = [
  'sound-place-start',
  'sound-place-end',
  'sound-place-short',
  'sound-given',
  'sound-given-swapped',
  'place-given',
  'place-given-swapped',
] as const;
export type CandidateBlock = (typeof CANDIDATE_BLOCKS)[number];

/** Longest first given name (letters) of the sound-place-short block. */
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

/** The first two letters of a word, as PostgreSQL's left(word, 2) counts them (characters). */
const wordStart = (word: string) => [...word].slice(0, 2).join('');
/** The last two letters of a word, as PostgreSQL's right(word, 2). */
const wordEnd = (word: string) => [...word].slice(-2).join('');
/** The first letter of a word of at most SHORT_NAME letters; '' for a longer word. */
const shortInitial = (word: string) => {
  const letters = [...word];
  return letters.length <= SHORT_NAME ? (letters[0] ?? '') : '';
};

/** What a new registration looks its candidates up by. */
export interface BlockKeys {
  surnameKey: string;
  /** Sound of the first given name, for swapped names. */
  givenKey: string;
  firstGiven: string;
  firstSurname: string;
  /**
   * First and last two letters of firstGiven and of firstSurname, and their first letter when they
   * are short names ('' otherwise), for the sound-place blocks.
   */
  givenStart: string;
  givenEnd: string;
  givenShort: string;
  surnameStart: string;
  surnameEnd: string;
  surnameShort: string;
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
    givenStart: wordStart(firstGiven),
    givenEnd: wordEnd(firstGiven),
    givenShort: shortInitial(firstGiven),
    surnameStart: wordStart(firstSurname),
    surnameEnd: wordEnd(firstSurname),
    surnameShort: shortInitial(firstSurname),
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

/** The blocks over people held in memory, for the offline evaluation of matching. */
export class CandidateBlocks<T> {
  private readonly soundPlaceStart = new Map<string, T[]>();
  private readonly soundPlaceEnd = new Map<string, T[]>();
  private readonly soundPlaceShort = new Map<string, T[]>();
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
    const sound = `${keys.surnameKey}|${place}|${year}`;
    push(this.soundPlaceStart, `${sound}|${wordStart(given)}`, item);
    push(this.soundPlaceEnd, `${sound}|${wordEnd(given)}`, item);
    const initial = shortInitial(given);
    if (initial !== '') push(this.soundPlaceShort, `${sound}|${initial}`, item);
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
    // Straight: the surname's sound with the given name's letters; swapped: the other way round.
    const straight = {
      sound: probe.surnameKey,
      start: probe.givenStart,
      end: probe.givenEnd,
      short: probe.givenShort,
    };
    const swapped = {
      sound: probe.givenKey,
      start: probe.surnameStart,
      end: probe.surnameEnd,
      short: probe.surnameShort,
    };
    const sameKeys = JSON.stringify(straight) === JSON.stringify(swapped);
    const sounds = sameKeys ? [straight] : [straight, swapped];
    for (let year = probe.year - 1; year <= probe.year + 1; year++) {
      if (place) {
        for (const { sound, start, end, short } of sounds) {
          const at = `${sound}|${probe.district}|${probe.sex}|${year}`;
          for (const item of this.soundPlaceStart.get(`${at}|${start}`) ?? [])
            take('sound-place-start', item);
          for (const item of this.soundPlaceEnd.get(`${at}|${end}`) ?? []) take('sound-place-end', item);
          if (short === '') continue;
          for (const item of this.soundPlaceShort.get(`${at}|${short}`) ?? [])
            take('sound-place-short', item);
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
