// The histogram of one action over the current SLA window, kept up to date as seconds enter and
// leave: adding a second costs its non-empty buckets, not its samples, and a window step never
// re-reads the window. Seconds are kept as their non-empty buckets only (a few hundred numbers
// for a busy second instead of a whole histogram's counts array), which keeps five minutes of
// seconds small even for many actions.
import { JsHistogram } from 'hdr-histogram-js';
import { bucketsOf, newWideHistogram, type Buckets, type Histogram } from '../recording/index.ts';

export class RunningWindow {
  /** 64-bit counts: a window may hold billions of samples. */
  readonly #histogram: JsHistogram;
  /** Each second's buckets, kept until the second leaves the window. */
  readonly #seconds = new Map<number, Buckets[]>();

  constructor() {
    const histogram = newWideHistogram();
    if (!(histogram instanceof JsHistogram)) throw new TypeError('RunningWindow needs the JavaScript hdr-histogram-js build');
    this.#histogram = histogram;
  }

  get samples(): number {
    return this.#histogram.totalCount;
  }

  add(second: number, histogram: Histogram): void {
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
  }

  /** Nearest-rank percentile in µs: the top of the bucket holding the ceil(p% × n)-th sample. */
  percentile(percentile: number): number {
    return this.#histogram.getValueAtPercentile(percentile);
  }

  /** The smallest value HdrHistogram cannot tell apart from `value` (the bottom of its bucket). */
  lowestEquivalent(value: number): number {
    return this.#histogram.lowestEquivalentValue(value);
  }

  #apply(buckets: Buckets, sign: 1 | -1): void {
    const { values, counts } = buckets;
    for (let i = 0; i < values.length; i++) this.#histogram.recordValueWithCount(values[i]!, sign * counts[i]!);
  }
}
