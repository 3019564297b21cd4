// The histogram of one action over the current SLA window, kept up to date as seconds enter and
// leave: a second costs its non-empty buckets, added by index, and a window step never re-reads
// the window. Seconds are kept as their non-empty buckets only (a few hundred numbers for a busy
// second instead of a whole histogram's counts array), which keeps five minutes of seconds small
// even for many actions. Failed actions are kept as a count per second: they have no response
// time, but they decide whether a percentile can still be met (failedAt).
import type { JsHistogram } from 'hdr-histogram-js';
import { asJs, bucketsOf, newWideHistogram, type Buckets, type Histogram } from '../recording/histogram.ts';

/** A percentile as judged: HdrHistogram's bucket holding the nearest-rank sample. */
export interface PercentileBucket {
  /** The top of the bucket, µs: what HdrHistogram reports as the percentile. */
  highestUs: number;
  /** The bottom of the bucket, µs: no sample in it is smaller. */
  lowestUs: number;
}

export class RunningWindow {
  /** 64-bit counts: a window may hold billions of samples. */
  readonly #histogram: JsHistogram = asJs(newWideHistogram());
  /** Each second's buckets, kept until the second leaves the window. */
  readonly #seconds = new Map<number, Buckets[]>();
  /** Each second's failed actions, kept until the second leaves the window. */
  readonly #failedSeconds = new Map<number, number>();
  #failures = 0;

  /** Successful actions in the window. */
  get samples(): number {
    return this.#histogram.totalCount;
  }

  /** Failed actions in the window. */
  get failures(): number {
    return this.#failures;
  }

  add(second: number, histogram: Histogram, failures = 0): void {
    if (failures > 0) {
      this.#failures += failures;
      this.#failedSeconds.set(second, (this.#failedSeconds.get(second) ?? 0) + failures);
    }
    if (histogram.totalCount === 0) return;
    const buckets = bucketsOf(histogram);
    this.#apply(buckets, 1);
    const kept = this.#seconds.get(second);
    if (kept) kept.push(buckets);
    else this.#seconds.set(second, [buckets]);
  }

  /** Takes out every second before `second`. */
  evictBefore(second: number): void {
    for (const [kept, parts] of this.#seconds) {
      if (kept >= second) continue;
      for (const buckets of parts) this.#apply(buckets, -1);
      this.#seconds.delete(kept);
    }
    for (const [kept, failures] of this.#failedSeconds) {
      if (kept >= second) continue;
      this.#failures -= failures;
      this.#failedSeconds.delete(kept);
    }
  }

  /**
   * Whether the p-th percentile of every action in the window, the failed ones counted as slower
   * than any response, falls on a failure: more than (100 - p)% of the actions failed, so the
   * percentile cannot be met whatever the successes took.
   */
  failedAt(percentile: number): boolean {
    return this.#failures > 0 && rankOf(percentile, this.samples + this.#failures) > this.samples;
  }

  /**
   * Nearest-rank percentiles (ascending) in one pass over the counts: the bucket holding the
   * ceil(p% × n)-th smallest sample, ranked exactly as hdr-histogram-js's getValueAtPercentile.
   */
  percentiles(ascending: readonly number[]): PercentileBucket[] {
    const histogram = this.#histogram;
    const total = histogram.totalCount;
    const found: PercentileBucket[] = [];
    let next = 0;
    let rank = rankOf(ascending[0]!, total);
    let seen = 0;
    for (let index = 0; index < histogram.countsArrayLength && next < ascending.length; index++) {
      seen += histogram.getCountAtIndex(index);
      while (next < ascending.length && seen >= rank) {
        const lowestUs = histogram.valueFromIndex(index);
        found.push({ lowestUs, highestUs: histogram.highestEquivalentValue(lowestUs) });
        next += 1;
        if (next < ascending.length) rank = rankOf(ascending[next]!, total);
      }
    }
    return found;
  }

  #apply(buckets: Buckets, sign: 1 | -1): void {
    const histogram = this.#histogram;
    const { indices, counts } = buckets;
    const highest = indices[indices.length - 1]!;
    if (highest >= histogram.countsArrayLength) histogram.resize(histogram.highestEquivalentValue(histogram.valueFromIndex(highest)));
    let total = 0;
    for (let i = 0; i < indices.length; i++) {
      histogram.addToCountAtIndex(indices[i]!, sign * counts[i]!);
      total += counts[i]!;
    }
    histogram.addToTotalCount(sign * total);
  }
}

/**
 * The rank of the p-th percentile of n samples: ceil(p/100 × n), at least 1. Like hdr-histogram-js,
 * it forgives the last bit of floating-point error (99.9% of 1000 must be 999, not 1000).
 */
function rankOf(percentile: number, total: number): number {
  const exact = (Math.min(percentile, 100) / 100) * total;
  const lastBit = exact > 0 ? 2 ** (Math.floor(Math.log2(exact)) - 52) : 0;
  return Math.max(Math.ceil(exact - lastBit), 1);
}
