/**
 * Check characters over Crockford base32, using the Damm algorithm generalised to GF(32).
 *
 * The quasigroup is x∘y = a·x ⊕ y in GF(2^5) with a = 2 (multiplication by x modulo the primitive
 * polynomial x^5 + x^2 + 1). Because a ≠ 1 it is totally anti-symmetric: (c∘x)∘y = (c∘y)∘x implies x = y.
 * Folding a string therefore catches every single-character substitution and every adjacent transposition,
 * including one that swaps the last payload character with the check character itself.
 */

export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Crockford decoding accepts lower case and reads the look-alikes I/L as 1 and O as 0; U is never valid.
const SYMBOL_VALUES: ReadonlyMap<string, number> = new Map([
  ...[...CROCKFORD_ALPHABET].flatMap((symbol, value): [string, number][] => [
    [symbol, value],
    [symbol.toLowerCase(), value],
  ]),
  ...[...'IiLl'].map((symbol): [string, number] => [symbol, 1]),
  ...[...'Oo'].map((symbol): [string, number] => [symbol, 0]),
]);

const REDUCTION = 0b100101; // x^5 + x^2 + 1

function timesA(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? shifted ^ REDUCTION : shifted;
}

/** Folds symbols through the quasigroup; undefined if any symbol is not Crockford base32. */
function fold(symbols: string): number | undefined {
  let interim = 0;
  for (const symbol of symbols) {
    const value = SYMBOL_VALUES.get(symbol);
    if (value === undefined) {
      return undefined;
    }
    interim = timesA(interim) ^ value;
  }
  return interim;
}

/**
 * The Crockford base32 check character for `payload`, chosen so that folding payload + check gives 0.
 * The payload is read with Crockford decoding (case-insensitive, I/L = 1, O = 0); throws RangeError if it
 * is empty or contains anything else.
 */
export function checkCharacter(payload: string): string {
  const interim = payload.length > 0 ? fold(payload) : undefined;
  if (interim === undefined) {
    throw new RangeError('Check character payload must be non-empty Crockford base32');
  }
  // interim∘c = a·interim ⊕ c, which is 0 exactly when c = a·interim.
  return CROCKFORD_ALPHABET.charAt(timesA(interim));
}

/** Whether the last character of `payloadWithCheck` is the correct check character for the rest. */
export function isValidCheck(payloadWithCheck: string): boolean {
  return payloadWithCheck.length >= 2 && fold(payloadWithCheck) === 0;
}
