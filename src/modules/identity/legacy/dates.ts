import type { BirthDate } from '../person.js';

/**
 * Date formats as a mapping names them: YYYY (four-digit year), YY (two-digit year, read with a
 * century pivot), MMM (English month name or its three-letter abbreviation, any case), MM / DD
 * (exactly two digits), M / D (one or two digits); any other character stands for itself, and a
 * space matches any run of spaces. A format without a day (YYYY-MM) or without a month (YYYY)
 * gives a date of that precision, as the register keeps it.
 */
export interface DateFormat {
  readonly source: string;
  readonly precision: 'day' | 'month' | 'year';
  readonly twoDigitYear: boolean;
  readonly regex: RegExp;
  readonly parts: readonly Part[];
  readonly tokens: readonly (Part | { literal: string })[];
}

type Part = 'YYYY' | 'YY' | 'MMM' | 'MM' | 'M' | 'DD' | 'D';

// Longest first, so "YYYY" is not read as two "YY" and "MMM" not as "MM" + "M".
const TOKENS: readonly Part[] = ['YYYY', 'YY', 'MMM', 'MM', 'M', 'DD', 'D'];

const PATTERN: Record<Part, string> = {
  YYYY: '(\\d{4})',
  YY: '(\\d{2})',
  MMM: '(\\p{L}{3,9})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
};

export const MONTH_ABBREVIATIONS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTHS = new Map<string, number>([
  ...MONTH_ABBREVIATIONS.map((m, i) => [m.toLowerCase(), i + 1] as const),
  ...MONTH_NAMES.map((m, i) => [m, i + 1] as const),
  ['sept', 9],
]);

export class DateFormatError extends Error {}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Compiles a format such as "DD/MM/YYYY" or "D-MMM-YY"; throws DateFormatError saying what is wrong. */
export function compileDateFormat(source: string): DateFormat {
  const tokens: (Part | { literal: string })[] = [];
  let i = 0;
  while (i < source.length) {
    const token = TOKENS.find((t) => source.startsWith(t, i));
    if (token) {
      tokens.push(token);
      i += token.length;
      continue;
    }
    const char = source[i] as string;
    if (/\p{L}|\d/u.test(char)) {
      throw new DateFormatError(
        `"${source}": "${char}" is not a date part (use YYYY, YY, MMM, MM, M, DD, D and separators)`,
      );
    }
    const last = tokens[tokens.length - 1];
    if (last && typeof last !== 'string') last.literal += char;
    else tokens.push({ literal: char });
    i += 1;
  }
  const parts = tokens.filter((t): t is Part => typeof t === 'string');
  const count = (names: Part[]) => parts.filter((p) => names.includes(p)).length;
  if (count(['YYYY', 'YY']) !== 1)
    throw new DateFormatError(`"${source}": needs exactly one year (YYYY or YY)`);
  if (count(['MMM', 'MM', 'M']) > 1) throw new DateFormatError(`"${source}": has more than one month`);
  if (count(['DD', 'D']) > 1) throw new DateFormatError(`"${source}": has more than one day`);
  const hasMonth = count(['MMM', 'MM', 'M']) === 1;
  const hasDay = count(['DD', 'D']) === 1;
  if (hasDay && !hasMonth) throw new DateFormatError(`"${source}": has a day but no month`);
  const body = tokens
    .map((t) => (typeof t === 'string' ? PATTERN[t] : escapeRegExp(t.literal).replace(/ +/g, '\\s+')))
    .join('');
  return {
    source,
    precision: hasDay ? 'day' : hasMonth ? 'month' : 'year',
    twoDigitYear: parts.includes('YY'),
    regex: new RegExp(`^${body}$`, 'iu'),
    parts,
    tokens,
  };
}

export type LegacyDateParse =
  | { ok: true; date: BirthDate; format: DateFormat }
  | { ok: false; reason: 'format' | 'impossible' };

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A two-digit year at or below the pivot is 20YY, above it 19YY (pivot 26: 26 → 2026, 27 → 1927). */
export function fullYear(twoDigits: number, pivot: number): number {
  return twoDigits <= pivot ? 2000 + twoDigits : 1900 + twoDigits;
}

function parseWith(text: string, format: DateFormat, pivot: number): LegacyDateParse {
  const match = format.regex.exec(text);
  if (!match) return { ok: false, reason: 'format' };
  let year = 0;
  let month: number | undefined;
  let day: number | undefined;
  for (const [i, part] of format.parts.entries()) {
    const value = match[i + 1] as string;
    if (part === 'YYYY') year = Number(value);
    else if (part === 'YY') year = fullYear(Number(value), pivot);
    else if (part === 'MMM') {
      month = MONTHS.get(value.toLowerCase());
      if (month === undefined) return { ok: false, reason: 'format' };
    } else if (part === 'MM' || part === 'M') month = Number(value);
    else day = Number(value);
  }
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, reason: 'impossible' };
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month as number))) {
    return { ok: false, reason: 'impossible' };
  }
  return {
    ok: true,
    date: { year, ...(month !== undefined ? { month } : {}), ...(day !== undefined ? { day } : {}) },
    format,
  };
}

/**
 * Reads a date written in any of `formats`, tried in order; the first that reads it wins. A text
 * that has the shape of a format but names no real day (31/02/1990, 1990-13) is 'impossible';
 * one that has the shape of none is 'format'.
 */
export function parseLegacyDate(
  text: string,
  formats: readonly DateFormat[],
  pivot: number,
): LegacyDateParse {
  const trimmed = text.trim();
  let impossible = false;
  for (const format of formats) {
    const parsed = parseWith(trimmed, format, pivot);
    if (parsed.ok) return parsed;
    if (parsed.reason === 'impossible') impossible = true;
  }
  return { ok: false, reason: impossible ? 'impossible' : 'format' };
}

/** Writes a date in a format: the inverse of parseLegacyDate, for tests and examples. */
export function formatLegacyDate(date: BirthDate, format: DateFormat): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return format.tokens
    .map((t) => {
      switch (t) {
        case 'YYYY':
          return pad(date.year, 4);
        case 'YY':
          return pad(date.year % 100, 2);
        case 'MMM':
          return MONTH_ABBREVIATIONS[(date.month ?? 1) - 1];
        case 'MM':
          return pad(date.month ?? 1, 2);
        case 'M':
          return String(date.month ?? 1);
        case 'DD':
          return pad(date.day ?? 1, 2);
        case 'D':
          return String(date.day ?? 1);
        default:
          return t.literal;
      }
    })
    .join('');
}

/** The ISO form of a day-precise date, for comparisons: "1985-03-07". */
export function isoOf(date: BirthDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month ?? 1, 2)}-${pad(date.day ?? 1, 2)}`;
}
