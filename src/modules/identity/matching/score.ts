import { normaliseName } from './normalise.js';
import { nameSimilarity, SIMILAR_NAME } from './similarity.js';

/**
 * Scores how likely two civil-register records describe the same person.
 *
 * The model is Fellegi–Sunter-like: every field comparison yields an agreement level, and each level has a
 * weight, roughly log2(P(level | same person) / P(level | different people in the same block)). Weights
 * are summed; the sum is mapped to a score in 0..1 with a logistic curve. A record pair whose score is at
 * least DEFAULT_MATCH_THRESHOLDS.review goes to a registrar for adjudication, with the reasons.
 *
 * Two rules keep relatives apart, because siblings and twins share a surname, parents, village and
 * sometimes a birthday, and only the given name tells them apart:
 * - village and parents together add at most `familyCap` bits (they show one family, not one person);
 * - when the given names share no word at all (in either order, and not exchanged with the surname), only
 *   names and date of birth count, and the total is capped at `givenNamesDifferentCap`, below review.
 *
 * Pure and symmetric: scorePair(a, b) and scorePair(b, a) give the same score and the same reasons (fields,
 * agreements, weights); only the details quote the two values in argument order.
 */

export type MatchSex = 'F' | 'M';

export interface MatchBirth {
  year: number;
  /** 1–12; absent when only the year is known. */
  month?: number;
  /** 1–31; absent when only the month or the year is known. */
  day?: number;
}

export interface MatchPerson {
  givenNames: string;
  surname: string;
  otherNames?: string;
  sex?: MatchSex;
  /** Precision is given by which fields are present. */
  birth: MatchBirth;
  /** ISO 3166-2:LS code, A..K. */
  birthDistrict?: string;
  birthVillage?: string;
  fatherName?: string;
  motherName?: string;
  /** E.164, e.g. +26658123456; other formats are tolerated (the last eight digits are compared). */
  phone?: string;
}

export type MatchAgreement =
  | 'exact'
  | 'similar'
  | 'swapped'
  | 'partial'
  | 'conflict'
  | 'off-by-one-year'
  | 'same-month'
  | 'same-year'
  | 'different'
  | 'missing'
  | 'capped';

export interface MatchReason {
  /**
   * 'names' (exchanged or capped), 'surname', 'givenNames', 'birth', 'sex', 'birthDistrict', 'birthVillage',
   * 'fatherName', 'motherName', 'family' (capped), 'phone'.
   */
  field: string;
  agreement: MatchAgreement;
  /** Contribution to the total evidence, in bits (log2 of a likelihood ratio); positive means "same person". */
  weight: number;
  /** For the registrar, in English. */
  detail?: string;
}

export interface MatchResult {
  /** 0..1; at least DEFAULT_MATCH_THRESHOLDS.review means the pair goes to the adjudication queue. */
  score: number;
  reasons: MatchReason[];
}

/** Weights in bits, per field and agreement level. Tuned on synthetic data with evaluate.ts. */
export const DEFAULT_MATCH_WEIGHTS = {
  surname: { exact: 6.5, similar: 4.5, different: -6 },
  givenNames: { exact: 6.5, similar: 5, partial: 3, conflict: -1, different: -6 },
  /** Given names and surname exchanged; replaces the two weights above. */
  swapped: { exact: 12, similar: 9.5 },
  birth: {
    exact: 10,
    offByOneYear: 6,
    dayMonthSwapped: 6,
    sameMonthOtherDay: 1.5,
    compatibleMonth: 4,
    compatibleYear: 1.5,
    offByOneYearSameMonth: 2,
    offByOneYearImprecise: 0,
    otherMonth: -4,
    different: -6,
    farApart: -10,
  },
  sex: { same: 0.5, different: -5 },
  birthDistrict: { same: 0.5, different: -3 },
  birthVillage: { same: 2, similar: 1.5, different: -2 },
  fatherName: { exact: 4, similar: 3, partial: 1.5, different: -4 },
  /** conflict: her own name on one record and her 'Ma-name on the other, with the same surname. */
  motherName: { exact: 4, similar: 3, partial: 1.5, conflict: -0.5, different: -2.5 },
  /**
   * Most the village and the parents together may add: they agree for siblings as much as for one person,
   * so together they show one family, not one person.
   */
  familyCap: 6,
  phone: { same: 4, different: -1 },
  /** Total evidence (bits) at which the score is 0.5, and bits per doubling of the odds. */
  pivot: 16,
  scale: 2,
  /** Largest total allowed when the given names share no word. */
  givenNamesDifferentCap: 4,
} as const;

export type MatchWeights = typeof DEFAULT_MATCH_WEIGHTS;

/** Above `review`, a candidate pair goes to the adjudication queue. */
export const DEFAULT_MATCH_THRESHOLDS: { readonly review: number } = { review: 0.5 };

/** A person with every comparison key computed once; build with preparePerson and reuse. */
export interface PreparedPerson {
  readonly person: MatchPerson;
  /** Normalised words of the given and other names, sorted. */
  readonly given: readonly string[];
  /** The same words in their written order without spaces, to catch a slipped space. */
  readonly givenRun: string;
  readonly surname: readonly string[];
  readonly surnameRun: string;
  readonly year: number;
  /** 0 when unknown. */
  readonly month: number;
  /** 0 when unknown. */
  readonly day: number;
  readonly village: string;
  readonly father: readonly string[];
  readonly fatherRun: string;
  readonly mother: readonly string[];
  readonly motherRun: string;
  /** The mother is recorded by her 'Ma-name ('MaRethabile, Mmarethabile). */
  readonly motherMaName: boolean;
  readonly phone: string;
}

/**
 * Every name of a person after normaliseName ('' when not recorded). This is the costly part of
 * preparing a person, so the register stores it with each person (norm_* columns) and candidates
 * are prepared from the stored values without normalising again.
 */
export interface NormalisedNames {
  givenNames: string;
  otherNames: string;
  surname: string;
  birthVillage: string;
  fatherName: string;
  motherName: string;
}

const normalisedOrEmpty = (text: string | null | undefined) => (text ? normaliseName(text) : '');

export function normaliseNames(person: {
  givenNames: string;
  surname: string;
  otherNames?: string | null;
  birthVillage?: string | null;
  fatherName?: string | null;
  motherName?: string | null;
}): NormalisedNames {
  return {
    givenNames: normalisedOrEmpty(person.givenNames),
    otherNames: normalisedOrEmpty(person.otherNames),
    surname: normalisedOrEmpty(person.surname),
    birthVillage: normalisedOrEmpty(person.birthVillage),
    fatherName: normalisedOrEmpty(person.fatherName),
    motherName: normalisedOrEmpty(person.motherName),
  };
}

function words(normalised: string): string[] {
  return normalised === '' ? [] : normalised.split(' ');
}

function sorted(list: string[]): string[] {
  return [...list].sort();
}

// "Ha" means "the place of": Ha Abia and Abia are one village.
function villageKey(normalised: string): string {
  return words(normalised)
    .filter((word, index, all) => !(index === 0 && word === 'HA' && all.length > 1))
    .join('');
}

const MA_NAME = /^\s*(?:['’‘`´ʼʻ′‛]\s*M|MM)A/iu;

function phoneDigits(phone: string | undefined): string {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 8 ? digits.slice(-8) : '';
}

function validPart(value: number | undefined, max: number): number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= max ? value : 0;
}

/** `names` must be normaliseNames(person); pass the stored values to skip normalising. */
export function preparePerson(
  person: MatchPerson,
  names: NormalisedNames = normaliseNames(person),
): PreparedPerson {
  const givenWords = [...words(names.givenNames), ...words(names.otherNames)];
  const surnameWords = words(names.surname);
  const fatherWords = words(names.fatherName);
  const motherWords = words(names.motherName);
  const month = validPart(person.birth.month, 12);
  return {
    person,
    given: sorted(givenWords),
    givenRun: givenWords.join(''),
    surname: sorted(surnameWords),
    surnameRun: surnameWords.join(''),
    year: person.birth.year,
    month,
    day: month === 0 ? 0 : validPart(person.birth.day, 31),
    village: villageKey(names.birthVillage),
    father: sorted(fatherWords),
    fatherRun: fatherWords.join(''),
    mother: sorted(motherWords),
    motherRun: motherWords.join(''),
    motherMaName: MA_NAME.test(person.motherName ?? ''),
    phone: phoneDigits(person.phone),
  };
}

type WordsLevel = 'exact' | 'similar' | 'partial' | 'conflict' | 'different' | 'missing';

interface WordsComparison {
  level: WordsLevel;
  /** Pairs of words taken as the same name, with their similarity. */
  pairs: [string, string, number][];
}

const MISSING: WordsComparison = { level: 'missing', pairs: [] };
const EXACT_RUN: WordsComparison = { level: 'exact', pairs: [] };
const DIFFERENT: WordsComparison = { level: 'different', pairs: [] };

/**
 * Compares two lists of name words regardless of order: pairs words greedily by similarity (ties broken
 * by the words themselves, so the result does not depend on argument order), then grades the pairing.
 */
function compareWords(
  a: readonly string[],
  b: readonly string[],
  aRun: string,
  bRun: string,
): WordsComparison {
  if (a.length === 0 || b.length === 0) {
    return MISSING;
  }
  if (aRun === bRun) {
    return EXACT_RUN;
  }
  if (a.length === 1 && b.length === 1) {
    const x = a[0] ?? '';
    const y = b[0] ?? '';
    const similarity = nameSimilarity(x, y);
    return similarity >= SIMILAR_NAME ? { level: 'similar', pairs: [[x, y, similarity]] } : DIFFERENT;
  }
  const candidates: { i: number; j: number; similarity: number; tie: string }[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    for (let j = 0; j < b.length; j++) {
      const y = b[j] ?? '';
      const similarity = nameSimilarity(x, y);
      if (similarity >= SIMILAR_NAME) {
        candidates.push({ i, j, similarity, tie: x < y ? `${x} ${y}` : `${y} ${x}` });
      }
    }
  }
  if (candidates.length === 0) {
    return DIFFERENT;
  }
  if (candidates.length > 1) {
    candidates.sort((p, q) =>
      p.similarity !== q.similarity
        ? q.similarity - p.similarity
        : p.tie < q.tie
          ? -1
          : p.tie > q.tie
            ? 1
            : 0,
    );
  }
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: [string, string, number][] = [];
  let exact = 0;
  for (const candidate of candidates) {
    if (usedA.has(candidate.i) || usedB.has(candidate.j)) {
      continue;
    }
    usedA.add(candidate.i);
    usedB.add(candidate.j);
    pairs.push([a[candidate.i] ?? '', b[candidate.j] ?? '', candidate.similarity]);
    if (candidate.similarity === 1) {
      exact++;
    }
  }
  const matched = pairs.length;
  let level: WordsLevel;
  if (matched === a.length && matched === b.length) {
    level = exact === matched ? 'exact' : 'similar';
  } else if (matched === Math.min(a.length, b.length)) {
    level = 'partial';
  } else {
    level = 'conflict';
  }
  return { level, pairs };
}

type Explain = MatchReason[] | undefined;

function quote(text: string | undefined): string {
  return `"${(text ?? '').trim().replace(/\s+/g, ' ')}"`;
}

function both(a: string | undefined, b: string | undefined): string {
  return `${quote(a)} / ${quote(b)}`;
}

function sameSpelling(a: string | undefined, b: string | undefined): string {
  return (a ?? '').trim() === (b ?? '').trim()
    ? `both ${quote(a)}`
    : `${both(a, b)}: the same after normalising case, apostrophes, š and Lesotho/South African spelling`;
}

function slipDetail(pairs: [string, string, number][]): string {
  const slips = pairs.filter(([, , similarity]) => similarity < 1).map(([x, y]) => `${x}~${y}`);
  return slips.length === 0 ? '' : ` (spelling slips: ${slips.join(', ')})`;
}

function agrees(level: WordsLevel): boolean {
  return level === 'exact' || level === 'similar' || level === 'partial';
}

interface NameEvidence {
  weight: number;
  givenDifferent: boolean;
}

function compareNames(
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights,
  explain: Explain,
): NameEvidence {
  const pa = a.person;
  const pb = b.person;
  const givenA = explain === undefined ? '' : [pa.givenNames, pa.otherNames].filter(Boolean).join(' ');
  const givenB = explain === undefined ? '' : [pb.givenNames, pb.otherNames].filter(Boolean).join(' ');

  // Straight: surname with surname, given names with given names.
  let surnameLevel: 'exact' | 'similar' | 'different' | 'missing';
  let surnameSimilarity = 0;
  if (a.surnameRun === '' || b.surnameRun === '') {
    surnameLevel = 'missing';
  } else {
    surnameSimilarity = nameSimilarity(a.surnameRun, b.surnameRun);
    surnameLevel =
      surnameSimilarity === 1 ? 'exact' : surnameSimilarity >= SIMILAR_NAME ? 'similar' : 'different';
  }
  const given = compareWords(a.given, b.given, a.givenRun, b.givenRun);
  const surnameWeight = surnameLevel === 'missing' ? 0 : weights.surname[surnameLevel];
  const givenWeight = given.level === 'missing' ? 0 : weights.givenNames[given.level];
  const straight = surnameWeight + givenWeight;

  // Swapped: this surname against the other given names and the other way round, only worth checking when
  // the straight comparison is not already convincing.
  if (given.level !== 'exact' || surnameLevel !== 'exact') {
    const first = compareWords(a.surname, b.given, a.surnameRun, b.givenRun);
    const second = compareWords(a.given, b.surname, a.givenRun, b.surnameRun);
    if (agrees(first.level) && agrees(second.level)) {
      const allExact = first.level === 'exact' && second.level === 'exact';
      const swapped = allExact ? weights.swapped.exact : weights.swapped.similar;
      if (swapped > straight) {
        if (explain !== undefined) {
          explain.push({
            field: 'names',
            agreement: 'swapped',
            weight: swapped,
            detail:
              `Given names and surname exchanged: ${quote(givenA)} ${quote(pa.surname)} / ` +
              `${quote(givenB)} ${quote(pb.surname)}${slipDetail([...first.pairs, ...second.pairs])}`,
          });
        }
        return { weight: swapped, givenDifferent: false };
      }
    }
  }

  if (explain !== undefined) {
    const surnameDetail: Record<typeof surnameLevel, string> = {
      exact: sameSpelling(pa.surname, pb.surname),
      similar: `${both(pa.surname, pb.surname)}: close spelling (similarity ${surnameSimilarity.toFixed(2)})`,
      different: `${both(pa.surname, pb.surname)}: different surnames`,
      missing: 'surname missing on one record',
    };
    explain.push({
      field: 'surname',
      agreement: surnameLevel,
      weight: surnameWeight,
      detail: surnameDetail[surnameLevel],
    });
    const givenDetail: Record<WordsLevel, string> = {
      exact: sameSpelling(givenA, givenB),
      similar: `${both(givenA, givenB)}: the same names with spelling slips${slipDetail(given.pairs)}`,
      partial: `${both(givenA, givenB)}: every name on one record is on the other, which has more${slipDetail(given.pairs)}`,
      conflict: `${both(givenA, givenB)}: some names agree, others differ on both records`,
      different: `${both(givenA, givenB)}: no given name in common`,
      missing: 'given names missing on one record',
    };
    explain.push({
      field: 'givenNames',
      agreement: given.level,
      weight: givenWeight,
      detail: givenDetail[given.level],
    });
  }
  return { weight: straight, givenDifferent: given.level === 'different' };
}

function isoDate(p: PreparedPerson): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return p.month === 0
    ? String(p.year)
    : p.day === 0
      ? `${p.year}-${pad(p.month)}`
      : `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

function compareBirth(a: PreparedPerson, b: PreparedPerson, weights: MatchWeights, explain: Explain): number {
  const w = weights.birth;
  const yearGap = Math.abs(a.year - b.year);
  let agreement: MatchAgreement;
  let weight: number;
  let detail: string;
  if (yearGap >= 2) {
    [agreement, weight, detail] = ['different', w.farApart, `years ${yearGap} apart`];
  } else if (a.day !== 0 && b.day !== 0) {
    const sameDayMonth = a.month === b.month && a.day === b.day;
    if (yearGap === 0 && sameDayMonth) {
      [agreement, weight, detail] = ['exact', w.exact, 'the same day'];
    } else if (sameDayMonth) {
      [agreement, weight, detail] = [
        'off-by-one-year',
        w.offByOneYear,
        'same day and month, year differs by one',
      ];
    } else if (yearGap === 0 && a.month === b.day && a.day === b.month) {
      [agreement, weight, detail] = ['swapped', w.dayMonthSwapped, 'day and month exchanged'];
    } else if (yearGap === 0 && a.month === b.month) {
      [agreement, weight, detail] = ['same-month', w.sameMonthOtherDay, 'same month, different day'];
    } else if (yearGap === 0) {
      [agreement, weight, detail] = ['different', w.otherMonth, 'same year, different month'];
    } else {
      [agreement, weight, detail] = ['different', w.different, 'different dates in neighbouring years'];
    }
  } else if (a.month !== 0 && b.month !== 0) {
    if (a.month === b.month) {
      [agreement, weight, detail] =
        yearGap === 0
          ? ['same-month', w.compatibleMonth, 'same month; the day is known on at most one record']
          : [
              'off-by-one-year',
              w.offByOneYearSameMonth,
              'same month, year differs by one; day not known on both',
            ];
    } else {
      [agreement, weight, detail] =
        yearGap === 0
          ? ['different', w.otherMonth, 'same year, different month']
          : ['different', w.different, 'different months in neighbouring years'];
    }
  } else if (yearGap === 0) {
    [agreement, weight, detail] = [
      'same-year',
      w.compatibleYear,
      'same year; only the year is known on one record',
    ];
  } else {
    [agreement, weight, detail] = [
      'off-by-one-year',
      w.offByOneYearImprecise,
      'year differs by one; only the year is known on one record',
    ];
  }
  explain?.push({
    field: 'birth',
    agreement,
    weight,
    detail: `Born ${isoDate(a)} / ${isoDate(b)}: ${detail}`,
  });
  return weight;
}

function compareSimple(
  field: string,
  a: string | undefined,
  b: string | undefined,
  weights: { same: number; different: number },
  explain: Explain,
): number {
  if (a === undefined || b === undefined || a === '' || b === '') {
    explain?.push({ field, agreement: 'missing', weight: 0, detail: 'not recorded on both records' });
    return 0;
  }
  const same = a === b;
  const weight = same ? weights.same : weights.different;
  explain?.push({
    field,
    agreement: same ? 'exact' : 'different',
    weight,
    detail: same ? `both ${a}` : `${a} / ${b}`,
  });
  return weight;
}

function compareVillage(
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights,
  explain: Explain,
): number {
  const w = weights.birthVillage;
  const va = a.person.birthVillage;
  const vb = b.person.birthVillage;
  if (a.village === '' || b.village === '') {
    explain?.push({
      field: 'birthVillage',
      agreement: 'missing',
      weight: 0,
      detail: 'not recorded on both records',
    });
    return 0;
  }
  if (a.village === b.village) {
    explain?.push({
      field: 'birthVillage',
      agreement: 'exact',
      weight: w.same,
      detail: sameSpelling(va, vb),
    });
    return w.same;
  }
  const similar = nameSimilarity(a.village, b.village) >= SIMILAR_NAME;
  const weight = similar ? w.similar : w.different;
  explain?.push({
    field: 'birthVillage',
    agreement: similar ? 'similar' : 'different',
    weight,
    detail: `${both(va, vb)}${similar ? ': close spelling' : ''}`,
  });
  return weight;
}

function compareParent(
  field: 'fatherName' | 'motherName',
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights,
  explain: Explain,
): number {
  const comparison =
    field === 'fatherName'
      ? compareWords(a.father, b.father, a.fatherRun, b.fatherRun)
      : compareWords(a.mother, b.mother, a.motherRun, b.motherRun);
  let agreement: MatchAgreement = comparison.level;
  let weight: number;
  switch (comparison.level) {
    case 'missing':
      weight = 0;
      break;
    case 'conflict':
      // For a mother, one record may give her own name and the other her 'Ma-name (the mother of her first
      // child), so a shared surname alone is weak evidence against; for a father it means another father.
      if (field === 'motherName' && a.motherMaName !== b.motherMaName) {
        weight = weights.motherName.conflict;
      } else {
        agreement = 'different';
        weight = weights[field].different;
      }
      break;
    default:
      weight = weights[field][comparison.level];
  }
  if (explain !== undefined) {
    const textA = a.person[field];
    const textB = b.person[field];
    const details: Record<WordsLevel, string> = {
      missing: 'not recorded on both records',
      exact: sameSpelling(textA, textB),
      similar: `${both(textA, textB)}: close spelling${slipDetail(comparison.pairs)}`,
      partial: `${both(textA, textB)}: one record gives fewer names`,
      conflict:
        agreement === 'conflict'
          ? `${both(textA, textB)}: only some names agree (perhaps her own name on one record, her 'Ma-name on the other)`
          : `${both(textA, textB)}: only some names agree`,
      different: `${both(textA, textB)}: different names`,
    };
    explain.push({ field, agreement, weight, detail: details[comparison.level] });
  }
  return weight;
}

function toScore(total: number, weights: MatchWeights): number {
  return 1 / (1 + 2 ** (-(total - weights.pivot) / weights.scale));
}

function evaluate(a: PreparedPerson, b: PreparedPerson, weights: MatchWeights, explain: Explain): number {
  const names = compareNames(a, b, weights, explain);
  const personal = names.weight + compareBirth(a, b, weights, explain);
  if (names.givenDifferent && explain === undefined) {
    // Same value as below, without comparing the fields that are not counted.
    return Math.min(weights.givenNamesDifferentCap, personal);
  }
  const pa = a.person;
  const pb = b.person;
  let total = personal;
  total += compareSimple('sex', pa.sex, pb.sex, weights.sex, explain);
  total += compareSimple('birthDistrict', pa.birthDistrict, pb.birthDistrict, weights.birthDistrict, explain);
  let family = compareVillage(a, b, weights, explain);
  family += compareParent('fatherName', a, b, weights, explain);
  family += compareParent('motherName', a, b, weights, explain);
  if (family > weights.familyCap) {
    explain?.push({
      field: 'family',
      agreement: 'capped',
      weight: weights.familyCap - family,
      detail:
        `Village and parents agree: that shows the same family, which siblings share too, so together they ` +
        `count at most ${weights.familyCap} bits`,
    });
    family = weights.familyCap;
  }
  total += family;
  total += compareSimple('phone', a.phone, b.phone, weights.phone, explain);
  if (names.givenDifferent) {
    // Siblings and twins share surname, parents, village, phone and even a birthday: when no given name is
    // shared, only names and date of birth count, and the total stays below the review threshold.
    const capped = Math.min(weights.givenNamesDifferentCap, personal);
    explain?.push({
      field: 'names',
      agreement: 'capped',
      weight: capped - total,
      detail:
        'No given name in common: the supporting fields above do not count (agreeing surname, parents, village ' +
        `or phone point to a relative such as a sibling or twin), and the total is capped at ${weights.givenNamesDifferentCap} bits`,
    });
    total = capped;
  }
  return total;
}

/** The total evidence in bits, without reasons: the fast path for bulk scoring. */
export function matchEvidence(
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights = DEFAULT_MATCH_WEIGHTS,
): number {
  return evaluate(a, b, weights, undefined);
}

/** Score only, for bulk scoring of prepared people; same value as scorePrepared(a, b).score. */
export function scoreOnly(
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights = DEFAULT_MATCH_WEIGHTS,
): number {
  return toScore(evaluate(a, b, weights, undefined), weights);
}

export function scorePrepared(
  a: PreparedPerson,
  b: PreparedPerson,
  weights: MatchWeights = DEFAULT_MATCH_WEIGHTS,
): MatchResult {
  const reasons: MatchReason[] = [];
  const total = evaluate(a, b, weights, reasons);
  return { score: toScore(total, weights), reasons };
}

/**
 * Scores a (new record, candidate) pair: a score in 0..1 and the reasons, one per field compared (fields
 * missing on either record appear with weight 0), in a fixed order.
 */
export function scorePair(
  a: MatchPerson,
  b: MatchPerson,
  weights: MatchWeights = DEFAULT_MATCH_WEIGHTS,
): MatchResult {
  return scorePrepared(preparePerson(a), preparePerson(b), weights);
}
