/**
 * String similarity for normalised names: Jaro–Winkler, optimal string alignment distance (Damerau–
 * Levenshtein without repeated edits of one substring), and a typo-tolerant name similarity built on both.
 * Every function here is symmetric in its two arguments.
 */

/** Jaro–Winkler similarity in 0..1 (prefix scale 0.1, at most four prefix characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) {
    return 1;
  }
  // Order the arguments so that the result cannot depend on which string came first.
  const [s, t] = a <= b ? [a, b] : [b, a];
  const sLength = s.length;
  const tLength = t.length;
  if (sLength === 0 || tLength === 0) {
    return 0;
  }
  const window = Math.max(0, Math.floor(Math.max(sLength, tLength) / 2) - 1);
  const sMatched = new Uint8Array(sLength);
  const tMatched = new Uint8Array(tLength);
  let matches = 0;
  for (let i = 0; i < sLength; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(tLength - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (tMatched[j] === 0 && s.charCodeAt(i) === t.charCodeAt(j)) {
        sMatched[i] = 1;
        tMatched[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) {
    return 0;
  }
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < sLength; i++) {
    if (sMatched[i] === 1) {
      while (tMatched[k] === 0) {
        k++;
      }
      if (s.charCodeAt(i) !== t.charCodeAt(k)) {
        halfTranspositions++;
      }
      k++;
    }
  }
  const jaro = (matches / sLength + matches / tLength + (matches - halfTranspositions / 2) / matches) / 3;
  let prefix = 0;
  const maxPrefix = Math.min(4, sLength, tLength);
  while (prefix < maxPrefix && s.charCodeAt(prefix) === t.charCodeAt(prefix)) {
    prefix++;
  }
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions
 * each cost 1. Returns `limit + 1` as soon as the distance is known to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) {
    return 0;
  }
  const aLength = a.length;
  const bLength = b.length;
  if (Math.abs(aLength - bLength) > limit) {
    return limit + 1;
  }
  if (aLength === 0 || bLength === 0) {
    return Math.max(aLength, bLength);
  }
  let previous2 = new Array<number>(bLength + 1).fill(0);
  let previous = Array.from({ length: bLength + 1 }, (_, j) => j);
  let current = new Array<number>(bLength + 1).fill(0);
  for (let i = 1; i <= aLength; i++) {
    current[0] = i;
    let rowMinimum = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= bLength; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        value = Math.min(value, (previous2[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) {
      return limit + 1;
    }
    [previous2, previous, current] = [previous, current, previous2];
  }
  return previous[bLength] ?? 0;
}

/** Similarity at or above which two name words count as the same name with a spelling slip. */
export const SIMILAR_NAME = 0.9;

// Similarity given to one slip (an edit distance of 1) between words of at least 3 letters, and to two
// slips between words of at least 7 letters: Jaro–Winkler alone punishes a slip in a short name far more
// than a registrar would (THABO/TABO 0.87, NEO/NEP 0.82).
const ONE_SLIP = 0.93;
const TWO_SLIPS = 0.9;

const CACHE_LIMIT = 1_000_000;
// Two levels keyed by the words themselves: no key string is built per lookup, and the words come from
// prepared people, so V8 has already hashed them.
const cache = new Map<string, Map<string, number>>();
let cached = 0;

function computeSimilarity(a: string, b: string): number {
  const jw = jaroWinkler(a, b);
  const shorter = Math.min(a.length, b.length);
  if (jw >= ONE_SLIP || shorter < 3) {
    return jw;
  }
  const distance = editDistance(a, b, 2);
  if (distance === 1) {
    return ONE_SLIP;
  }
  if (distance === 2 && shorter >= 7) {
    return Math.max(jw, TWO_SLIPS);
  }
  return jw;
}

/**
 * Typo-tolerant similarity of two normalised name words (or whole names) in 0..1: 1 when equal, otherwise
 * the larger of Jaro–Winkler and a slip-count score. Results are memoised, since names repeat a lot.
 */
export function nameSimilarity(a: string, b: string): number {
  if (a === b) {
    return 1;
  }
  if (a.length === 0 || b.length === 0) {
    return 0;
  }
  const [first, second] = a < b ? [a, b] : [b, a];
  let inner = cache.get(first);
  if (inner === undefined) {
    inner = new Map();
    cache.set(first, inner);
  }
  const known = inner.get(second);
  if (known !== undefined) {
    return known;
  }
  const similarity = computeSimilarity(first, second);
  if (cached >= CACHE_LIMIT) {
    cache.clear();
    cached = 0;
    inner = new Map();
    cache.set(first, inner);
  }
  inner.set(second, similarity);
  cached++;
  return similarity;
}
