// Which action a user performs next. A Markov chain over the profile's actions (Faban's
// @MatrixMix: rows = the action just done, columns = the next one), or a flat mix, which is the
// chain whose rows are all the same. A user's first action is the chain's start (Faban starts
// every user at the first operation).
import type { Random } from './random.ts';

export class ActionMix {
  /** Row-major cumulative probabilities, rows x columns = actions x actions. */
  readonly #cumulative: Float64Array;
  readonly #size: number;
  readonly start: number;

  /** `rows[from][to]`: probabilities, each row summing to 1 (validated by the profile compiler). */
  constructor(rows: readonly (readonly number[])[], start = 0) {
    this.#size = rows.length;
    this.#cumulative = new Float64Array(this.#size * this.#size);
    rows.forEach((row, from) => {
      let sum = 0;
      row.forEach((p, to) => {
        sum += p;
        this.#cumulative[from * this.#size + to] = sum;
      });
      // The last reachable column takes whatever rounding left over, so a draw near 1 never
      // falls off the end of a row that sums to 0.9999999.
      for (let to = this.#size - 1; to >= 0; to -= 1) {
        if ((row[to] ?? 0) > 0) {
          for (let k = to; k < this.#size; k += 1) this.#cumulative[from * this.#size + k] = 1;
          break;
        }
      }
    });
    this.start = start;
  }

  static flat(weights: readonly number[], start?: number): ActionMix {
    return new ActionMix(weights.map(() => weights), start ?? 0);
  }

  get size(): number {
    return this.#size;
  }

  /** The action after `from`. */
  next(from: number, random: Random): number {
    const u = random.next();
    const base = from * this.#size;
    for (let to = 0; to < this.#size; to += 1) {
      if (u < (this.#cumulative[base + to] as number)) return to;
    }
    return this.#size - 1;
  }

  /** The actions a user at `from` can reach in one or more steps. */
  reachableFrom(from: number): Set<number> {
    const reached = new Set<number>();
    const frontier = [from];
    while (frontier.length > 0) {
      const at = frontier.pop() as number;
      for (let to = 0; to < this.#size; to += 1) {
        if (!reached.has(to) && this.probability(at, to) > 0) {
          reached.add(to);
          frontier.push(to);
        }
      }
    }
    return reached;
  }

  /**
   * Where users get trapped: an action reached from the start after which some action reached
   * before is never done again (an absorbing action, or a closed group of actions). The start
   * itself may be left for good (a flat mix that gives it no weight): a user's first action is
   * not a trap. Undefined when every action reached from the start leads back to all the others.
   */
  trap(): { at: number; never: number[] } | undefined {
    const reached = this.reachableFrom(this.start);
    for (const at of reached) {
      const onward = this.reachableFrom(at);
      const never = [...reached].filter((to) => !onward.has(to)).sort((a, b) => a - b);
      if (never.length > 0) return { at, never };
    }
    return undefined;
  }

  /** The probability of going from `from` to `to`. */
  probability(from: number, to: number): number {
    const base = from * this.#size;
    const upTo = this.#cumulative[base + to] as number;
    return to === 0 ? upTo : upTo - (this.#cumulative[base + to - 1] as number);
  }

  /**
   * The long-run share of each action (the chain's stationary distribution, as reached from the
   * start action): what a long run's counts converge to. Used to explain a profile and to check a
   * walk. Power iteration on the lazy chain (I + P) / 2, which has the same stationary distribution
   * but is aperiodic, so the iterates converge even when the chain itself would oscillate.
   */
  stationary(iterations = 100_000, tolerance = 1e-13): number[] {
    let share = new Float64Array(this.#size);
    share[this.start] = 1;
    for (let step = 0; step < iterations; step += 1) {
      const next = share.map((mass) => mass / 2);
      for (let from = 0; from < this.#size; from += 1) {
        const mass = (share[from] as number) / 2;
        if (mass === 0) continue;
        for (let to = 0; to < this.#size; to += 1) next[to] = (next[to] as number) + mass * this.probability(from, to);
      }
      const change = next.reduce((max, value, i) => Math.max(max, Math.abs(value - (share[i] as number))), 0);
      share = next;
      if (change < tolerance) break;
    }
    return Array.from(share);
  }
}
