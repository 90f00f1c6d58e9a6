import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateUin, verhoeffCheckDigit } from '../uin/index.js';
import { CROCKFORD_ALPHABET } from './crockford.js';
import {
  deriveSectorKey,
  isSectorName,
  parseSectorToken,
  SECTOR_TOKEN_SALT,
  sectorToken,
  sectorTokenizer,
} from './index.js';

const KEY = Uint8Array.from({ length: 32 }, (_, index) => index);
const UIN = '2750451068';

const masterKey = fc.uint8Array({ minLength: 32, maxLength: 64 });
const sector = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 2, maxLength: 32 })
  .filter(isSectorName);
const version = fc.integer({ min: 1, max: 2_147_483_647 });
const uin = fc
  .string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 })
  .map((body) => `${body}${verhoeffCheckDigit(body)}`);

function tokenValue(token: string): string {
  return parseSectorToken(token)?.value ?? '';
}

function bitsOf(value: string): bigint {
  return [...value].reduce((acc, char) => (acc << 5n) | BigInt(CROCKFORD_ALPHABET.indexOf(char)), 0n);
}

function hammingDistance(left: string, right: string): number {
  return [...(bitsOf(left) ^ bitsOf(right)).toString(2)].filter((bit) => bit === '1').length;
}

describe('sectorToken', () => {
  it('matches the documented construction', () => {
    // Pinned: every stored token depends on these exact bytes, so any change here is a format change.
    expect(sectorToken(KEY, 'health', 1, UIN)).toBe('1.QZ04CSY5R4FTDGZ6JRYTDHGS1G');
    expect(sectorToken(KEY, 'tax', 1, UIN)).toBe('1.AJJJNCKWH0TYE45YFE3B4F5CWC');
    expect(sectorToken(KEY, 'health', 2, UIN)).toBe('2.BAW075Q5AZP67GMQ72ZMKTW2TM');
  });

  it('is HMAC-SHA256 under the HKDF-derived sector key, truncated to 128 bits', () => {
    fc.assert(
      fc.property(masterKey, sector, version, uin, (key, name, keyVersion, number) => {
        const info = `mmuso/sector-token/${name}/v${keyVersion}`;
        const sectorKey = Buffer.from(hkdfSync('sha256', key, SECTOR_TOKEN_SALT, info, 32));
        const mac = createHmac('sha256', sectorKey).update(number).digest();
        const expected = (BigInt(`0x${mac.subarray(0, 16).toString('hex')}`) << 2n)
          .toString(2)
          .padStart(130, '0')
          .match(/.{5}/g)
          ?.map((bits) => CROCKFORD_ALPHABET.charAt(Number.parseInt(bits, 2)))
          .join('');
        expect(deriveSectorKey(key, name, keyVersion)).toEqual(sectorKey);
        expect(sectorToken(key, name, keyVersion, number)).toBe(`${keyVersion}.${expected}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('is stable for the same master key, sector, version and UIN', () => {
    fc.assert(
      fc.property(masterKey, sector, version, uin, (key, name, keyVersion, number) => {
        expect(sectorToken(Uint8Array.from(key), name, keyVersion, number)).toBe(
          sectorToken(key, name, keyVersion, number),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('differs between sectors', () => {
    fc.assert(
      fc.property(masterKey, sector, sector, version, uin, (key, first, second, keyVersion, number) => {
        fc.pre(first !== second);
        expect(tokenValue(sectorToken(key, first, keyVersion, number))).not.toBe(
          tokenValue(sectorToken(key, second, keyVersion, number)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('differs between key versions, in the value and not just the prefix', () => {
    fc.assert(
      fc.property(masterKey, sector, version, version, uin, (key, name, first, second, number) => {
        fc.pre(first !== second);
        expect(tokenValue(sectorToken(key, name, first, number))).not.toBe(
          tokenValue(sectorToken(key, name, second, number)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('differs under another master key', () => {
    fc.assert(
      fc.property(masterKey, masterKey, sector, version, uin, (first, second, name, keyVersion, number) => {
        fc.pre(Buffer.compare(first, second) !== 0);
        expect(sectorToken(first, name, keyVersion, number)).not.toBe(
          sectorToken(second, name, keyVersion, number),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('neither is nor contains the UIN', () => {
    fc.assert(
      fc.property(masterKey, sector, version, uin, (key, name, keyVersion, number) => {
        const token = sectorToken(key, name, keyVersion, number);
        expect(token).not.toBe(number);
        expect(token).not.toContain(number);
        expect(token).toMatch(/^[1-9][0-9]*\.[0-9A-Z]{26}$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives two sectors unrelated tokens for the same people', () => {
    const uins = [...new Set(Array.from({ length: 1000 }, () => generateUin()))];
    const health = uins.map(sectorTokenizer(KEY, 'health', 1)).map(tokenValue);
    const tax = uins.map(sectorTokenizer(KEY, 'tax', 1)).map(tokenValue);
    // No collisions within a sector, and no token shared between sectors.
    expect(new Set(health).size).toBe(uins.length);
    expect(new Set([...health, ...tax]).size).toBe(2 * uins.length);
    // The same person's two tokens differ in about half of their 128 bits, as unrelated values would:
    // the mean of 1000 samples of Binomial(128, 1/2) is 64 with a standard deviation near 0.18.
    const distances = uins.map((_, index) => hammingDistance(health[index] ?? '', tax[index] ?? ''));
    const mean = distances.reduce((sum, distance) => sum + distance, 0) / distances.length;
    expect(mean).toBeGreaterThan(62);
    expect(mean).toBeLessThan(66);
    // Nor is the difference the same for everyone, as it would be if one token were the other XOR a constant.
    const differences = new Set(
      uins.map((_, index) => bitsOf(health[index] ?? '') ^ bitsOf(tax[index] ?? '')),
    );
    expect(differences.size).toBe(uins.length);
  });

  it('gives the same tokens from sectorTokenizer', () => {
    fc.assert(
      fc.property(
        masterKey,
        sector,
        version,
        fc.array(uin, { maxLength: 5 }),
        (key, name, keyVersion, uins) => {
          const tokenize = sectorTokenizer(key, name, keyVersion);
          expect(uins.map(tokenize)).toEqual(
            uins.map((number) => sectorToken(key, name, keyVersion, number)),
          );
        },
      ),
    );
  });

  it.each(['tx', 'health', 'social-development', 'a'.repeat(32), 'a-b'])(
    'accepts the sector name %j',
    (name) => {
      expect(isSectorName(name)).toBe(true);
      expect(() => sectorToken(KEY, name, 1, UIN)).not.toThrow();
    },
  );

  it.each([
    '',
    'h',
    'a'.repeat(33),
    'Health',
    'tax/2',
    'tax_x',
    'tax 2',
    'tax2',
    '-tax',
    'tax-',
    'héalth',
    'health\n',
  ])('rejects the sector name %j with a RangeError', (name) => {
    expect(isSectorName(name)).toBe(false);
    expect(() => sectorToken(KEY, name, 1, UIN)).toThrow(RangeError);
    expect(() => deriveSectorKey(KEY, name, 1)).toThrow(RangeError);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
    'rejects key version %s',
    (keyVersion) => {
      expect(() => sectorToken(KEY, 'health', keyVersion, UIN)).toThrow(RangeError);
    },
  );

  it('rejects a master key shorter than 32 bytes', () => {
    expect(() => sectorToken(new Uint8Array(31), 'health', 1, UIN)).toThrow(RangeError);
    expect(() => sectorToken(new Uint8Array(32), 'health', 1, UIN)).not.toThrow();
  });

  it.each(['', '2750451069', '275045107', '2750 451068', '２７５０４５１０６８', 'abcdefghij'])(
    'rejects the UIN %j',
    (number) => {
      expect(() => sectorToken(KEY, 'health', 1, number)).toThrow(RangeError);
    },
  );
});

describe('parseSectorToken', () => {
  it('round-trips every token', () => {
    fc.assert(
      fc.property(masterKey, sector, version, uin, (key, name, keyVersion, number) => {
        const token = sectorToken(key, name, keyVersion, number);
        const parsed = parseSectorToken(token);
        expect(parsed?.version).toBe(keyVersion);
        expect(`${parsed?.version}.${parsed?.value}`).toBe(token);
      }),
      { numRuns: 1000 },
    );
  });

  const value = 'QZ04CSY5R4FTDGZ6JRYTDHGS1G';

  it('reads the largest version', () => {
    expect(parseSectorToken(`2147483647.${value}`)).toEqual({ version: 2147483647, value });
  });

  it.each([
    '',
    '1',
    '1.',
    `.${value}`,
    `0.${value}`,
    `01.${value}`,
    `-1.${value}`,
    `+1.${value}`,
    `1.5.${value}`,
    `2147483648.${value}`,
    `99999999999.${value}`,
    `1.${value.slice(1)}`,
    `1.${value}0`,
    `1.${value.toLowerCase()}`,
    `1.${value.replace('0', 'O')}`,
    `1.${value.replace('1', 'I')}`,
    `1.${value.replace('1', 'L')}`,
    `1.${value.replace('Q', 'U')}`,
    // Same bits as the real value but with a padding bit set: a second spelling, so refused.
    `1.${value.slice(0, -1)}H`,
    `1.${value.slice(0, -1)}Z`,
    ` 1.${value}`,
    `1.${value}\n`,
    `1,${value}`,
    `1 .${value}`,
    `１.${value}`,
    `health:1.${value}`,
  ])('rejects %j', (token) => {
    expect(parseSectorToken(token)).toBeUndefined();
  });

  it('never throws, and accepts only canonical spellings', () => {
    const near = fc.string({
      unit: fc.constantFrom(...'0123456789.ABCDEFGHJKMNPQRSTVWXYZUILOaz -'),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), near), (text) => {
        const parsed = parseSectorToken(text);
        if (parsed !== undefined) {
          expect(`${parsed.version}.${parsed.value}`).toBe(text);
          expect(parsed.value).toHaveLength(26);
          expect(CROCKFORD_ALPHABET.indexOf(parsed.value.slice(-1)) % 4).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what is not a string without throwing', () => {
    expect(parseSectorToken(undefined as unknown as string)).toBeUndefined();
    expect(parseSectorToken(1 as unknown as string)).toBeUndefined();
  });
});
