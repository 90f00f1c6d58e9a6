/**
 * Sesotho-aware normalisation of personal names, for comparison only: never store or display the result.
 *
 * Steps, in order:
 * 1. Upper-case, then strip diacritics (compatibility decomposition, NFKD, and drop combining marks):
 *    Tšepo → TSEPO, Matšela → MATSELA; full-width and other compatibility letters become plain ones.
 * 2. Apostrophe variants ' ’ ‘ ` ´ ʼ ʻ ′ ‛ are removed: Mots'elisi, Mots’elisi, Motselisi → MOTSELISI;
 *    'Mathabo → MATHABO. A married woman's 'Ma prefix written apart ('Ma Rethabile, 'Ma-Rethabile,
 *    Ma-Rethabile) is first joined to the name it prefixes, as in 'MaRethabile.
 * 3. Hyphens and dashes become spaces; any other character that is not a letter becomes a space; runs of
 *    spaces collapse and the ends are trimmed.
 * 4. Spelling differences between Lesotho and South African Sesotho orthography are folded to the Lesotho
 *    form, so that both spellings of one name compare equal. See ORTHOGRAPHY_RULES for each rule and its risk.
 *
 * The result is idempotent: normaliseName(normaliseName(x)) === normaliseName(x).
 */

const APOSTROPHES = /['’‘`´ʼʻ′‛]/g;
const DASHES = /[-‐‑‒–—―−]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const NOT_LETTER_OR_SPACE = /[^\p{L}\s]+/gu;
const SPACES = /\s+/g;

// "'MA RETHABILE" / "'MA-RETHABILE" → "'MARETHABILE"; also "MA-RETHABILE" (a hyphen after a bare Ma is the
// same prefix, whereas a bare "MA " could be a name of its own and is left alone).
const SEPARATED_MA_WITH_APOSTROPHE = /(^|\s)'MA[\s\-‐‑‒–—―−]+(?=\p{L})/gu;
const HYPHENATED_MA = /(^|\s)MA[-‐‑‒–—―−]+(?=\p{L})/gu;

export interface OrthographyRule {
  /** Short name used in documentation and tests. */
  readonly name: string;
  readonly pattern: RegExp;
  readonly replacement: string;
  /** South African spelling → Lesotho spelling it stands for. */
  readonly example: string;
  /** What could go wrong: distinct names that the rule makes equal. */
  readonly risk: string;
}

/**
 * Folds of South African Sesotho spelling into Lesotho spelling (source: the ORTH rules in
 * shared/reference/sesotho-glossary.md: tsh→tš, tjh→ch, kg→kh, di/du→li/lu, y→e, w→o), plus the 'Ma/Mma
 * prefix. They run on upper-case text without diacritics or apostrophes, repeated until nothing changes.
 * Every rule only ever makes two spellings equal; it never separates names that were equal before, so the
 * only risk is that two genuinely different names compare equal, and the scorer then relies on the other
 * fields (date of birth, parents, village) to tell the people apart.
 */
export const ORTHOGRAPHY_RULES: readonly OrthographyRule[] = [
  {
    name: 'TSH→TS',
    pattern: /TSH/g,
    replacement: 'TS',
    example: 'Tshepo → Tšepo (TSEPO), Tshweu → Tšoeu',
    risk: 'Low: Lesotho spelling writes this sound tš, never tsh, so only foreign names (rare) are affected.',
  },
  {
    name: 'TJH→CH',
    pattern: /TJH/g,
    replacement: 'CH',
    example: 'Tjhabalala → Chabalala',
    risk: 'Low: tjh does not occur in Lesotho spelling.',
  },
  {
    name: 'KG→KH',
    pattern: /KG/g,
    replacement: 'KH',
    example: 'Kgotso → Khotso, Mokgothu → Mokhothu',
    risk: 'Low: kg does not occur in Lesotho spelling; Setswana names (Kgosi → KHOSI) are folded too.',
  },
  {
    name: 'DI/DU→LI/LU',
    pattern: /D(?=[IU])/g,
    replacement: 'L',
    example: 'Dineo → Lineo, Modise → Molise, Pudungwana → Pulungoana',
    risk:
      'Medium: in Sesotho d is only written before i and u, where Lesotho writes l, so this is safe for ' +
      'Sesotho names; English names change too (David → LAVID, Diana → LIANA) and could meet a real Liana.',
  },
  {
    name: 'W→O before a vowel',
    pattern: /W(?=[AEIOU])/g,
    replacement: 'O',
    example: 'Mokwena → Mokoena, Tshweu → Tšoeu, Mosiuwa → Mosiuoa',
    risk:
      'Low to medium: the semivowel w is written o in Lesotho spelling; English names change too ' +
      '(William → OILLIAM) but stay equal to themselves. w before a consonant or at the end is kept.',
  },
  {
    name: 'Y→E before a vowel, not after N',
    pattern: /(?<!N)Y(?=[AEIOU])/g,
    replacement: 'E',
    example: 'ya → ea (as in "E ya hlokahala" → "Ea hlokahala"), Moyeni → MOEENI on both sides',
    risk:
      'Medium, and little benefit: few names differ only by this. ny is a separate letter (Monyane, ' +
      'Lethunya), so y after n is never folded; y before a consonant or at the end (Mary) is kept.',
  },
  {
    name: "MM→M at the start of a word, before a vowel ('Ma = Mma)",
    pattern: /\bMM(?=[AEIOU])/g,
    replacement: 'M',
    example: "Mmathabo → 'Mathabo (MATHABO), Mmamosa → 'Mamosa",
    risk: "Low: a word-initial double m only ever writes the syllabic m that Lesotho spelling writes as 'M.",
  },
];

function foldOrthography(text: string): string {
  let current = text;
  // Each pass can only shorten the text or replace a letter with a vowel, so this terminates; in practice
  // a second pass is needed only for pathological input such as TSHH or WWA.
  for (;;) {
    let next = current;
    for (const rule of ORTHOGRAPHY_RULES) {
      next = next.replace(rule.pattern, rule.replacement);
    }
    if (next === current) {
      return next;
    }
    current = next;
  }
}

/**
 * Normalises a name (or several, separated by spaces) for comparison, e.g. "  Mots’elisi  'Ma-Lineo" →
 * "MOTSELISI MALINEO", "Tshepo" → "TSEPO", "Dineo Mokwena" → "LINEO MOKOENA".
 */
export function normaliseName(text: string): string {
  // Apostrophes before compatibility decomposition, which would turn ´ into a space and an accent, and
  // after it, which can produce one (ŉ → ʼn).
  const upper = text
    .replace(APOSTROPHES, "'")
    .normalize('NFKD')
    .toUpperCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(APOSTROPHES, "'");
  const joined = upper.replace(SEPARATED_MA_WITH_APOSTROPHE, "$1'MA").replace(HYPHENATED_MA, '$1MA');
  const cleaned = joined
    .replaceAll("'", '')
    .replace(DASHES, ' ')
    .replace(NOT_LETTER_OR_SPACE, ' ')
    .replace(SPACES, ' ')
    .trim();
  return foldOrthography(cleaned);
}

/** The normalised name split into words and sorted, for comparing names regardless of their order. */
export function nameTokens(fullName: string): string[] {
  const normalised = normaliseName(fullName);
  return normalised === '' ? [] : normalised.split(' ').sort();
}
