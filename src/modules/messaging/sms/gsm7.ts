/**
 * GSM 03.38 (GSM-7) text for SMS: which characters a phone shows without switching the whole
 * message to UCS-2, a lossy fallback that keeps Sesotho readable (š → s, ’ → '), and how many
 * segments a text costs. A GSM-7 message holds 160 septets (153 per part when concatenated); a
 * UCS-2 one 70 UTF-16 units (67 per part). Characters of the extension table (€ [ ] { } ^ ~ | \)
 * take two septets, and neither an escape pair nor a surrogate pair is ever split across parts.
 */

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Reached through the escape character: two septets each. Form feed is left out on purpose. */
const EXTENSION = '^{}\\[~]|€';

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export function isGsm7Char(char: string): boolean {
  return basic.has(char) || extension.has(char);
}

/** True when every character of the text can be sent in GSM-7. */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!isGsm7Char(char)) return false;
  return true;
}

/** Replacements tried before accents are stripped: punctuation that word processors produce. */
const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u02bc': "'",
  '`': "'",
  '\u00b4': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u2022': '*',
  '\u00b7': '.',
  '\t': ' ',
  '\f': ' ',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u3000': ' ',
  '\u00ad': '',
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': '',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ı: 'i',
  œ: 'oe',
  Œ: 'OE',
  ĸ: 'k',
  ŋ: 'n',
  Ŋ: 'N',
};

const COMBINING = /\p{M}/gu;
const SPACES = /[\u2000-\u200a]/u;

function fallback(char: string): string {
  if (isGsm7Char(char)) return char;
  const replaced = REPLACEMENTS[char];
  if (replaced !== undefined) return replaced;
  if (SPACES.test(char)) return ' ';
  // š → s, ê → e, Ō → O, ﬁ → fi: the base letters are almost always in the basic set.
  const stripped = char.normalize('NFKD').replace(COMBINING, '');
  if (stripped.length > 0 && isGsm7(stripped)) return stripped;
  // A lone combining mark (text that arrived decomposed) simply goes.
  if (stripped.length === 0) return '';
  return '?';
}

/**
 * The text made sendable in GSM-7: letters keep their base form (š → s), typographic punctuation
 * becomes plain, anything else becomes "?". Text that is already GSM-7 comes back unchanged, so
 * the function is idempotent.
 */
export function toGsm7(text: string): string {
  if (isGsm7(text)) return text;
  let out = '';
  for (const char of text.normalize('NFC')) out += fallback(char);
  return out;
}

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
};

/** How the text would be sent and how many SMS segments it costs (at least one). */
export function countSegments(text: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const sizes: number[] = [];
  for (const char of text) sizes.push(encoding === 'gsm7' ? (extension.has(char) ? 2 : 1) : char.length);
  const units = sizes.reduce((a, b) => a + b, 0);
  const limit = LIMITS[encoding];
  if (units <= limit.single) return { encoding, units, segments: 1 };
  // Concatenated: fill each part up to its limit without splitting a character's units.
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > limit.part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, units, segments };
}

/**
 * The text to send: its GSM-7 fallback (š → s) unless that costs more segments than the text
 * as it is in UCS-2 — possible when many characters expand ("…" → "..."). People then get the
 * exact text at no extra cost.
 */
export function smsText(text: string): { text: string; segments: number } {
  const fallback = toGsm7(text);
  const cheap = countSegments(fallback).segments;
  const exact = countSegments(text).segments;
  return cheap <= exact ? { text: fallback, segments: cheap } : { text, segments: exact };
}
