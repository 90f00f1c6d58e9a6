declare const lisenteBrand: unique symbol;

/**
 * An amount of Lesotho loti expressed in lisente (1 loti = 100 lisente).
 *
 * Branded so that a raw number (say, a loti value with a fractional part read from a form) cannot be
 * passed where money is expected without going through {@link lisente}, which enforces the invariant.
 */
export type Lisente = number & { readonly [lisenteBrand]: true };

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

// -0 would compare unequal to 0 under Object.is (used by test frameworks and memoisation).
function withoutNegativeZero(value: number): Lisente {
  return (value === 0 ? 0 : value) as Lisente;
}

/**
 * Validates that `n` is a safe integer number of lisente; throws RangeError otherwise.
 * The arithmetic below re-checks its operands with this too, because branded values can still arrive
 * through casts at JSON and database boundaries.
 */
export function lisente(n: number): Lisente {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Money must be a safe integer number of lisente, got ${n}`);
  }
  return withoutNegativeZero(n);
}

function overflowError(): RangeError {
  return new RangeError('Money overflow: result is outside the safe integer range');
}

function checkedResult(value: number): Lisente {
  if (!Number.isSafeInteger(value)) {
    throw overflowError();
  }
  return withoutNegativeZero(value);
}

function fromBigInt(value: bigint): Lisente {
  if (value > MAX || value < MIN) {
    throw overflowError();
  }
  return Number(value) as Lisente;
}

/**
 * Sums any number of amounts. Intermediate totals may leave the safe range (e.g. MAX + 1 - 1) without
 * affecting the result, because the sum is computed exactly; only a final total out of range throws.
 */
export function addMoney(...amounts: Lisente[]): Lisente {
  let total = 0n;
  for (const amount of amounts) {
    total += BigInt(lisente(amount));
  }
  return fromBigInt(total);
}

export function subtractMoney(a: Lisente, b: Lisente): Lisente {
  // Both operands are safe integers, so the float difference is exact whenever the true difference is safe,
  // and rounding can only ever land outside the safe range, where it is caught.
  return checkedResult(lisente(a) - lisente(b));
}

export function multiplyMoney(amount: Lisente, quantity: number): Lisente {
  if (!Number.isSafeInteger(quantity)) {
    throw new RangeError(`Quantity must be a safe integer, got ${quantity}`);
  }
  // Same argument as subtractMoney: an inexact product is necessarily beyond MAX_SAFE_INTEGER.
  return checkedResult(lisente(amount) * quantity);
}

/**
 * Exact integer weights proportional to `ratios`. Every finite double is m / 2^k for integers m and k,
 * so scaling all ratios to a common power of two gives exact weights without decimal rounding.
 */
function exactWeights(ratios: readonly number[]): bigint[] {
  const scaled = ratios.map((ratio) => {
    let mantissa = ratio;
    let shift = 0;
    // Doubling a double is exact, and a non-integer double is below 2^52, so this cannot overflow.
    while (!Number.isInteger(mantissa)) {
      mantissa *= 2;
      shift += 1;
    }
    return { mantissa: BigInt(mantissa), shift };
  });
  const maxShift = scaled.reduce((max, { shift }) => Math.max(max, shift), 0);
  return scaled.map(({ mantissa, shift }) => mantissa << BigInt(maxShift - shift));
}

/**
 * Splits `total` in proportion to `ratios` (e.g. a fee between revenue heads) using the largest-remainder
 * method: every part is within one lisente of its exact share and the parts always sum exactly to `total`.
 * Ties on remainder go to the earlier ratio so the split is deterministic. Negative totals are split by
 * magnitude and negated, so refunds mirror the original split.
 */
export function allocateMoney(total: Lisente, ratios: readonly number[]): Lisente[] {
  lisente(total);
  if (ratios.length === 0) {
    throw new RangeError('allocateMoney needs at least one ratio');
  }
  for (const ratio of ratios) {
    if (!Number.isFinite(ratio) || ratio < 0) {
      throw new RangeError(`Ratios must be finite and non-negative, got ${ratio}`);
    }
  }
  const weights = exactWeights(ratios);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n);
  if (weightSum === 0n) {
    throw new RangeError('allocateMoney needs at least one positive ratio');
  }

  const magnitude = BigInt(Math.abs(total));
  const parts = weights.map((weight) => (magnitude * weight) / weightSum);
  const remainders = weights.map((weight) => (magnitude * weight) % weightSum);
  const leftover = Number(magnitude - parts.reduce((sum, part) => sum + part, 0n));

  const byRemainder = remainders
    .map((remainder, index) => ({ remainder, index }))
    .sort((x, y) => (x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1));
  // leftover < ratios.length, because it is the sum of the fractional parts of the exact shares.
  for (const { index } of byRemainder.slice(0, leftover)) {
    parts[index] = (parts[index] ?? 0n) + 1n;
  }

  return parts.map((part) => fromBigInt(total < 0 ? -part : part));
}
