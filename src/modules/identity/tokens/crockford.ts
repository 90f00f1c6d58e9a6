/**
 * Crockford base32 encoding of bytes: digits and upper-case letters without I, L, O and U, so a token
 * survives being read aloud, copied by hand or pasted into a case-sensitive system unchanged.
 */

export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Encodes bytes most significant bit first, five bits per character, padding the last character with zero
 * bits: 16 bytes (128 bits) become 26 characters whose last one carries 3 bits and 2 zero bits.
 */
export function encodeCrockford(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    // At most 4 bits are left over from the last byte, so the buffer never exceeds 12 bits.
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += CROCKFORD_ALPHABET.charAt((buffer >> bits) & 0b11111);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) {
    text += CROCKFORD_ALPHABET.charAt((buffer << (5 - bits)) & 0b11111);
  }
  return text;
}
