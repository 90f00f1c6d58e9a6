import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMoney, allocateMoney, type Lisente, lisente, multiplyMoney, subtractMoney } from './index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

// Amounts up to ±10^13 lisente (M 100 billion) cannot overflow when a handful are combined.
const saneAmount = fc.integer({ min: -1e13, max: 1e13 }).map(lisente);
const anySafeAmount = fc.maxSafeInteger().map(lisente);

function exact(value: bigint): number | 'overflow' {
  return value > BigInt(MAX) || value < BigInt(MIN) ? 'overflow' : Number(value);
}

function outcome(operation: () => Lisente): number | 'overflow' {
  try {
    return operation();
  } catch (error) {
    if (error instanceof RangeError) {
      return 'overflow';
    }
    throw error;
  }
}

const unsafe = [0.5, -1.25, Number.NaN, Number.POSITIVE_INFINITY, MAX + 1, MIN - 1, 2 ** 60];

describe('lisente', () => {
  it('accepts safe integers', () => {
    expect(lisente(0)).toBe(0);
    expect(lisente(123450)).toBe(123450);
    expect(lisente(MAX)).toBe(MAX);
    expect(lisente(MIN)).toBe(MIN);
  });

  it('normalises negative zero', () => {
    expect(Object.is(lisente(-0), 0)).toBe(true);
  });

  it.each(unsafe)('rejects %s with a RangeError', (value) => {
    expect(() => lisente(value)).toThrow(RangeError);
  });
});

describe('addMoney', () => {
  it('sums any number of amounts', () => {
    expect(addMoney()).toBe(0);
    expect(addMoney(lisente(150))).toBe(150);
    expect(addMoney(lisente(150), lisente(250), lisente(-100))).toBe(300);
  });

  it('throws when the total leaves the safe range', () => {
    expect(() => addMoney(lisente(MAX), lisente(1))).toThrow(RangeError);
    expect(() => addMoney(lisente(MIN), lisente(-1))).toThrow(RangeError);
  });

  it('is exact even when an intermediate total leaves the safe range', () => {
    expect(addMoney(lisente(MAX), lisente(2), lisente(-2))).toBe(MAX);
  });

  it('rejects unvalidated operands that slipped past the type system', () => {
    expect(() => addMoney(1.5 as Lisente, 1.5 as Lisente)).toThrow(RangeError);
  });

  it('is commutative', () => {
    fc.assert(fc.property(saneAmount, saneAmount, (a, b) => addMoney(a, b) === addMoney(b, a)));
  });

  it('is associative', () => {
    fc.assert(
      fc.property(
        saneAmount,
        saneAmount,
        saneAmount,
        (a, b, c) => addMoney(addMoney(a, b), c) === addMoney(a, addMoney(b, c)),
      ),
    );
  });

  it('matches exact arithmetic or throws, across the whole safe range', () => {
    fc.assert(
      fc.property(fc.array(anySafeAmount, { maxLength: 5 }), (amounts) => {
        const expected = exact(amounts.reduce((sum, amount) => sum + BigInt(amount), 0n));
        expect(outcome(() => addMoney(...amounts))).toBe(expected);
      }),
    );
  });
});

describe('subtractMoney', () => {
  it('subtracts', () => {
    expect(subtractMoney(lisente(1000), lisente(250))).toBe(750);
    expect(subtractMoney(lisente(250), lisente(1000))).toBe(-750);
  });

  it('throws rather than rounding on overflow', () => {
    expect(() => subtractMoney(lisente(MIN), lisente(1))).toThrow(RangeError);
    expect(() => subtractMoney(lisente(MAX), lisente(-1))).toThrow(RangeError);
  });

  it('matches exact arithmetic or throws, across the whole safe range', () => {
    fc.assert(
      fc.property(anySafeAmount, anySafeAmount, (a, b) => {
        expect(outcome(() => subtractMoney(a, b))).toBe(exact(BigInt(a) - BigInt(b)));
      }),
    );
  });
});

describe('multiplyMoney', () => {
  it('multiplies by an integer quantity', () => {
    expect(multiplyMoney(lisente(1250), 3)).toBe(3750);
    expect(multiplyMoney(lisente(1250), -2)).toBe(-2500);
    expect(Object.is(multiplyMoney(lisente(0), -3), 0)).toBe(true);
  });

  it.each(unsafe)('rejects quantity %s', (quantity) => {
    expect(() => multiplyMoney(lisente(100), quantity)).toThrow(RangeError);
  });

  it('throws rather than rounding on overflow', () => {
    expect(() => multiplyMoney(lisente(2 ** 52), 2)).toThrow(RangeError);
    expect(() => multiplyMoney(lisente(MAX), -2)).toThrow(RangeError);
  });

  it('equals repeated addition for small quantities', () => {
    fc.assert(
      fc.property(saneAmount, fc.integer({ min: 0, max: 20 }), (amount, quantity) => {
        expect(multiplyMoney(amount, quantity)).toBe(addMoney(...Array<Lisente>(quantity).fill(amount)));
      }),
    );
  });

  it('matches exact arithmetic or throws, across the whole safe range', () => {
    fc.assert(
      fc.property(anySafeAmount, fc.maxSafeInteger(), (amount, quantity) => {
        expect(outcome(() => multiplyMoney(amount, quantity))).toBe(exact(BigInt(amount) * BigInt(quantity)));
      }),
    );
  });
});

describe('allocateMoney', () => {
  it('splits evenly when it can', () => {
    expect(allocateMoney(lisente(10000), [1, 1])).toEqual([5000, 5000]);
  });

  it('gives leftover lisente to the largest remainders, earliest first on ties', () => {
    expect(allocateMoney(lisente(100), [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateMoney(lisente(101), [1, 1, 1])).toEqual([34, 34, 33]);
    expect(allocateMoney(lisente(5), [3, 7])).toEqual([2, 3]);
    expect(allocateMoney(lisente(6), [3, 7])).toEqual([2, 4]);
    expect(allocateMoney(lisente(7), [1, 2, 4])).toEqual([1, 2, 4]);
  });

  it('mirrors the split for negative totals', () => {
    expect(allocateMoney(lisente(-100), [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocateMoney(lisente(-6), [3, 7])).toEqual([-2, -4]);
  });

  it('handles fractional ratios that are not exact in binary', () => {
    expect(allocateMoney(lisente(100), [0.7, 0.3])).toEqual([70, 30]);
    expect(allocateMoney(lisente(1000), [0.1, 0.2, 0.7])).toEqual([100, 200, 700]);
    expect(allocateMoney(lisente(100), [1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
  });

  it('gives nothing to zero ratios', () => {
    expect(allocateMoney(lisente(99), [0, 1, 0, 2])).toEqual([0, 33, 0, 66]);
    expect(allocateMoney(lisente(0), [1, 2])).toEqual([0, 0]);
  });

  it('splits the largest amounts exactly', () => {
    const parts = allocateMoney(lisente(MAX), [1, 1, 1]);
    expect(parts.reduce((sum, part) => sum + BigInt(part), 0n)).toBe(BigInt(MAX));
  });

  it.each([[[]], [[0, 0]], [[1, -1]], [[1, Number.NaN]], [[1, Number.POSITIVE_INFINITY]]])(
    'rejects ratios %j',
    (ratios) => {
      expect(() => allocateMoney(lisente(100), ratios)).toThrow(RangeError);
    },
  );

  it('rejects an invalid total', () => {
    expect(() => allocateMoney(1.5 as Lisente, [1])).toThrow(RangeError);
  });

  const integerRatios = fc
    .array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 8 })
    .filter((ratios) => ratios.some((ratio) => ratio > 0));

  it('produces parts that sum to the total, each within one lisente of its exact share', () => {
    fc.assert(
      fc.property(anySafeAmount, integerRatios, (total, ratios) => {
        const parts = allocateMoney(total, ratios);
        expect(parts).toHaveLength(ratios.length);
        expect(parts.reduce((sum, part) => sum + BigInt(part), 0n)).toBe(BigInt(total));
        const ratioSum = BigInt(ratios.reduce((sum, ratio) => sum + ratio, 0));
        parts.forEach((part, index) => {
          // |part - total·r/R| < 1  ⇔  |part·R - total·r| < R, checked exactly in integers.
          const error = BigInt(part) * ratioSum - BigInt(total) * BigInt(ratios[index] ?? 0);
          expect(error < ratioSum && -error < ratioSum).toBe(true);
        });
      }),
    );
  });

  it('always sums to the total with arbitrary fractional ratios', () => {
    const ratios = fc
      .array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 8 })
      .filter((values) => values.some((value) => value > 0));
    fc.assert(
      fc.property(anySafeAmount, ratios, (total, values) => {
        const parts = allocateMoney(total, values);
        expect(parts.reduce((sum, part) => sum + BigInt(part), 0n)).toBe(BigInt(total));
        expect(parts.every((part) => part === 0 || Math.sign(part) === Math.sign(total))).toBe(true);
      }),
    );
  });
});
