import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Pure helpers shared by the factors: code formats, generation and comparison. */

/** A 6-digit code from the CSPRNG, uniform over 000000–999999. */
export function newNumericCode(digits = 6): string {
  return randomInt(0, 10 ** digits)
    .toString()
    .padStart(digits, '0');
}

/** What people type: spaces and hyphens are dropped ("123 456"); anything else must be digits. */
export function normalizeNumericCode(input: string, digits = 6): string | undefined {
  const code = input.replace(/[\s-]/g, '');
  return code.length === digits && /^\d+$/.test(code) ? code : undefined;
}

/** Equal strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare equal lengths even on a mismatch so the length alone decides nothing early.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Recovery codes: 10 characters of Crockford's base32 (50 bits), shown as XXXXX-XXXXX. No I, L,
 * O or U to misread; typed I/L count as 1 and O as 0.
 */
export const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_LENGTH = 10;

export function newRecoveryCode(): string {
  // 256 is a multiple of 32, so masking each byte keeps the characters uniform.
  const chars = [...randomBytes(RECOVERY_CODE_LENGTH)].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (code.length !== RECOVERY_CODE_LENGTH) return undefined;
  for (const char of code) if (!RECOVERY_ALPHABET.includes(char)) return undefined;
  return code;
}

/** +26658123456 → +266 •••• ••56: enough for a person to recognise their phone. */
export function maskPhone(e164: string): string {
  const lesotho = /^\+266(\d{8})$/.exec(e164);
  if (lesotho?.[1]) return `+266 •••• ••${lesotho[1].slice(6)}`;
  return `${e164.slice(0, 3)}${'•'.repeat(Math.max(0, e164.length - 5))}${e164.slice(-2)}`;
}
