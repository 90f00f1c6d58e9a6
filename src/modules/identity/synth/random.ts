/**
 * A small seeded pseudo-random generator (mulberry32) with the helpers the synthesiser needs. Not for
 * anything secret: it exists so that synthetic populations are reproducible from a seed.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    // Mix the seed so that neighbouring seeds (1, 2, 3…) start far apart.
    this.#state = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError('Cannot pick from an empty list');
    }
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** Picks items with probability proportional to their weight, in O(log n) per pick. */
export class WeightedTable<T> {
  readonly #items: T[];
  readonly #cumulative: number[];

  constructor(entries: readonly (readonly [T, number])[]) {
    this.#items = [];
    this.#cumulative = [];
    let total = 0;
    for (const [item, weight] of entries) {
      if (!(weight >= 0) || !Number.isFinite(weight)) {
        throw new RangeError(`Weights must be finite and non-negative, got ${weight}`);
      }
      if (weight === 0) {
        continue;
      }
      total += weight;
      this.#items.push(item);
      this.#cumulative.push(total);
    }
    if (this.#items.length === 0) {
      throw new RangeError('A weighted table needs at least one positive weight');
    }
  }

  pick(random: Random): T {
    const target = random.next() * (this.#cumulative[this.#cumulative.length - 1] ?? 0);
    let low = 0;
    let high = this.#cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#cumulative[middle] ?? 0) > target) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return this.#items[low] as T;
  }
}

/** Weights 1/(rank + offset)^exponent for a list ordered from most to least common (a Zipf-like law). */
export function zipf<T>(items: readonly T[], exponent = 0.9, offset = 4): [T, number][] {
  return items.map((item, rank) => [item, 1 / (rank + offset) ** exponent]);
}
