import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET } from './check.js';
import { createReference, isValidCheck, parseReference } from './index.js';

const RUNS = { numRuns: 1000 };

const prefixLetter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTVWXYZ');
const prefix = fc.array(prefixLetter, { minLength: 2, maxLength: 4 }).map((letters) => letters.join(''));
const year = fc.integer({ min: 1000, max: 9999 });
const randomBytes = fc.uint8Array({ minLength: 5, maxLength: 5 });
const reference = fc
  .tuple(prefix, year, randomBytes)
  .map(([letters, y, bytes]) => createReference(letters, y, () => bytes));

// Splits "DL-2026-7K3M9Q" into the prefix and the ten checked characters after it ("20267K3M9Q").
function split(ref: string): { prefix: string; tail: string[] } {
  const [letters = '', y = '', rest = ''] = ref.split('-');
  return { prefix: letters, tail: [...`${y}${rest}`] };
}

function join(letters: string, tail: readonly string[]): string {
  return `${letters}-${tail.slice(0, 4).join('')}-${tail.slice(4).join('')}`;
}

// Alternatives a person might type in place of a character: every Crockford symbol, plus characters
// that are not valid there. Look-alikes of the original (o for 0, i/l for 1) are excluded because they are
// the same symbol in Crockford base32, not a substitution.
const LOOK_ALIKES: Record<string, string> = { '0': '0Oo', '1': '1IiLl' };
const CANDIDATES = [...CROCKFORD_ALPHABET, ...'UuOoIiLl!#*é'];

describe('createReference', () => {
  it('builds the reference from the random bytes and appends a check character', () => {
    const ref = createReference('DL', 2026, () => new Uint8Array([0, 1, 2, 3, 4]));
    expect(ref).toMatch(/^DL-2026-01234[0-9A-HJKMNP-TV-Z]$/);
    expect(isValidCheck(ref.replaceAll('-', ''))).toBe(true);
  });

  it('uses the low five bits of each byte and ignores extra bytes', () => {
    const ref = createReference('PAS', 2030, () => new Uint8Array([31, 32, 255, 0b10101010, 16, 99]));
    expect(ref.slice(0, -1)).toBe('PAS-2030-Z0ZAG');
  });

  it('uses cryptographic randomness by default', () => {
    const refs = new Set(Array.from({ length: 50 }, () => createReference('BRN', 2026)));
    expect(refs.size).toBe(50);
    for (const ref of refs) {
      expect(parseReference(ref)).toEqual({ ok: true, reference: ref, prefix: 'BRN', year: 2026 });
    }
  });

  it.each(['D', 'DLPSX', 'dl', 'Dl', 'BU', 'D1', 'D-L', '', 'DÉ'])('rejects prefix %j', (bad) => {
    expect(() => createReference(bad, 2026)).toThrow(RangeError);
  });

  it.each([999, 10000, 2026.5, Number.NaN, -2026])('rejects year %s', (bad) => {
    expect(() => createReference('DL', bad)).toThrow(RangeError);
  });

  it('rejects a random source that supplies too few bytes', () => {
    expect(() => createReference('DL', 2026, () => new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('parseReference', () => {
  const ref = createReference('DL', 2026, () => new Uint8Array([7, 19, 3, 20, 9]));
  const ok = { ok: true, reference: ref, prefix: 'DL', year: 2026 };
  const random = ref.slice(8);

  it('parses a canonical reference', () => {
    expect(ref.slice(0, -1)).toBe('DL-2026-7K3M9');
    expect(parseReference(ref)).toEqual(ok);
  });

  it.each([
    ref.toLowerCase(),
    `  ${ref}  `,
    ref.replaceAll('-', ''),
    ref.replaceAll('-', ' '),
    ref.replaceAll('-', ' - '),
    ref.replaceAll('-', '--'),
    `DL2026-${random}`,
    `DL-2026${random}`,
    `DL 2026 ${random.slice(0, 3)} ${random.slice(3)}`,
    ref.replaceAll('-', '\u2013'),
    ref.replaceAll('-', '\u2212'),
    `\tdl\u00a02026\n${random.toLowerCase()}`,
  ])('normalises %j', (input) => {
    expect(parseReference(input)).toEqual(ok);
  });

  it('reads look-alike letters in the random part as digits', () => {
    const withDigits = createReference('DL', 2026, () => new Uint8Array([0, 1, 0, 1, 9]));
    const typed = `${withDigits.slice(0, 8)}oIOl9${withDigits.slice(-1)}`;
    expect(parseReference(typed)).toEqual(parseReference(withDigits));
    expect(parseReference(typed).ok).toBe(true);
    expect(parseReference(typed.toLowerCase()).ok).toBe(true);
  });

  it('keeps prefix letters that Crockford would read as digits', () => {
    const oil = createReference('OIL', 2026, () => new Uint8Array(5));
    expect(parseReference(oil.toLowerCase())).toEqual({
      ok: true,
      reference: oil,
      prefix: 'OIL',
      year: 2026,
    });
  });

  it.each([
    '',
    '   ',
    'DL',
    'DL-2026',
    'DL-2026-7K3M9',
    `${ref}0`,
    `D-2026-${random}`,
    `DLPSX-2026-${random}`,
    `DL-026-${random}`,
    `DL-20260-${random}`,
    `DL-0999-${random}`,
    `BU-2026-${random}`,
    `DL-2026-${random.slice(0, 5)}U`,
    `DL-2026-${random.slice(0, 5)}!`,
    `DL_2026_${random}`,
    `DL.2026.${random}`,
    `dı-2026-${random}`,
    `DL-２０２６-${random}`,
    `12-2026-${random}`,
    ref.split('').join(' '.repeat(10)),
  ])('reports %j as not a reference', (input) => {
    expect(parseReference(input)).toEqual({ ok: false, reason: 'format' });
  });

  it('reports a mistyped reference as a check failure', () => {
    expect(parseReference(`DL-2026-${random.slice(0, 4)}${random[5]}${random[4]}`)).toEqual({
      ok: false,
      reason: 'check',
    });
    expect(parseReference(ref.replace('DL', 'DM'))).toEqual({ ok: false, reason: 'check' });
  });
});

describe('reference properties', () => {
  it('parses every generated reference back to itself', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const { prefix: letters } = split(ref);
        expect(parseReference(ref)).toEqual({
          ok: true,
          reference: ref,
          prefix: letters,
          year: Number(ref.slice(letters.length + 1, letters.length + 5)),
        });
      }),
      RUNS,
    );
  });

  it('never accepts a single-character substitution in the year, random part or check character', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const { prefix: letters, tail } = split(ref);
        tail.forEach((original, position) => {
          const same = LOOK_ALIKES[original] ?? original;
          for (const replacement of CANDIDATES) {
            if (!same.includes(replacement) && replacement.toUpperCase() !== original) {
              const typo = join(letters, tail.with(position, replacement));
              expect(parseReference(typo).ok, typo).toBe(false);
            }
          }
        });
      }),
      RUNS,
    );
  });

  it('reports a substitution by another valid symbol as a check failure', () => {
    fc.assert(
      fc.property(
        reference,
        fc.nat({ max: 5 }),
        fc.constantFrom(...CROCKFORD_ALPHABET),
        (ref, position, sub) => {
          const { prefix: letters, tail } = split(ref);
          fc.pre(tail[4 + position] !== sub);
          expect(parseReference(join(letters, tail.with(4 + position, sub)))).toEqual({
            ok: false,
            reason: 'check',
          });
        },
      ),
      RUNS,
    );
  });

  it('never accepts an adjacent transposition in the year, random part or check character', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        const { prefix: letters, tail } = split(ref);
        for (let position = 0; position + 1 < tail.length; position += 1) {
          const [left = '', right = ''] = tail.slice(position, position + 2);
          if (left !== right) {
            const typo = join(letters, tail.with(position, right).with(position + 1, left));
            expect(parseReference(typo).ok, typo).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('parses lower-case, unhyphenated and look-alike variants to the same canonical reference', () => {
    const variant = fc.record({
      lower: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
      separators: fc.array(fc.constantFrom('', '-', ' ', '  ', ' - ', '--'), { minLength: 2, maxLength: 2 }),
      lookAlike: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      padding: fc.constantFrom('', ' ', '\t', '  \n'),
    });
    fc.assert(
      fc.property(reference, variant, (ref, { lower, separators, lookAlike, padding }) => {
        const [letters = '', y = '', rest = ''] = ref.split('-');
        const typedRest = [...rest]
          .map((char, index) => (lookAlike[index] ? ({ '0': 'O', '1': 'L' }[char] ?? char) : char))
          .join('');
        const typed = [...`${letters}${separators[0]}${y}${separators[1]}${typedRest}`]
          .map((char, index) => (lower[index] ? char.toLowerCase() : char))
          .join('');
        expect(parseReference(`${padding}${typed}${padding}`)).toEqual(parseReference(ref));
        expect(parseReference(typed)).toMatchObject({ ok: true, reference: ref });
      }),
      RUNS,
    );
  });
});
