import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET, encodeCrockford } from './crockford.js';

// An independent model: the bytes as one big integer, shifted left to a multiple of five bits.
function modelEncode(bytes: Uint8Array): string {
  const bits = bytes.length * 8;
  const padding = (5 - (bits % 5)) % 5;
  let value = bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n) << BigInt(padding);
  let text = '';
  for (let index = 0; index < (bits + padding) / 5; index += 1) {
    text = CROCKFORD_ALPHABET.charAt(Number(value & 31n)) + text;
    value >>= 5n;
  }
  return text;
}

describe('encodeCrockford', () => {
  it.each([
    [[], ''],
    [[0], '00'],
    [[0xff], 'ZW'],
    [[0xf8], 'Z0'],
    // Five bytes are exactly eight characters; these spell out the whole alphabet in order.
    [[0x00, 0x44, 0x32, 0x14, 0xc7], '01234567'],
    [[0x42, 0x54, 0xb6, 0x35, 0xcf], '89ABCDEF'],
    [[0x84, 0x65, 0x3a, 0x56, 0xd7], 'GHJKMNPQ'],
    [[0xc6, 0x75, 0xbe, 0x77, 0xdf], 'RSTVWXYZ'],
  ])('encodes %j as %s', (bytes, expected) => {
    expect(encodeCrockford(Uint8Array.from(bytes))).toBe(expected);
  });

  it('encodes 16 bytes as 26 characters, the last with two zero padding bits', () => {
    expect(encodeCrockford(new Uint8Array(16).fill(0xff))).toBe(`${'Z'.repeat(25)}W`);
  });

  it('agrees with a big-integer model', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(encodeCrockford(bytes)).toBe(modelEncode(bytes));
      }),
      { numRuns: 1000 },
    );
  });
});
