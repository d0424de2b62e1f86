/** A small seeded PRNG (mulberry32): the same seed gives the same traffic on every run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A bigint in [min, max), uniform enough for test traffic. */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min;
    // 52 random bits scaled over the span: fine-grained enough for amounts, exact in bigint.
    const fraction = BigInt(Math.floor(this.next() * 2 ** 52));
    return min + (span * fraction) / 2n ** 52n;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined)
      throw new RangeError('Random.pick: expected a non-empty list, found an empty one.');
    return item;
  }
}
