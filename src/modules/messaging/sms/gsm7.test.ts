import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSegments, isGsm7, isGsm7Char, smsText, toGsm7 } from './gsm7.js';

const gsmChars = [
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
];
const plainChar = fc.constantFrom(...gsmChars);
const extensionChar = fc.constantFrom(...'^{}\\[~]|€');

describe('GSM-7 fallback', () => {
  it('keeps Sesotho readable: š → s, typographic apostrophes become plain ones', () => {
    expect(toGsm7('Tšebeletso ea ’Muso')).toBe("Tsebeletso ea 'Muso");
    expect(toGsm7('Botšehali — “lintlha”…')).toBe('Botsehali - "lintlha"...');
    expect(toGsm7('Šoeu ê ō ç')).toBe('Soeu e o c');
    // Decomposed input (s + combining caron) ends up the same as composed input.
    expect(toGsm7('Ts\u030Cebeletso')).toBe('Tsebeletso');
  });

  it('leaves GSM-7 text, accents of the basic set included, exactly as it was', () => {
    const text = "Khoutu ea hau ea Mmuso ke 123456. E fela ka mor'a metsotso e 5. é à ü Ø € [x]";
    expect(isGsm7(text)).toBe(true);
    expect(toGsm7(text)).toBe(text);
  });

  it('turns what has no GSM-7 form into "?"', () => {
    expect(toGsm7('日本 😀')).toBe('?? ?');
  });

  it('always yields GSM-7 text, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(isGsm7(toGsm7(text))).toBe(true);
      }),
    );
  });

  it('is idempotent, and the identity on GSM-7 text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
        const once = toGsm7(text);
        expect(toGsm7(once)).toBe(once);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(plainChar, extensionChar), maxLength: 200 }), (text) => {
        expect(toGsm7(text)).toBe(text);
      }),
    );
  });

  it('never turns one letter into more than a few characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (text) => {
        expect([...toGsm7(text)].length).toBeLessThanOrEqual(3 * [...text].length);
      }),
    );
  });
});

describe('segments', () => {
  it('counts the limits of single and concatenated messages', () => {
    expect(countSegments('')).toEqual({ encoding: 'gsm7', units: 0, segments: 1 });
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
    expect(countSegments('š'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(countSegments('š'.repeat(71))).toEqual({ encoding: 'ucs2', units: 71, segments: 2 });
    expect(countSegments('š'.repeat(134)).segments).toBe(2);
    expect(countSegments('š'.repeat(135)).segments).toBe(3);
  });

  it('counts extension characters as two septets and never splits their escape pair', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(81)).segments).toBe(2);
    // 152 plain septets and then "€": the pair does not fit in part one's last septet.
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('never splits a surrogate pair', () => {
    // 66 units and then an emoji (two units): the emoji moves to part two.
    expect(countSegments(`${'š'.repeat(66)}😀${'š'.repeat(66)}`).segments).toBe(3);
  });

  it('matches the closed form for plain text of either encoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: plainChar, maxLength: 1200 }), (text) => {
        const n = text.length;
        expect(countSegments(text)).toEqual({
          encoding: 'gsm7',
          units: n,
          segments: n <= 160 ? 1 : Math.ceil(n / 153),
        });
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'šŠ日ē'), minLength: 1, maxLength: 500 }), (text) => {
        const n = text.length;
        expect(countSegments(text)).toEqual({
          encoding: 'ucs2',
          units: n,
          segments: n <= 70 ? 1 : Math.ceil(n / 67),
        });
      }),
    );
  });

  it('has room in its segments for every unit, and no segment to spare', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
        const { encoding, units, segments } = countSegments(text);
        expect(encoding).toBe(isGsm7(text) ? 'gsm7' : 'ucs2');
        if (segments === 1) {
          expect(units).toBeLessThanOrEqual(encoding === 'gsm7' ? 160 : 70);
        } else {
          const part = encoding === 'gsm7' ? 153 : 67;
          expect(units).toBeLessThanOrEqual(segments * part);
          // A character is at most two units, so each part but the last is at least part - 1 full.
          expect(units).toBeGreaterThan((segments - 1) * (part - 1));
        }
      }),
    );
  });

  it('the single-character test agrees with the whole-text one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(isGsm7(text)).toBe([...text].every(isGsm7Char));
      }),
    );
  });
});

describe('the text an SMS is sent with', () => {
  it('is the GSM-7 fallback for Sesotho, and the exact text when the fallback would cost more', () => {
    expect(smsText('Tšebeletso ea hau e qalile.')).toEqual({
      text: 'Tsebeletso ea hau e qalile.',
      segments: 1,
    });
    // 60 ellipses: 60 UCS-2 units (one segment) against 180 septets (two).
    const dots = '\u2026'.repeat(60);
    expect(smsText(dots)).toEqual({ text: dots, segments: 1 });
  });

  it('never costs more than either form, and is one of them', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.oneof(plainChar, fc.constantFrom(...'šŠ…“”’—þ日😀')), maxLength: 400 }),
        (text) => {
          const chosen = smsText(text);
          const fallback = toGsm7(text);
          expect([text, fallback]).toContain(chosen.text);
          expect(chosen.segments).toBe(countSegments(chosen.text).segments);
          expect(chosen.segments).toBe(
            Math.min(countSegments(text).segments, countSegments(fallback).segments),
          );
          if (isGsm7(text)) expect(chosen.text).toBe(text);
        },
      ),
    );
  });
});
