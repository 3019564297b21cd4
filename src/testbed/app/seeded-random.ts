// A small deterministic PRNG (mulberry32) so the same seed always builds the same site: the
// load profile and the tests rely on `user7` and `event 12` being the same on every start.
// Math.random cannot be seeded, hence this.

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.state = hashString(`seed:${seed}`);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('SeededRandom.pick: no items to pick from');
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** `count` distinct integers from [0, size), in the order drawn (partial Fisher-Yates). */
  sample(size: number, count: number): number[] {
    const n = Math.min(size, count);
    const swapped = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = this.int(i, size - 1);
      const atJ = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(atJ);
    }
    return out;
  }
}

/** FNV-1a, 32 bits: a stable hash for choosing generated variants (an image, a seed mix). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
