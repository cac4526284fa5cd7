/**
 * A tiny seeded PRNG (mulberry32): the fleet's decisions (which tag, how long, when to drop offline)
 * repeat exactly for a seed, so tests are stable. Message ids stay truly random (crypto.randomUUID):
 * a re-run against a persisted table must never look like a duplicate delivery.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<Item>(items: readonly Item[]): Item {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as Item;
  }

  /** Picks a key with probability proportional to its weight. */
  weighted<Key extends string>(weights: Readonly<Record<Key, number>>): Key {
    const entries = (Object.entries(weights) as [Key, number][]).filter(([, weight]) => weight > 0);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (total <= 0) throw new RangeError('weights must include a positive value');
    let remaining = this.next() * total;
    for (const [key, weight] of entries) {
      remaining -= weight;
      if (remaining < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** An independent stream for one charger, so its choices do not depend on message interleaving. */
  fork(index: number): SeededRandom {
    return new SeededRandom(Math.imul((this.state ^ (index + 1)) >>> 0, 2_654_435_761) ^ (index * 40_503));
  }
}
