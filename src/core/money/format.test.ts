import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, type Lisente, lisente, parseMoney } from './index.js';

describe('formatMoney', () => {
  it.each([
    [0, 'M 0.00'],
    [5, 'M 0.05'],
    [50, 'M 0.50'],
    [100, 'M 1.00'],
    [123450, 'M 1,234.50'],
    [100000000, 'M 1,000,000.00'],
    [-123450, '-M 1,234.50'],
    [-5, '-M 0.05'],
    [Number.MAX_SAFE_INTEGER, 'M 90,071,992,547,409.91'],
    [Number.MIN_SAFE_INTEGER, '-M 90,071,992,547,409.91'],
  ])('formats %i lisente as %s', (amount, expected) => {
    expect(formatMoney(lisente(amount))).toBe(expected);
  });

  it('uses the same notation in Sesotho', () => {
    expect(formatMoney(lisente(123450), 'st')).toBe('M 1,234.50');
    expect(formatMoney(lisente(-123450), 'st')).toBe('-M 1,234.50');
  });

  it('rejects amounts that are not lisente', () => {
    expect(() => formatMoney(12.5 as Lisente)).toThrow(RangeError);
  });
});

describe('parseMoney', () => {
  it.each([
    ['1234.5', 123450],
    ['1,234.50', 123450],
    ['M 1,234.50', 123450],
    ['M1234', 123400],
    ['LSL 12.00', 1200],
    ['lsl12', 1200],
    ['m 0.05', 5],
    ['0', 0],
    ['007.1', 710],
    ['  M 1,000,000.00  ', 100000000],
    ['-M 1,234.50', -123450],
    ['-1234.5', -123450],
    ['-0.00', 0],
    ['M 90,071,992,547,409.91', Number.MAX_SAFE_INTEGER],
    ['-M 90,071,992,547,409.91', Number.MIN_SAFE_INTEGER],
  ])('parses %j as %i lisente', (text, expected) => {
    expect(parseMoney(text)).toBe(expected);
  });

  it('never returns negative zero', () => {
    expect(Object.is(parseMoney('-0'), 0)).toBe(true);
  });

  it.each([
    '',
    '   ',
    'M',
    '1.234',
    '12.345',
    '1.2.3',
    '12abc',
    'abc',
    '1e5',
    '0x10',
    '1,23',
    '1234,567',
    '12,34.00',
    ',123',
    '.5',
    '5.',
    '+5',
    '--5',
    'M -5',
    'USD 5',
    'R 5',
    '5 M',
    '1 234',
    'Infinity',
    'NaN',
    '١٢٣',
    'M 90,071,992,547,409.92',
    '99999999999999999999',
    `1${'0'.repeat(100)}`,
  ])('rejects %j', (text) => {
    expect(() => parseMoney(text)).toThrow(new RangeError('Invalid amount'));
  });

  it('round-trips every formatted amount in both locales', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('en' as const, 'st' as const), (amount, locale) => {
        expect(parseMoney(formatMoney(lisente(amount), locale))).toBe(amount);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads plain decimal notation exactly', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (amount) => {
        const text = `${Math.trunc(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
        expect(parseMoney(text)).toBe(amount);
      }),
    );
  });
});
