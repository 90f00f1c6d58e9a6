import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  maskPhone,
  newNumericCode,
  newRecoveryCode,
  normalizeNumericCode,
  normalizeRecoveryCode,
  RECOVERY_ALPHABET,
} from './codes.js';

describe('numeric codes', () => {
  it('are always six digits', () => {
    for (let i = 0; i < 2000; i += 1) expect(newNumericCode()).toMatch(/^\d{6}$/);
  });

  it('cover the whole range, leading zeros included (a rough uniformity check)', () => {
    const firstDigits = new Map<string, number>();
    for (let i = 0; i < 10_000; i += 1) {
      const d = newNumericCode()[0] as string;
      firstDigits.set(d, (firstDigits.get(d) ?? 0) + 1);
    }
    expect(firstDigits.size).toBe(10);
    for (const n of firstDigits.values()) expect(n).toBeGreaterThan(800);
  });

  it('normalise what people type and refuse everything else', () => {
    expect(normalizeNumericCode(' 123 456 ')).toBe('123456');
    expect(normalizeNumericCode('123-456')).toBe('123456');
    for (const bad of ['12345', '1234567', '12345a', '１２３４５６', ''])
      expect(normalizeNumericCode(bad)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const code = normalizeNumericCode(text);
        if (code !== undefined) expect(code).toMatch(/^\d{6}$/);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), (code) => {
        expect(normalizeNumericCode(code)).toBe(code);
      }),
    );
  });
});

describe('recovery codes', () => {
  it('look like XXXXX-XXXXX in Crockford base32 and are unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const code = newRecoveryCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(1000);
  });

  it('accept the code as typed: lower case, spaces, I/L for 1 and O for 0', () => {
    expect(normalizeRecoveryCode('abcde-fghjk')).toBe('ABCDEFGHJK');
    expect(normalizeRecoveryCode(' 0O1IL 22222 ')).toBe('0011122222');
    expect(normalizeRecoveryCode('ABCDE-FGHJ')).toBeUndefined();
    expect(normalizeRecoveryCode('ABCDE-FGHJU')).toBeUndefined();
    fc.assert(
      fc.property(fc.constant(null), () => {
        const code = newRecoveryCode();
        expect(normalizeRecoveryCode(code.toLowerCase())).toBe(code.replace('-', ''));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const code = normalizeRecoveryCode(text);
        if (code !== undefined) expect([...code].every((c) => RECOVERY_ALPHABET.includes(c))).toBe(true);
      }),
    );
  });
});

describe('helpers', () => {
  it('compares strings exactly', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });

  it('masks phone numbers, keeping the last two digits', () => {
    expect(maskPhone('+26658123456')).toBe('+266 •••• ••56');
    expect(maskPhone('+447700900123')).toBe('+44••••••••23');
  });
});
