import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLesothoMobile, parsePhone } from './index.js';

describe('parsePhone', () => {
  it.each([
    ['58123456', '+26658123456'],
    ['+266 5812 3456', '+26658123456'],
    ['266-58123456', '+26658123456'],
    ['(+266) 6212-3456', '+26662123456'],
    ['22312345', '+26622312345'],
    ['+27 82 123 4567', '+27821234567'],
  ])('%s → %s', (input, e164) => {
    expect(parsePhone(input)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['5812345', 'length'],
    ['+266 5812 345', 'length'],
    ['98123456', 'format'],
    ['phone', 'format'],
    ['', 'format'],
    ['5812345a', 'format'],
  ])('refuses %s (%s)', (input, reason) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason });
  });

  it('every 8-digit mobile number in any written form gives the same E.164', () => {
    fc.assert(
      fc.property(fc.constantFrom('5', '6'), fc.stringMatching(/^\d{7}$/), (first, rest) => {
        const national = first + rest;
        const forms = [national, `+266${national}`, `266 ${national.slice(0, 4)} ${national.slice(4)}`];
        for (const form of forms) {
          const parsed = parsePhone(form);
          expect(parsed).toEqual({ ok: true, e164: `+266${national}` });
          expect(isLesothoMobile(`+266${national}`)).toBe(true);
        }
      }),
    );
  });
});
