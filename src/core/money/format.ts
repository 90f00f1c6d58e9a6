import { type Lisente, lisente } from './money.js';

export type MoneyLocale = 'en' | 'st';

interface MoneyNotation {
  readonly symbol: string;
  readonly group: string;
  readonly decimal: string;
}

// Sesotho in Lesotho writes amounts exactly as English does. Both locales are listed explicitly, rather than
// relying on Intl, because ICU has no 'st' data and Node builds with small-icu would silently fall back.
const NOTATION: Record<MoneyLocale, MoneyNotation> = {
  en: { symbol: 'M', group: ',', decimal: '.' },
  st: { symbol: 'M', group: ',', decimal: '.' },
};

/** Formats lisente as maloti for display, e.g. 123450 → "M 1,234.50" and -123450 → "-M 1,234.50". */
export function formatMoney(amount: Lisente, locale: MoneyLocale = 'en'): string {
  const { symbol, group, decimal } = NOTATION[locale];
  const digits = String(Math.abs(lisente(amount))).padStart(3, '0');
  const maloti = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, group);
  const sign = amount < 0 ? '-' : '';
  return `${sign}${symbol} ${maloti}${decimal}${digits.slice(-2)}`;
}

// Longer input cannot be a valid amount (the extreme, "-LSL 90,071,992,547,409.91", is 26 characters);
// capping it keeps hostile input away from the regex and BigInt conversion.
const MAX_INPUT_LENGTH = 64;

// Optional minus, optional currency (M or LSL, any case, space optional), then maloti either ungrouped or
// grouped in threes with commas, then at most two decimals. Anchored and free of nested quantifiers.
const AMOUNT = /^(-?)\s*(?:(?:M|LSL)\s*)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/i;

/**
 * Parses an amount of maloti as typed by a person or produced by {@link formatMoney}, returning lisente.
 * Accepts "1234.5", "1,234.50", "M 1,234.50", "M1234", "LSL 12.00" and a leading minus.
 * Throws RangeError("Invalid amount") for anything else, including more than two decimals and amounts
 * beyond the safe integer range, which are rejected rather than rounded.
 */
export function parseMoney(text: string): Lisente {
  const trimmed = text.trim();
  const match = trimmed.length <= MAX_INPUT_LENGTH ? AMOUNT.exec(trimmed) : null;
  if (match === null) {
    throw new RangeError('Invalid amount');
  }
  const [, sign = '', maloti = '', fraction = ''] = match;
  const magnitude = BigInt(maloti.replaceAll(',', '')) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError('Invalid amount');
  }
  const value = Number(magnitude);
  return lisente(sign === '-' ? -value : value);
}
