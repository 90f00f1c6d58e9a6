import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateUin, uinPolicy, validateUinInput, verhoeffCheckDigit } from './index.js';

const UIN = '2750451068';

describe('validateUinInput', () => {
  it.each([
    '2750451068',
    '  2750451068 ',
    '2750 4510 68',
    '275-045-1068',
    '27504 51068',
    '2750\u20134510\u201368',
    '2750\u22124510\u221268',
    '2750\t451068',
  ])('reads %j', (text) => {
    expect(validateUinInput(text)).toEqual({ ok: true, uin: UIN });
  });

  it.each([
    '',
    '   ',
    '275045106',
    '27504510688',
    '275045106a',
    'UIN 2750451068',
    '2750.451068',
    '+2750451068',
    '２７５０４５１０６８',
    '٢٧٥٠٤٥١٠٦٨',
    `2750451068${' '.repeat(60)}`,
  ])('calls %j a format error', (text) => {
    expect(validateUinInput(text)).toEqual({ ok: false, reason: 'format' });
  });

  it.each(['2750451069', '2750451086', '7250451068', '2705451068'])(
    'calls %s a check-digit error',
    (text) => {
      expect(validateUinInput(text)).toEqual({ ok: false, reason: 'check-digit' });
    },
  );

  it('does not apply the generation rules, so UINs from an earlier policy stay readable', () => {
    const old = `012345678${verhoeffCheckDigit('012345678')}`;
    expect(validateUinInput(old)).toEqual({ ok: true, uin: old });
  });

  it('takes the length from a policy', () => {
    const policy = uinPolicy({ length: 12 });
    const uin = generateUin(policy);
    expect(validateUinInput(uin, policy)).toEqual({ ok: true, uin });
    expect(validateUinInput(uin)).toEqual({ ok: false, reason: 'format' });
  });

  it('reads every generated UIN however it is spaced', () => {
    const separator = fc.constantFrom('', ' ', '-', '  ', ' - ', '\u2013');
    fc.assert(
      fc.property(fc.array(separator, { minLength: 11, maxLength: 11 }), (separators) => {
        const uin = generateUin();
        const typed =
          [...uin].map((digit, index) => `${separators[index]}${digit}`).join('') + separators[10];
        expect(validateUinInput(typed)).toEqual({ ok: true, uin });
      }),
      { numRuns: 1000 },
    );
  });

  it('calls every single-digit typo and adjacent swap a check-digit error, never a format error', () => {
    fc.assert(
      fc.property(fc.nat(9), fc.integer({ min: 1, max: 9 }), fc.nat(8), (position, shift, swapAt) => {
        const uin = generateUin();
        const digits = [...uin];
        const typo = digits.with(position, String((Number(digits[position]) + shift) % 10)).join('');
        expect(validateUinInput(typo)).toEqual({ ok: false, reason: 'check-digit' });
        const [left = '', right = ''] = [digits[swapAt], digits[swapAt + 1]];
        fc.pre(left !== right);
        const swapped = digits
          .with(swapAt, right)
          .with(swapAt + 1, left)
          .join('');
        expect(validateUinInput(swapped)).toEqual({ ok: false, reason: 'check-digit' });
      }),
      { numRuns: 1000 },
    );
  });
});
